"""Changes to a clinic's setup, and the slots that follow from its working hours.

After working hours, exceptions, a unit's zone or who is active change, `regenerate_slots` makes
the future slots match the rules again: missing ones are created, free ones that no longer fit
are removed, and ones that patients already hold are kept (closed to new bookings) and reported,
so the clinic can move those patients. Never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from bot.core.zones import DEFAULT_ZONE, local_day, today_in

# The generator's own rule readers, so "which slots the hours make" has one definition.
from bot.domain.scheduling.calendar import blocked_days, cuts, dates, is_blocked, rules_by_weekday
from models import (
    OPEN_STATUSES,
    Appointment,
    InsuranceLocation,
    InsuranceService,
    Location,
    ProfessionalService,
    Slot,
    SlotHold,
    WaitlistEntry,
)

# How far ahead slots exist: the demo's horizon and `flask slots generate`'s default.
HORIZON_DAYS = 30
# Fields whose change moves slots: a unit's zone shifts its hours; inactive means no new slots.
SLOT_FIELDS = frozenset({"timezone", "active"})

SlotKey = tuple[int, int, datetime]


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


def change(row: SQLModel, changes: Mapping[str, Any]) -> set[str]:
    """Set the given fields on `row`; return the names whose value really changed."""
    changed = set()
    for name, value in changes.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.add(name)
    return changed


def link_insurance(
    session: Session,
    *,
    insurance_id: int,
    location_ids: Iterable[int] | None,
    service_ids: Iterable[int] | None,
) -> None:
    """Replace the units that accept the insurance and the services it covers (None: keep)."""
    if location_ids is not None:
        session.exec(
            delete(InsuranceLocation).where(col(InsuranceLocation.insurance_id) == insurance_id)
        )
        session.add_all(
            InsuranceLocation(insurance_id=insurance_id, location_id=lid)
            for lid in sorted(set(location_ids))
        )
    if service_ids is not None:
        session.exec(
            delete(InsuranceService).where(col(InsuranceService.insurance_id) == insurance_id)
        )
        session.add_all(
            InsuranceService(insurance_id=insurance_id, service_id=sid)
            for sid in sorted(set(service_ids))
        )
    session.flush()


def link_services(session: Session, *, professional_id: int, service_ids: Iterable[int]) -> None:
    """Replace the services a professional offers."""
    session.exec(
        delete(ProfessionalService).where(
            col(ProfessionalService.professional_id) == professional_id
        )
    )
    session.add_all(
        ProfessionalService(professional_id=professional_id, service_id=sid)
        for sid in sorted(set(service_ids))
    )
    session.flush()


def regenerate_slots(
    session: Session, *, clinic_id: int, now: datetime, days: int = HORIZON_DAYS
) -> Regeneration:
    """Make the clinic's future slots match its working hours and exceptions again."""
    session.flush()
    start, stop = _span(session, clinic_id, now, days)
    wanted = _wanted(session, clinic_id, start, stop, now)
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
    use = _use(session, [slot.id for slot in existing if slot.id is not None], now)
    result = Regeneration()
    doomed: list[int] = []
    for slot in existing:
        booked, held, referenced = use.get(slot.id, (0, 0, 0))
        taken = booked + held
        rule = wanted.pop((slot.professional_id, slot.location_id, slot.start), None)
        if rule is not None:
            end, capacity = rule
            if (slot.end, slot.capacity) != (end, max(capacity, taken)):
                slot.end, slot.capacity = end, max(capacity, taken)
                result.updated += 1
            if capacity < taken:
                result.kept.append(KeptSlot(slot, booked, held, "over_capacity"))
        elif not taken and not referenced:
            doomed.append(slot.id)  # type: ignore[arg-type]
        else:
            # Still referenced: keep the row, but let nobody new into hours no longer worked.
            if slot.capacity != taken:
                slot.capacity = taken
                result.closed += 1
            if taken:
                result.kept.append(KeptSlot(slot, booked, held, "outside_hours"))
    if doomed:
        session.exec(delete(SlotHold).where(col(SlotHold.slot_id).in_(doomed)))
        session.exec(delete(Slot).where(col(Slot.id).in_(doomed)))
        result.removed = len(doomed)
    session.add_all(
        Slot(
            clinic_id=clinic_id,
            professional_id=pid,
            location_id=lid,
            start=at,
            end=end,
            capacity=capacity,
        )
        for (pid, lid, at), (end, capacity) in sorted(wanted.items())
    )
    result.created = len(wanted)
    session.flush()
    return result


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


def _wanted(
    session: Session, clinic_id: int, start: date, stop: date, now: datetime
) -> dict[SlotKey, tuple[datetime, int]]:
    """The future slots the rules make in [start, stop): key -> (end, capacity)."""
    rules = rules_by_weekday(session, clinic_id)
    blocked = blocked_days(session, clinic_id, start, stop)
    wanted: dict[SlotKey, tuple[datetime, int]] = {}
    for day in dates(start, stop):
        for rule, zone in rules[day.weekday()]:
            if is_blocked(blocked, day, rule):
                continue
            for slot_start, slot_end in cuts(day, rule, zone):
                if slot_start > now:
                    # Two overlapping rules: the first (earliest start) wins, as in generation.
                    key = (rule.professional_id, rule.location_id, slot_start)
                    wanted.setdefault(key, (slot_end, rule.capacity))
    return wanted


def _use(session: Session, slot_ids: list[int], now: datetime) -> dict[int, tuple[int, int, int]]:
    """Per slot: open appointments, unexpired holds, and other rows that point at it."""
    use: dict[int, list[int]] = {}
    if not slot_ids:
        return {}

    def add(rows: Iterable[tuple[int, int]], index: int) -> None:
        for slot_id, count in rows:
            use.setdefault(slot_id, [0, 0, 0])[index] += count

    # In chunks: SQLite limits the parameters of one statement.
    for chunk in (slot_ids[i : i + 500] for i in range(0, len(slot_ids), 500)):
        appointments = session.exec(
            select(Appointment.slot_id, Appointment.status, func.count())
            .where(col(Appointment.slot_id).in_(chunk))
            .group_by(col(Appointment.slot_id), col(Appointment.status))
        ).all()
        add(((s, n) for s, status, n in appointments if status in OPEN_STATUSES), 0)
        add(((s, n) for s, status, n in appointments if status not in OPEN_STATUSES), 2)
        add(
            session.exec(
                select(SlotHold.slot_id, func.count())
                .where(col(SlotHold.slot_id).in_(chunk), SlotHold.expires_at > now)
                .group_by(col(SlotHold.slot_id))
            ).all(),
            1,
        )
        add(
            session.exec(
                select(WaitlistEntry.offered_slot_id, func.count())
                .where(col(WaitlistEntry.offered_slot_id).in_(chunk))
                .group_by(col(WaitlistEntry.offered_slot_id))
            ).all(),
            2,
        )
    return {slot_id: (v[0], v[1], v[2]) for slot_id, v in use.items()}
