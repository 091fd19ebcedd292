"""Slots from weekly working hours: the one slot generator of the local backend.

`planned` is the only code that cuts a clinic's rules into slots. `generate_slots` adds the
missing ones (`flask slots generate`, the demo loader); `regenerate_slots` makes the future ones
match the rules again after setup changed working hours, exceptions, a unit's zone or who is
active: missing slots are created, free ones the rules no longer make are removed, and ones
patients still hold are kept (closed to new bookings) and reported, so the clinic can move
those patients. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.core.zones import DEFAULT_ZONE, local_day, today_in
from bot.domain.scheduling.occupancy import Use, use_of
from models import (
    Appointment,
    Location,
    Professional,
    ScheduleException,
    Slot,
    SlotHold,
    WaitlistEntry,
    WorkingHours,
)

# How many days ahead regeneration keeps slots (further when slots were made further ahead).
HORIZON_DAYS = 30
# (professional_id, location_id, start in UTC): the Slot table's unique key.
SlotKey = tuple[int, int, datetime]
# (day, professional_id or None, location_id or None), as a ScheduleException names them.
BlockKey = tuple[date, int | None, int | None]
_CHUNK = 500  # ids per statement: SQLite limits the parameters of one


@dataclass(frozen=True, slots=True)
class Planned:
    """A slot the rules make: its end and how many patients it takes."""

    end: datetime
    capacity: int


def planned(session: Session, clinic_id: int, start: date, stop: date) -> dict[SlotKey, Planned]:
    """The slots the clinic's rules make on local days [start, stop), in day and rule order.

    Where two rules of one professional at one unit overlap, the earlier-starting rule wins.
    """
    rules = rules_by_weekday(session, clinic_id)
    blocked = blocked_days(session, clinic_id, start, stop)
    plan: dict[SlotKey, Planned] = {}
    for day in dates(start, stop):
        for rule, zone in rules[day.weekday()]:
            if is_blocked(blocked, day, rule):
                continue
            for slot_start, slot_end in cuts(day, rule, zone):
                key = (rule.professional_id, rule.location_id, slot_start)
                plan.setdefault(key, Planned(slot_end, rule.capacity))
    return plan


def generate_slots(session: Session, *, clinic_id: int, start: date, days: int) -> int:
    """Create the missing slots of `days` local days from `start`; return how many were made.

    Existing slots may carry appointments: they are never touched, only the gaps are filled.
    """
    if days <= 0:
        return 0
    stop = start + timedelta(days=days)
    existing = _existing_keys(session, clinic_id, start, stop)
    created = [
        _slot(clinic_id, key, plan)
        for key, plan in planned(session, clinic_id, start, stop).items()
        if key not in existing
    ]
    session.add_all(created)
    session.flush()
    return len(created)


def rules_by_weekday(
    session: Session, clinic_id: int
) -> dict[int, list[tuple[WorkingHours, ZoneInfo]]]:
    """The clinic's working-hour rules at active units of active professionals, by weekday."""
    rows = session.exec(
        select(WorkingHours, Location)
        .join(Professional, col(WorkingHours.professional_id) == col(Professional.id))
        .join(Location, col(WorkingHours.location_id) == col(Location.id))
        .where(Professional.clinic_id == clinic_id, Location.clinic_id == clinic_id)
        .where(col(Professional.active), col(Location.active))
        .order_by(col(WorkingHours.start), col(WorkingHours.id))
    ).all()
    by_weekday: dict[int, list[tuple[WorkingHours, ZoneInfo]]] = defaultdict(list)
    for rule, location in rows:
        by_weekday[rule.weekday].append((rule, ZoneInfo(location.timezone)))
    return by_weekday


def blocked_days(session: Session, clinic_id: int, start: date, stop: date) -> set[BlockKey]:
    """The days off in [start, stop), keyed as the exceptions name them."""
    rows = session.exec(
        select(ScheduleException).where(
            ScheduleException.clinic_id == clinic_id,
            ScheduleException.day >= start,
            ScheduleException.day < stop,
        )
    ).all()
    return {(row.day, row.professional_id, row.location_id) for row in rows}


def is_blocked(blocked: set[BlockKey], day: date, rule: WorkingHours) -> bool:
    """Whether an exception for the professional, the unit or the whole clinic covers the day."""
    return any(
        (day, professional_id, location_id) in blocked
        for professional_id in (rule.professional_id, None)
        for location_id in (rule.location_id, None)
    )


def dates(start: date, stop: date) -> Iterator[date]:
    """Every date in [start, stop)."""
    for offset in range((stop - start).days):
        yield start + timedelta(days=offset)


def cuts(day: date, rule: WorkingHours, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """The rule's [start, end) on `day` cut into whole slots, as UTC (start, end) pairs.

    A tail shorter than a slot is dropped: 09:00-12:00 in 45-minute slots ends at 11:15.
    """
    if rule.slot_minutes <= 0:
        return
    # Step in UTC so every slot lasts exactly slot_minutes, even across a DST change.
    cursor = datetime.combine(day, rule.start, zone).astimezone(UTC)
    close = datetime.combine(day, rule.end, zone).astimezone(UTC)
    length = timedelta(minutes=rule.slot_minutes)
    while cursor + length <= close:
        yield cursor, cursor + length
        cursor += length


def _slot(clinic_id: int, key: SlotKey, plan: Planned) -> Slot:
    professional_id, location_id, start = key
    return Slot(
        clinic_id=clinic_id,
        professional_id=professional_id,
        location_id=location_id,
        start=start,
        end=plan.end,
        capacity=plan.capacity,
    )


def _existing_keys(session: Session, clinic_id: int, start: date, stop: date) -> set[SlotKey]:
    """The keys of the clinic's slots that may fall in [start, stop) in any unit's zone."""
    # Local dates are at most 14 hours away from UTC: a day of margin on each side covers all zones.
    low = datetime.combine(start - timedelta(days=1), time(), UTC)
    high = datetime.combine(stop + timedelta(days=1), time(), UTC)
    rows = session.exec(
        select(Slot.professional_id, Slot.location_id, Slot.start)
        .join(Professional, col(Slot.professional_id) == col(Professional.id))
        .where(Professional.clinic_id == clinic_id, Slot.start >= low, Slot.start < high)
    ).all()
    return {(professional_id, location_id, at) for professional_id, location_id, at in rows}


# -- regeneration ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeptSlot:
    """A slot the rules no longer make (or make smaller) that patients still hold."""

    slot: Slot
    booked: int
    held: int
    reason: str  # "outside_hours" or "over_capacity"


@dataclass(slots=True)
class Regeneration:
    """What a regeneration did to the future slots."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    closed: int = 0
    kept: list[KeptSlot] = field(default_factory=list)


def regenerate_slots(
    session: Session, *, clinic_id: int, now: datetime, days: int = HORIZON_DAYS
) -> Regeneration:
    """Make the clinic's future slots match its working hours and exceptions again."""
    session.flush()
    start, stop = _span(session, clinic_id, now, days)
    plan_ahead = planned(session, clinic_id, start, stop).items()
    wanted = {key: plan for key, plan in plan_ahead if key[2] > now}
    # Lock the future slots first (as a booking does): a place taken meanwhile is either seen
    # here or, once this commits, refused by the booking; never lost with a deleted slot.
    existing = list(
        session.exec(
            select(Slot)
            .where(Slot.clinic_id == clinic_id, Slot.start > now)
            .order_by(col(Slot.id))
            .with_for_update()
        )
    )
    ids = [slot.id for slot in existing if slot.id is not None]
    use, pointed_at = use_of(session, ids, now), _referenced(session, ids)
    result = Regeneration()
    doomed: list[int] = []
    for slot in existing:
        taken = use.get(slot.id or 0, Use(0, 0))
        plan = wanted.pop((slot.professional_id, slot.location_id, slot.start), None)
        if plan is not None:
            _follow(slot, plan, taken, result)
        elif not taken.taken and slot.id not in pointed_at:
            doomed.append(slot.id or 0)
        else:
            _close(slot, taken, result)
    if doomed:
        session.exec(delete(SlotHold).where(col(SlotHold.slot_id).in_(doomed)))
        session.exec(delete(Slot).where(col(Slot.id).in_(doomed)))
        result.removed = len(doomed)
    session.add_all(_slot(clinic_id, key, plan) for key, plan in sorted(wanted.items()))
    result.created = len(wanted)
    session.flush()
    return result


def _follow(slot: Slot, plan: Planned, taken: Use, result: Regeneration) -> None:
    """A slot the rules still make takes their end and capacity (never below what is taken)."""
    capacity = max(plan.capacity, taken.taken)
    if (slot.end, slot.capacity) != (plan.end, capacity):
        slot.end, slot.capacity = plan.end, capacity
        result.updated += 1
    if plan.capacity < taken.taken:
        result.kept.append(KeptSlot(slot, taken.booked, taken.held, "over_capacity"))


def _close(slot: Slot, taken: Use, result: Regeneration) -> None:
    """Still referenced: keep the row, but let nobody new into hours no longer worked."""
    if slot.capacity != taken.taken:
        slot.capacity = taken.taken
        result.closed += 1
    if taken.taken:
        result.kept.append(KeptSlot(slot, taken.booked, taken.held, "outside_hours"))


def _span(session: Session, clinic_id: int, now: datetime, days: int) -> tuple[date, date]:
    """The local dates [start, stop) to rebuild: from today in the westernmost unit to the
    horizon, or past the last existing slot when slots were made further ahead."""
    zones = set(session.exec(select(Location.timezone).where(Location.clinic_id == clinic_id)))
    start = min(today_in(zone, now) for zone in zones | {DEFAULT_ZONE})
    stop = start + timedelta(days=days)
    last = session.exec(
        select(Slot.start, Location.timezone)
        .join(Location, col(Location.id) == col(Slot.location_id))
        .where(Slot.clinic_id == clinic_id)
        .order_by(col(Slot.start).desc())
        .limit(1)
    ).first()
    if last is not None:
        stop = max(stop, local_day(last[0], last[1]) + timedelta(days=1))
    return start, stop


def _referenced(session: Session, slot_ids: Iterable[int]) -> set[int]:
    """The slots some appointment (of any status) or waiting-list offer points at."""
    ids = sorted(set(slot_ids))
    found: set[int] = set()
    for chunk in (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        found.update(
            session.exec(select(Appointment.slot_id).where(col(Appointment.slot_id).in_(chunk)))
        )
        offered = select(WaitlistEntry.offered_slot_id).where(
            col(WaitlistEntry.offered_slot_id).in_(chunk)
        )
        found.update(slot_id for slot_id in session.exec(offered) if slot_id is not None)
    return found
