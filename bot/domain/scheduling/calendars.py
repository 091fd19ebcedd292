"""Calendars (a professional at a unit) and their slots, with how full each one is: the read
models of the REST API and of statistics.

Read-only: slots are made and removed by generation.py. How full a slot is comes from
occupancy.py and which slots suit a service from availability.py, as for the bot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, tuple_
from sqlmodel import Session, col, select

from bot.domain.scheduling import availability, occupancy
from models import (
    Appointment,
    AppointmentStatus,
    Location,
    Professional,
    Slot,
    WorkingHours,
)

# (professional_id, location_id): one calendar.
Pair = tuple[int, int]
# location_id -> [low, high) in UTC.
Windows = Mapping[int, tuple[datetime, datetime]]
STATUSES = tuple(status.value for status in AppointmentStatus)


@dataclass(frozen=True, slots=True)
class Calendar:
    """A professional at a unit: the unit of a schedule integrators see."""

    professional: Professional
    location: Location
    has_hours: bool

    @property
    def pair(self) -> Pair:
        return (self.professional.id or 0, self.location.id or 0)

    @property
    def active(self) -> bool:
        """Open to new bookings: both sides active and weekly hours defined."""
        return self.has_hours and self.professional.active and self.location.active


def calendars(session: Session, *, clinic_id: int, pair: Pair | None = None) -> list[Calendar]:
    """The clinic's calendars: pairs with working hours, and pairs that still have slots."""
    ruled = select(WorkingHours.professional_id, WorkingHours.location_id).join(
        Professional, col(Professional.id) == col(WorkingHours.professional_id)
    )
    ruled = ruled.where(Professional.clinic_id == clinic_id)
    slotted = select(Slot.professional_id, Slot.location_id).where(Slot.clinic_id == clinic_id)
    if pair is not None:
        ruled = ruled.where(WorkingHours.professional_id == pair[0])
        ruled = ruled.where(WorkingHours.location_id == pair[1])
        slotted = slotted.where(Slot.professional_id == pair[0], Slot.location_id == pair[1])
    with_hours = set(session.exec(ruled.distinct()).all())
    pairs = with_hours | set(session.exec(slotted.distinct()).all())
    if not pairs:
        return []
    professionals = {
        p.id: p
        for p in session.exec(
            select(Professional).where(
                Professional.clinic_id == clinic_id,
                col(Professional.id).in_({p for p, _ in pairs}),
            )
        )
    }
    locations = {
        loc.id: loc
        for loc in session.exec(
            select(Location).where(
                Location.clinic_id == clinic_id, col(Location.id).in_({lid for _, lid in pairs})
            )
        )
    }
    return [
        Calendar(professionals[p], locations[lid], (p, lid) in with_hours)
        for p, lid in sorted(pairs)
        if p in professionals and lid in locations
    ]


def in_windows(windows: Windows) -> Any:
    """SQL condition: the slot starts inside its unit's window."""
    if not windows:
        return false()
    return or_(
        *(
            and_(Slot.location_id == lid, Slot.start >= low, Slot.start < high)
            for lid, (low, high) in windows.items()
        )
    )


def slot_totals(
    session: Session,
    *,
    clinic_id: int,
    windows: Windows,
    now: datetime,
    pairs: Collection[Pair] | None = None,
) -> dict[Pair, dict[str, Any]]:
    """Per calendar: slots, capacity, booked, held, available and appointments by status."""
    where = [Slot.clinic_id == clinic_id, in_windows(windows)]
    if pairs is not None:
        where.append(tuple_(col(Slot.professional_id), col(Slot.location_id)).in_(list(pairs)))
    per_slot = (
        select(
            Slot.professional_id,
            Slot.location_id,
            Slot.capacity,
            occupancy.booked().label("booked"),
            occupancy.held(now).label("held"),
            occupancy.available(now).label("available"),
        )
        .where(*where)
        .subquery()
    )
    rows = session.exec(
        select(
            per_slot.c.professional_id,
            per_slot.c.location_id,
            func.count(),
            func.sum(per_slot.c.capacity),
            func.sum(per_slot.c.booked),
            func.sum(per_slot.c.held),
            func.sum(per_slot.c.available),
        ).group_by(per_slot.c.professional_id, per_slot.c.location_id)
    ).all()
    totals: dict[Pair, dict[str, Any]] = defaultdict(empty_totals)
    for pid, lid, count, capacity, n_booked, n_held, n_available in rows:
        totals[(pid, lid)].update(
            slots=count,
            capacity=int(capacity or 0),
            booked=int(n_booked or 0),
            held=int(n_held or 0),
            available=int(n_available or 0),
        )
    statuses = session.exec(
        select(Slot.professional_id, Slot.location_id, Appointment.status, func.count())
        .join(Slot, col(Slot.id) == col(Appointment.slot_id))
        .where(Appointment.clinic_id == clinic_id, *where)
        .group_by(col(Slot.professional_id), col(Slot.location_id), col(Appointment.status))
    ).all()
    for pid, lid, status, count in statuses:
        by_status = totals[(pid, lid)]["appointments"]
        by_status[str(status)] = count
        by_status["total"] += count
    return dict(totals)


def empty_totals() -> dict[str, Any]:
    """A calendar's totals when it has no slot in the range."""
    return {
        "slots": 0,
        "capacity": 0,
        "booked": 0,
        "held": 0,
        "available": 0,
        "appointments": {"total": 0} | dict.fromkeys(STATUSES, 0),
    }


@dataclass(frozen=True, slots=True)
class SlotRow:
    """A slot with its unit, professional and use at the moment it was read."""

    slot: Slot
    booked: int
    held: int
    available: int  # places a new booking may take (none once the slot has started)
    professional: str
    location: str
    timezone: str


@dataclass(frozen=True, slots=True)
class SlotFilter:
    """Which slots a listing wants; windows carry the date range in each unit's zone.

    With a service, only slots that can take it (availability.serves); `available_only` adds
    "not started and with a free place": together, the bot's free slots for that service.
    """

    windows: Windows
    professional_id: int | None = None
    location_id: int | None = None
    service_id: int | None = None
    available_only: bool = False

    def conditions(self, clinic_id: int, now: datetime) -> list[Any]:
        """The SQL conditions on Slot this filter asks for."""
        where: list[Any] = [Slot.clinic_id == clinic_id, in_windows(self.windows)]
        if self.professional_id is not None:
            where.append(Slot.professional_id == self.professional_id)
        if self.location_id is not None:
            where.append(Slot.location_id == self.location_id)
        if self.service_id is not None:
            where.append(availability.serves(self.service_id))
        if self.available_only:
            where += [occupancy.not_started(now), occupancy.has_room(now)]
        return where


def _with_use(now: datetime) -> Any:
    """Slot rows with their use, professional and unit, as SlotRow takes them."""
    return (
        select(
            Slot,
            occupancy.booked(),
            occupancy.held(now),
            occupancy.available(now),
            Professional.name,
            Location.name,
            Location.timezone,
        )
        .join(Professional, col(Professional.id) == col(Slot.professional_id))
        .join(Location, col(Location.id) == col(Slot.location_id))
    )


def find_slots(
    session: Session,
    *,
    clinic_id: int,
    now: datetime,
    wanted: SlotFilter,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[SlotRow]]:
    """A page of the clinic's slots in start order, and how many match in all."""
    where = wanted.conditions(clinic_id, now)
    total = session.exec(select(func.count()).select_from(Slot).where(*where)).one()
    rows = session.exec(
        _with_use(now)
        .where(*where)
        .order_by(col(Slot.start), col(Slot.professional_id), col(Slot.location_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return total, [SlotRow(*row) for row in rows]


def find_slot(session: Session, *, clinic_id: int, slot_id: int, now: datetime) -> SlotRow | None:
    """One slot of the clinic with its use, or None."""
    row = session.exec(
        _with_use(now).where(Slot.id == slot_id, Slot.clinic_id == clinic_id)
    ).first()
    return None if row is None else SlotRow(*row)
