"""Working hours: the weekly rules of a professional at a unit.

Every change regenerates the future slots (bot/clinic_setup.py) and answers what moved in
`slots`, with the slots patients still hold in `slots.kept_slots`.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from bot.api import audit, auth, formats
from bot.api.calendars.views import calendar_ident
from bot.api.common import IdPath, Page, one, page_meta, parse_id
from bot.api.errors import ApiError, not_found
from bot.api.params import reference
from bot.api.setup.base import PatchBody, api, changed, owned, patchable
from bot.api.setup.schemas import (
    WorkingHoursChanged,
    WorkingHoursEnvelope,
    WorkingHoursList,
    WorkingHoursOut,
    WorkingHoursRegenerated,
)
from bot.domain.clinic.setup import change
from bot.domain.scheduling.generation import regenerate_slots
from bot.web.db import clock, db
from models import Location, Professional, WorkingHours

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, local")]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]
SlotMinutes = Annotated[int, Field(ge=5, le=480)]
Capacity = Annotated[int, Field(ge=1, le=1000, description="Patients per slot (a class: > 1)")]


def _regenerate(session: Session):
    return regenerate_slots(session, clinic_id=auth.clinic_id(), now=clock().now())


# -- working hours ------------------------------------------------------------------------------


class HoursCreate(BaseModel):
    location_id: str = Field(max_length=20, description="The unit where these hours are worked")
    weekday: Weekday
    start: Clock
    end: Clock
    slot_minutes: SlotMinutes = 30
    capacity: Capacity = 1


class HoursPatch(PatchBody):
    location_id: patchable(Annotated[str, Field(max_length=20)]) = None
    weekday: patchable(Weekday) = None
    start: patchable(Clock) = None
    end: patchable(Clock) = None
    slot_minutes: patchable(SlotMinutes) = None
    capacity: patchable(Capacity) = None


def hours_public(rule: WorkingHours) -> dict[str, Any]:
    """A working-hours rule as the API shows it."""
    return WorkingHoursOut(
        id=str(rule.id),
        professional_id=str(rule.professional_id),
        location_id=str(rule.location_id),
        calendar_id=calendar_ident(rule.professional_id, rule.location_id),
        weekday=rule.weekday,
        weekday_name=WEEKDAYS[rule.weekday],
        start=rule.start.strftime("%H:%M"),
        end=rule.end.strftime("%H:%M"),
        slot_minutes=rule.slot_minutes,
        capacity=rule.capacity,
    ).model_dump()


def _owned_rule(session: Session, raw_id: str) -> WorkingHours:
    """The clinic's rule named in the path (rules belong to a clinic through the professional)."""
    rule = session.get(WorkingHours, parse_id(raw_id, "working hours"))
    professional = session.get(Professional, rule.professional_id) if rule else None
    if rule is None or professional is None or professional.clinic_id != auth.clinic_id():
        raise not_found("working hours")
    return rule


def _fields(session: Session, sent: dict[str, Any]) -> dict[str, Any]:
    """Body values as the table stores them (times, the unit checked against the clinic)."""
    fields = dict(sent)
    for name in ("start", "end"):
        if name in fields:
            fields[name] = time.fromisoformat(fields[name])
    if "location_id" in fields:
        unit = reference(
            session,
            Location,
            fields["location_id"],
            field="location_id",
            clinic_id=auth.clinic_id(),
        )
        fields["location_id"] = unit.id if unit else None
    return fields


def _check_times(rule: WorkingHours) -> None:
    if rule.end <= rule.start:
        raise ApiError(
            "INVALID_PARAMETER",
            details=[
                {"code": "end_before_start", "message": "end must be after start", "path": ["end"]}
            ],
        )


@api.get("/professionals/<id>/working-hours", responses={200: WorkingHoursList})
def list_hours(path: IdPath, query: Page):
    """A professional's weekly rules, by weekday and start."""
    session = db()
    professional = owned(session, Professional, path.id, "professional")
    where = [WorkingHours.professional_id == professional.id]
    total = session.exec(select(func.count()).select_from(WorkingHours).where(*where)).one()
    rows = session.exec(
        select(WorkingHours)
        .where(*where)
        .order_by(col(WorkingHours.weekday), col(WorkingHours.start), col(WorkingHours.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing(
        [hours_public(r) for r in rows], meta=page_meta(query, total), name="working_hours"
    )


@api.post("/professionals/<id>/working-hours", responses={201: WorkingHoursRegenerated})
def create_hours(path: IdPath, body: HoursCreate):
    """Add a weekly rule; the professional's slots at the unit are generated for the coming days."""
    session = db()
    professional = owned(session, Professional, path.id, "professional")
    rule = WorkingHours(professional_id=professional.id or 0, **_fields(session, body.model_dump()))
    _check_times(rule)
    session.add(rule)
    session.flush()
    result = _regenerate(session)
    audit.commit_change(
        session,
        action="working_hours.create",
        resource="working_hours",
        resource_id=rule.id or 0,
        after=hours_public(rule),
    )
    return changed(session, hours_public(rule), result, 201)


@api.get("/working-hours/<id>", responses={200: WorkingHoursEnvelope})
def get_hours(path: IdPath):
    """One weekly rule."""
    return one(hours_public(_owned_rule(db(), path.id)))


@api.patch("/working-hours/<id>", responses={200: WorkingHoursChanged})
def update_hours(path: IdPath, body: HoursPatch):
    """Change a weekly rule; free future slots that no longer fit are removed, new ones made."""
    session = db()
    rule = _owned_rule(session, path.id)
    before = hours_public(rule)
    fields = change(rule, _fields(session, body.changes()))
    _check_times(rule)
    result = _regenerate(session) if fields else None
    audit.commit_change(
        session,
        action="working_hours.update",
        resource="working_hours",
        resource_id=rule.id or 0,
        before=before,
        after=hours_public(rule),
    )
    return changed(session, hours_public(rule), result)


@api.delete("/working-hours/<id>", responses={200: WorkingHoursRegenerated})
def delete_hours(path: IdPath):
    """Remove a weekly rule; its free future slots go, slots patients hold are kept and listed."""
    session = db()
    rule = _owned_rule(session, path.id)
    item = hours_public(rule)
    session.delete(rule)
    result = _regenerate(session)
    audit.commit_change(
        session,
        action="working_hours.delete",
        resource="working_hours",
        resource_id=item["id"],
        before=item,
    )
    return changed(session, item, result)
