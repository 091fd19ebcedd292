"""Working hours (a professional's weekly rules at a unit) and exceptions (days off): every change
regenerates the future slots and reports what moved, with the slots patients still hold."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from bot.domain.clinic.setup.base import (
    Changed,
    Setup,
    SetupNotFound,
    change,
    filled,
    invalid,
    owned,
    reference,
)
from bot.domain.clinic.setup.snapshots import exception_record, hours_record
from models import Location, Professional, ScheduleException, WorkingHours


def owned_rule(setup: Setup, rule_id: int) -> WorkingHours:
    """The clinic's weekly rule (it belongs to the clinic of its professional), else not found."""
    rule = setup.session.get(WorkingHours, rule_id)
    professional = setup.session.get(Professional, rule.professional_id) if rule else None
    if rule is None or professional is None or professional.clinic_id != setup.clinic_id:
        raise SetupNotFound("working hours")
    return rule


def _fields(setup: Setup, sent: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the table stores them (HH:MM as times, the unit checked against the clinic)."""
    fields = dict(sent)
    for name in ("start", "end"):
        if isinstance(fields.get(name), str):
            fields[name] = time.fromisoformat(fields[name])
    if "location_id" in fields:
        unit = reference(setup, Location, fields["location_id"], field="location_id")
        fields["location_id"] = unit.id if unit else None
    return fields


def _check_times(rule: WorkingHours) -> None:
    if rule.end <= rule.start:
        raise invalid("end_before_start", "end must be after start", ["end"])


def create_hours(
    setup: Setup, professional_id: int, fields: Mapping[str, Any], *, regenerate: bool = True
) -> Changed[WorkingHours]:
    """Add a weekly rule (location_id, weekday, start, end, slot_minutes, capacity).

    regenerate=False leaves the slots to the caller (a batch, such as loading the demo).
    """
    professional = owned(setup, Professional, professional_id, "professional")
    rule = WorkingHours(professional_id=professional.id or 0, **_fields(setup, fields))
    _check_times(rule)
    setup.session.add(rule)
    setup.session.flush()
    slots = setup.regenerate() if regenerate else None
    setup.audit("working_hours.create", rule.id or 0, after=hours_record(rule))
    return Changed(rule, slots)


def update_hours(setup: Setup, rule_id: int, changes: Mapping[str, Any]) -> Changed[WorkingHours]:
    """Change a weekly rule; free future slots that no longer fit go, new ones are made."""
    rule = owned_rule(setup, rule_id)
    before = hours_record(rule)
    fields = change(rule, _fields(setup, filled(changes)))
    _check_times(rule)
    slots = setup.regenerate() if fields else None
    setup.audit("working_hours.update", rule.id or 0, before, hours_record(rule))
    return Changed(rule, slots)


def delete_hours(setup: Setup, rule_id: int) -> Changed[dict[str, Any]]:
    """Remove a weekly rule; its free future slots go, slots patients hold are kept."""
    rule = owned_rule(setup, rule_id)
    item = hours_record(rule)
    setup.session.delete(rule)
    slots = setup.regenerate()
    setup.audit("working_hours.delete", item["id"], before=item)
    return Changed(item, slots)


def create_exception(
    setup: Setup,
    *,
    day: date,
    professional_id: Any = None,
    location_id: Any = None,
    reason: str = "",
    regenerate: bool = True,
) -> Changed[ScheduleException]:
    """Add a day off for the clinic, a unit, a professional or a professional at a unit."""
    professional = reference(setup, Professional, professional_id, field="professional_id")
    unit = reference(setup, Location, location_id, field="location_id")
    row = ScheduleException(
        clinic_id=setup.clinic_id,
        day=day,
        professional_id=professional.id if professional else None,
        location_id=unit.id if unit else None,
        reason=reason,
    )
    setup.session.add(row)
    setup.session.flush()
    slots = setup.regenerate() if regenerate else None
    setup.audit("exception.create", row.id or 0, after=exception_record(row))
    return Changed(row, slots)


def delete_exception(setup: Setup, exception_id: int) -> Changed[dict[str, Any]]:
    """Remove a day off; that day's slots come back."""
    row = owned(setup, ScheduleException, exception_id, "exception")
    item = exception_record(row)
    setup.session.delete(row)
    slots = setup.regenerate()
    setup.audit("exception.delete", item["id"], before=item)
    return Changed(item, slots)
