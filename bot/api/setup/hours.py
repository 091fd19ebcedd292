"""Working hours: the weekly rules of a professional at a unit.

Every change is made by bot/domain/clinic/setup/hours.py, which regenerates the future slots;
the answer says what moved in `slots`, with the slots patients still hold in `slots.kept_slots`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from bot.api import formats
from bot.api.common import IdPath, Page, one, page_meta, parse_id
from bot.api.setup.base import PatchBody, api, changed, owned, patchable, setup_for
from bot.api.setup.schemas import (
    WorkingHoursChanged,
    WorkingHoursEnvelope,
    WorkingHoursList,
    WorkingHoursOut,
    WorkingHoursRegenerated,
)
from bot.domain.clinic import setup
from bot.domain.clinic.setup.hours import owned_rule
from bot.domain.clinic.setup.snapshots import hours_record
from bot.web.db import db
from models import Professional, WorkingHours

Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, local")]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]
SlotMinutes = Annotated[int, Field(ge=5, le=480)]
Capacity = Annotated[int, Field(ge=1, le=1000, description="Patients per slot (a class: > 1)")]


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
    return WorkingHoursOut(**hours_record(rule)).model_dump()


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
    result = setup.create_hours(
        setup_for(session), parse_id(path.id, "professional"), body.model_dump()
    )
    session.commit()
    return changed(session, hours_public(result.row), result.slots, 201)


@api.get("/working-hours/<id>", responses={200: WorkingHoursEnvelope})
def get_hours(path: IdPath):
    """One weekly rule."""
    session = db()
    return one(hours_public(owned_rule(setup_for(session), parse_id(path.id, "working hours"))))


@api.patch("/working-hours/<id>", responses={200: WorkingHoursChanged})
def update_hours(path: IdPath, body: HoursPatch):
    """Change a weekly rule; free future slots that no longer fit are removed, new ones made."""
    session = db()
    result = setup.update_hours(
        setup_for(session), parse_id(path.id, "working hours"), body.changes()
    )
    session.commit()
    return changed(session, hours_public(result.row), result.slots)


@api.delete("/working-hours/<id>", responses={200: WorkingHoursRegenerated})
def delete_hours(path: IdPath):
    """Remove a weekly rule; its free future slots go, slots patients hold are kept and listed."""
    session = db()
    result = setup.delete_hours(setup_for(session), parse_id(path.id, "working hours"))
    session.commit()
    return changed(session, result.row, result.slots)
