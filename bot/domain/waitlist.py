"""The waiting list: patients waiting for a time to open up, for a service at a unit.

An entry waits; when a place that suits it frees up it is offered (until the offer expires),
then either booked or waiting again. Callers own the transaction: nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from models import (
    Location,
    ProfessionalService,
    Service,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)

PARTS = {"morning": (0, 12), "afternoon": (12, 18), "evening": (18, 24)}


def part_of_day(moment: datetime) -> str:
    """ "morning", "afternoon" or "evening" for a local time."""
    return next(name for name, (first, last) in PARTS.items() if first <= moment.hour < last)


def join(
    session: Session,
    *,
    clinic_id: int,
    conversation_id: int,
    client_id: int | None,
    location_id: int,
    service_id: int,
    insurance_id: int | None,
    part: str | None,
    now: datetime,
) -> WaitlistEntry:
    """Put a patient on the list for a service at a unit (`part` of the day; None: any time)."""
    entry = WaitlistEntry(
        clinic_id=clinic_id,
        conversation_id=conversation_id,
        client_id=client_id,
        location_id=location_id,
        service_id=service_id,
        insurance_id=insurance_id,
        part_of_day=part,
        created_at=now,
    )
    session.add(entry)
    return entry


def leave(session: Session, *, clinic_id: int, entry_id: int) -> bool:
    """Take an entry off the list; False when the clinic has no such entry still open."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.clinic_id != clinic_id or entry.status == WaitlistStatus.booked:
        return False
    entry.status = WaitlistStatus.removed
    session.add(entry)
    return True


def waiting_for(session: Session, *, clinic_id: int, slot_id: int) -> list[WaitlistEntry]:
    """The entries a slot would suit, in the order they joined."""
    slot = session.get(Slot, slot_id)
    location = session.get(Location, slot.location_id) if slot else None
    if slot is None or location is None or slot.clinic_id != clinic_id:
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
        fits = slot.end - slot.start >= timedelta(minutes=duration)
        if fits and entry.part_of_day in (None, part):
            entries.append(entry)
    return entries


def open_offer(session: Session, *, conversation_id: int, now: datetime) -> WaitlistEntry | None:
    """The offer a conversation may still answer, if any."""
    return session.exec(
        select(WaitlistEntry).where(
            WaitlistEntry.conversation_id == conversation_id,
            WaitlistEntry.status == WaitlistStatus.offered,
            col(WaitlistEntry.offer_expires_at) > now,
        )
    ).first()


def mark_offered(
    session: Session, entry: WaitlistEntry, *, slot_id: int, expires_at: datetime
) -> None:
    """A freed place was offered to the entry, answerable until `expires_at`."""
    entry.status = WaitlistStatus.offered
    entry.offered_slot_id = slot_id
    entry.offer_expires_at = expires_at
    session.add(entry)


def mark_booked(session: Session, entry: WaitlistEntry) -> None:
    """The entry got its appointment: it leaves the list."""
    entry.status = WaitlistStatus.booked
    session.add(entry)


def mark_waiting(session: Session, entry: WaitlistEntry) -> None:
    """Back to waiting: the offer was declined, taken by someone else, or never sent."""
    entry.status = WaitlistStatus.waiting
    session.add(entry)


def settle(session: Session, *, entry_id: int | None, booked: bool) -> None:
    """After an accepted offer: booked, or waiting for the next place (no-op without an entry)."""
    entry = session.get(WaitlistEntry, entry_id) if entry_id else None
    if entry is None:
        return
    if booked:
        mark_booked(session, entry)
    else:
        mark_waiting(session, entry)
