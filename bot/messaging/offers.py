"""Offering a freed place to the waiting list: when a place frees up, the patients waiting for it
are told, in order. The entries themselves are read and marked by `bot.domain.waitlist`.

Everyone waiting for that service at that unit (and part of the day) gets the offer, oldest first;
the first to answer "sim" books it and the others are told it was taken and keep their place on
the list. No hold is taken when offering: a hold would keep the place from whoever answers first.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.brazil.phones import mask
from bot.core.clock import Clock
from bot.core.texts import Texts
from bot.domain import waitlist
from bot.domain.clinic.settings import settings_or_default
from bot.domain.scheduling import SlotNotFound, scheduling_for
from bot.messaging import outbound
from bot.messaging.channels.base import SendError, Transport
from models import Clinic, Conversation, Location, Service, Slot, WaitlistEntry

log = logging.getLogger(__name__)
OFFER_MINUTES = 60


def offer_freed_place(
    session: Session, *, clinic_id: int, slot_id: int, transport: Transport, clock: Clock
) -> int:
    """Offer a slot that just got room to everyone waiting for it; return how many were told."""
    scheduling = scheduling_for(session, clinic_id, clock)
    try:
        view = scheduling.slot(clinic_id=clinic_id, slot_id=slot_id)
    except SlotNotFound:
        return 0
    if view.available < 1 or view.start <= clock.now():
        return 0
    told = 0
    for entry in waitlist.waiting_for(session, clinic_id=clinic_id, slot_id=slot_id):
        if _offer(session, entry, slot_id, transport, clock):
            told += 1
    return told


def _offer(
    session: Session,
    entry: WaitlistEntry,
    slot_id: int,
    transport: Transport,
    clock: Clock,
) -> bool:
    """Tell one waiting patient: marked offered before sending, waiting again if not sent."""
    conversation = session.get(Conversation, entry.conversation_id)
    clinic = session.get(Clinic, entry.clinic_id)
    slot = session.get(Slot, slot_id)
    location = session.get(Location, slot.location_id)
    service = session.get(Service, entry.service_id)
    settings = settings_or_default(clinic.settings, clinic_id=clinic.id)
    texts = Texts(clinic.texts, settings.language)
    when = texts.datetime(slot.start.astimezone(ZoneInfo(location.timezone)))
    content: dict = {
        "text": texts("waitlist_offer", service=service.name, when=when, location=location.name)
    }
    if settings.waitlist_content_sid and not outbound.in_window(conversation, clock.now()):
        variables = {"1": service.name, "2": when, "3": location.name}
        content = {"template": (settings.waitlist_content_sid, variables)}
    expires_at = clock.now() + timedelta(minutes=OFFER_MINUTES)
    waitlist.mark_offered(session, entry, slot_id=slot_id, expires_at=expires_at)
    session.commit()
    try:
        outbound.send(
            session, conversation=conversation, transport=transport, clock=clock, **content
        )
    except (outbound.NotSent, SendError) as error:
        log.warning("waiting-list offer to %s not sent: %s", mask(conversation.address), error)
        waitlist.mark_waiting(session, entry)
        session.commit()
        return False
    return True
