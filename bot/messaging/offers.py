"""The waiting list: when a place frees up, the patients waiting for it are offered it in order.

Everyone waiting for that service at that unit (and part of the day) gets the offer, oldest first;
the first to answer "sim" books it and the others are told it was taken and keep their place on
the list. No hold is taken when offering: a hold would keep the place from whoever answers first.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.brazil.phones import mask
from bot.core.clock import Clock
from bot.core.texts import Texts
from bot.domain.clinic.settings import settings_or_default
from bot.domain.scheduling import LocalScheduling, SlotNotFound
from bot.messaging import outbound
from bot.messaging.channels.base import SendError, Transport
from models import (
    Clinic,
    Conversation,
    Location,
    ProfessionalService,
    Service,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)

log = logging.getLogger(__name__)
OFFER_MINUTES = 60
PARTS = {"morning": (0, 12), "afternoon": (12, 18), "evening": (18, 24)}


def part_of_day(moment: datetime) -> str:
    """ "morning", "afternoon" or "evening" for a local time."""
    return next(name for name, (first, last) in PARTS.items() if first <= moment.hour < last)


def offer_freed_place(
    session: Session, *, clinic_id: int, slot_id: int, transport: Transport, clock: Clock
) -> int:
    """Offer a slot that just got room to everyone waiting for it; return how many were told."""
    scheduling = LocalScheduling(session=session, clock=clock)
    try:
        view = scheduling.slot(clinic_id=clinic_id, slot_id=slot_id)
    except SlotNotFound:
        return 0
    if view.available < 1 or view.start <= clock.now():
        return 0
    told = 0
    for entry in waiting_for(session, clinic_id=clinic_id, slot_id=slot_id):
        if _offer(session, entry, slot_id, transport, clock):
            told += 1
    return told


def waiting_for(session: Session, *, clinic_id: int, slot_id: int) -> list[WaitlistEntry]:
    """The entries a slot would suit, oldest first."""
    slot = session.get(Slot, slot_id)
    location = session.get(Location, slot.location_id) if slot else None
    if slot is None or location is None:
        return []
    offered = select(ProfessionalService.service_id).where(
        ProfessionalService.professional_id == slot.professional_id
    )
    query = (
        select(WaitlistEntry)
        .where(
            WaitlistEntry.clinic_id == clinic_id,
            WaitlistEntry.location_id == slot.location_id,
            col(WaitlistEntry.service_id).in_(offered),
            col(WaitlistEntry.status).in_((WaitlistStatus.waiting, WaitlistStatus.offered)),
        )
        .order_by(col(WaitlistEntry.created_at), col(WaitlistEntry.id))
    )
    part = part_of_day(slot.start.astimezone(ZoneInfo(location.timezone)))
    entries = []
    for entry in session.exec(query):
        duration = session.get(Service, entry.service_id).duration_minutes
        fits = slot.service_id in (None, entry.service_id) and slot.end - slot.start >= timedelta(
            minutes=duration
        )
        if fits and entry.part_of_day in (None, part):
            entries.append(entry)
    return entries


def _offer(
    session: Session,
    entry: WaitlistEntry,
    slot_id: int,
    transport: Transport,
    clock: Clock,
) -> bool:
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
    entry.status = WaitlistStatus.offered
    entry.offered_slot_id = slot_id
    entry.offer_expires_at = clock.now() + timedelta(minutes=OFFER_MINUTES)
    session.add(entry)
    session.commit()
    try:
        outbound.send(
            session, conversation=conversation, transport=transport, clock=clock, **content
        )
    except (outbound.NotSent, SendError) as error:
        log.warning("waiting-list offer to %s not sent: %s", mask(conversation.address), error)
        entry.status = WaitlistStatus.waiting
        session.add(entry)
        session.commit()
        return False
    return True


def open_offer(session: Session, *, conversation_id: int, now: datetime) -> WaitlistEntry | None:
    """The offer this conversation may still answer, if any."""
    return session.exec(
        select(WaitlistEntry).where(
            WaitlistEntry.conversation_id == conversation_id,
            WaitlistEntry.status == WaitlistStatus.offered,
            WaitlistEntry.offer_expires_at > now,
        )
    ).first()


def settle(session: Session, entry_id: int | None, *, booked: bool) -> None:
    """After an accepted offer: the entry is done when booked, else waits for the next place."""
    entry = session.get(WaitlistEntry, entry_id) if entry_id else None
    if entry is not None:
        entry.status = WaitlistStatus.booked if booked else WaitlistStatus.waiting
        session.add(entry)
