"""Slots from weekly working hours: the bookable times of the local scheduling backend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models import Location, Professional, ScheduleException, Slot, WorkingHours

# (professional_id, location_id, start in UTC): the Slot table's unique key.
SlotKey = tuple[int, int, datetime]
# (day, professional_id or None, location_id or None), as a ScheduleException names them.
BlockKey = tuple[date, int | None, int | None]


def generate_slots(session: Session, *, clinic_id: int, start: date, days: int) -> int:
    """Create the missing Slot rows for `days` days from `start` (dates in each unit's own zone); return how many were created."""  # noqa: E501
    if days <= 0:
        return 0
    stop = start + timedelta(days=days)
    rules = rules_by_weekday(session, clinic_id)
    blocked = blocked_days(session, clinic_id, start, stop)
    taken = _existing_keys(session, clinic_id, start, stop)
    created: list[Slot] = []
    for day in dates(start, stop):
        for rule, zone in rules[day.weekday()]:
            if is_blocked(blocked, day, rule):
                continue
            for slot_start, slot_end in cuts(day, rule, zone):
                key = (rule.professional_id, rule.location_id, slot_start)
                # Existing slots may carry appointments: never touch them, only fill the gaps
                # (and do not let two overlapping rules create the same start twice).
                if key in taken:
                    continue
                taken.add(key)
                created.append(
                    Slot(
                        clinic_id=clinic_id,
                        location_id=rule.location_id,
                        professional_id=rule.professional_id,
                        start=slot_start,
                        end=slot_end,
                        capacity=rule.capacity,
                    )
                )
    session.add_all(created)
    session.flush()
    return len(created)


def rules_by_weekday(
    session: Session, clinic_id: int
) -> dict[int, list[tuple[WorkingHours, ZoneInfo]]]:
    """The clinic's working-hour rules at active units of active professionals, by weekday."""
    rows = session.exec(
        select(WorkingHours, Location)
        .join(Professional, WorkingHours.professional_id == Professional.id)
        .join(Location, WorkingHours.location_id == Location.id)
        .where(Professional.clinic_id == clinic_id, Location.clinic_id == clinic_id)
        .where(Professional.active, Location.active)
        .order_by(WorkingHours.start, WorkingHours.id)
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


def _existing_keys(session: Session, clinic_id: int, start: date, stop: date) -> set[SlotKey]:
    """The keys of the clinic's slots that may fall in [start, stop) in any unit's zone."""
    # Local dates are at most 14 hours away from UTC: a day of margin on each side covers all zones.
    low = datetime.combine(start - timedelta(days=1), time(), UTC)
    high = datetime.combine(stop + timedelta(days=1), time(), UTC)
    rows = session.exec(
        select(Slot.professional_id, Slot.location_id, Slot.start)
        .join(Professional, Slot.professional_id == Professional.id)
        .where(Professional.clinic_id == clinic_id, Slot.start >= low, Slot.start < high)
    ).all()
    return {(professional_id, location_id, at) for professional_id, location_id, at in rows}


def dates(start: date, stop: date) -> Iterator[date]:
    """Every date in [start, stop)."""
    for offset in range((stop - start).days):
        yield start + timedelta(days=offset)


def cuts(day: date, rule: WorkingHours, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """The rule's [start, end) on `day` cut into whole slots, as UTC (start, end) pairs."""
    if rule.slot_minutes <= 0:
        return
    # Step in UTC so every slot lasts exactly slot_minutes, even across a DST change.
    cursor = datetime.combine(day, rule.start, zone).astimezone(UTC)
    close = datetime.combine(day, rule.end, zone).astimezone(UTC)
    length = timedelta(minutes=rule.slot_minutes)
    while cursor + length <= close:
        yield cursor, cursor + length
        cursor += length
