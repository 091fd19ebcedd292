"""Calendars (a professional at a unit) and their slots, with how full each one is.

Read-only: slots are made and removed by bot/scheduling/calendar.py and bot/clinic_setup.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, func, or_, tuple_
from sqlmodel import Session, col, select

from models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    Location,
    Professional,
    ProfessionalService,
    Slot,
    SlotHold,
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


def usage_subqueries(*, clinic_id: int, now: datetime) -> tuple[Any, Any]:
    """Per slot: open appointments (`booked`) and unexpired holds (`held`), to outer-join."""
    booked = (
        select(Appointment.slot_id, func.count().label("n"))
        .where(Appointment.clinic_id == clinic_id, col(Appointment.status).in_(OPEN_STATUSES))
        .group_by(col(Appointment.slot_id))
        .subquery()
    )
    held = (
        select(SlotHold.slot_id, func.count().label("n"))
        .where(SlotHold.expires_at > now)
        .group_by(col(SlotHold.slot_id))
        .subquery()
    )
    return booked, held


def slot_totals(
    session: Session,
    *,
    clinic_id: int,
    windows: Windows,
    now: datetime,
    pairs: Collection[Pair] | None = None,
) -> dict[Pair, dict[str, Any]]:
    """Per calendar: slots, capacity, booked, held, available and appointments by status."""
    booked_q, held_q = usage_subqueries(clinic_id=clinic_id, now=now)
    booked = func.coalesce(booked_q.c.n, 0)
    held = func.coalesce(held_q.c.n, 0)
    free = col(Slot.capacity) - booked - held
    # Only places still ahead are available: a slot that has started cannot be booked.
    available = case((and_(col(Slot.start) > now, free > 0), free), else_=0)
    where = [Slot.clinic_id == clinic_id, in_windows(windows)]
    if pairs is not None:
        where.append(tuple_(col(Slot.professional_id), col(Slot.location_id)).in_(list(pairs)))
    rows = session.exec(
        select(
            Slot.professional_id,
            Slot.location_id,
            func.count(col(Slot.id)),
            func.sum(Slot.capacity),
            func.sum(booked),
            func.sum(held),
            func.sum(available),
        )
        .outerjoin(booked_q, booked_q.c.slot_id == Slot.id)
        .outerjoin(held_q, held_q.c.slot_id == Slot.id)
        .where(*where)
        .group_by(col(Slot.professional_id), col(Slot.location_id))
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
    """A slot with its unit, professional and current use."""

    slot: Slot
    booked: int
    held: int
    professional: str
    location: str
    timezone: str

    def available(self, now: datetime) -> int:
        """Places still free for a new booking (none once the slot has started)."""
        if self.slot.start <= now:
            return 0
        return max(self.slot.capacity - self.booked - self.held, 0)


@dataclass(frozen=True, slots=True)
class SlotFilter:
    """Which slots a listing wants; windows carry the date range in each unit's zone."""

    windows: Windows
    professional_id: int | None = None
    location_id: int | None = None
    service_id: int | None = None
    available_only: bool = False


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
    booked_q, held_q = usage_subqueries(clinic_id=clinic_id, now=now)
    booked = func.coalesce(booked_q.c.n, 0)
    held = func.coalesce(held_q.c.n, 0)
    where: list[Any] = [Slot.clinic_id == clinic_id, in_windows(wanted.windows)]
    if wanted.professional_id is not None:
        where.append(Slot.professional_id == wanted.professional_id)
    if wanted.location_id is not None:
        where.append(Slot.location_id == wanted.location_id)
    if wanted.service_id is not None:
        offers = select(ProfessionalService.professional_id).where(
            ProfessionalService.service_id == wanted.service_id
        )
        where.append(col(Slot.professional_id).in_(offers))
        where.append(or_(col(Slot.service_id).is_(None), Slot.service_id == wanted.service_id))
    if wanted.available_only:
        where.append(col(Slot.start) > now)
        where.append(booked + held < col(Slot.capacity))

    def joined(query: Any) -> Any:
        return (
            query.outerjoin(booked_q, booked_q.c.slot_id == Slot.id)
            .outerjoin(held_q, held_q.c.slot_id == Slot.id)
            .where(*where)
        )

    total = session.exec(joined(select(func.count()).select_from(Slot))).one()
    rows = session.exec(
        joined(
            select(Slot, booked, held, Professional.name, Location.name, Location.timezone)
            .join(Professional, col(Professional.id) == col(Slot.professional_id))
            .join(Location, col(Location.id) == col(Slot.location_id))
        )
        .order_by(col(Slot.start), col(Slot.professional_id), col(Slot.location_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return total, [SlotRow(*row) for row in rows]


def find_slot(session: Session, *, clinic_id: int, slot_id: int, now: datetime) -> SlotRow | None:
    """One slot of the clinic with its use, or None."""
    booked_q, held_q = usage_subqueries(clinic_id=clinic_id, now=now)
    row = session.exec(
        select(
            Slot,
            func.coalesce(booked_q.c.n, 0),
            func.coalesce(held_q.c.n, 0),
            Professional.name,
            Location.name,
            Location.timezone,
        )
        .join(Professional, col(Professional.id) == col(Slot.professional_id))
        .join(Location, col(Location.id) == col(Slot.location_id))
        .outerjoin(booked_q, booked_q.c.slot_id == Slot.id)
        .outerjoin(held_q, held_q.c.slot_id == Slot.id)
        .where(Slot.id == slot_id, Slot.clinic_id == clinic_id)
    ).first()
    return None if row is None else SlotRow(*row)
