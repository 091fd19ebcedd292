"""Exceptions: days off for the whole clinic, a unit, a professional, or a professional at a unit.

Creating or removing one regenerates the future slots and answers what moved in `slots`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from bot.api import audit, auth, formats
from bot.api.common import IdPath, Page, ident, one, page_meta
from bot.api.params import day_field, parse_day, reference, require_day
from bot.api.setup.base import api, changed, owned
from bot.api.setup.schemas import (
    ExceptionEnvelope,
    ExceptionList,
    ExceptionOut,
    ExceptionRegenerated,
)
from bot.domain.scheduling.generation import regenerate_slots
from bot.web.db import clock, db
from models import Location, Professional, ScheduleException


class ExceptionCreate(BaseModel):
    day: str = day_field("The local day off (YYYY-MM-DD)")
    professional_id: str | None = Field(
        None, max_length=20, description="Only this professional (with location_id: only there)"
    )
    location_id: str | None = Field(
        None, max_length=20, description="Only this unit; neither: the whole clinic"
    )
    reason: str = Field("", max_length=200)


class ExceptionQuery(Page):
    date_from: str | None = day_field("First day (YYYY-MM-DD)")
    date_to: str | None = day_field("Last day, included")
    professional_id: str | None = Field(None, max_length=20)
    location_id: str | None = Field(None, max_length=20)


def exception_public(row: ScheduleException) -> dict[str, Any]:
    """An exception as the API shows it; `scope` says whom it covers."""
    if row.professional_id is not None:
        scope = "professional_at_unit" if row.location_id is not None else "professional"
    else:
        scope = "unit" if row.location_id is not None else "clinic"
    return ExceptionOut(
        id=str(row.id),
        day=row.day.isoformat(),
        professional_id=ident(row.professional_id),
        location_id=ident(row.location_id),
        scope=scope,
        reason=row.reason,
    ).model_dump()


@api.get("/exceptions", responses={200: ExceptionList})
def list_exceptions(query: ExceptionQuery):
    """Days off of the clinic, a unit or a professional, by day."""
    session, clinic_id = db(), auth.clinic_id()
    where: list[Any] = [ScheduleException.clinic_id == clinic_id]
    first, last = parse_day(query.date_from, "date_from"), parse_day(query.date_to, "date_to")
    if first is not None:
        where.append(ScheduleException.day >= first)
    if last is not None:
        where.append(ScheduleException.day <= last)
    for name, model in (("professional_id", Professional), ("location_id", Location)):
        row = reference(session, model, getattr(query, name), field=name, clinic_id=clinic_id)
        if row is not None:
            where.append(getattr(ScheduleException, name) == row.id)
    total = session.exec(select(func.count()).select_from(ScheduleException).where(*where)).one()
    rows = session.exec(
        select(ScheduleException)
        .where(*where)
        .order_by(col(ScheduleException.day), col(ScheduleException.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing(
        [exception_public(r) for r in rows], meta=page_meta(query, total), name="exception"
    )


@api.get("/exceptions/<id>", responses={200: ExceptionEnvelope})
def get_exception(path: IdPath):
    """One exception."""
    return one(exception_public(owned(db(), ScheduleException, path.id, "exception")))


@api.post("/exceptions", responses={201: ExceptionRegenerated})
def create_exception(body: ExceptionCreate):
    """Add a day off; free slots that day are removed, slots patients hold are kept and listed."""
    session, clinic_id = db(), auth.clinic_id()
    day = require_day(body.day, "day")
    professional = reference(
        session, Professional, body.professional_id, field="professional_id", clinic_id=clinic_id
    )
    unit = reference(session, Location, body.location_id, field="location_id", clinic_id=clinic_id)
    row = ScheduleException(
        clinic_id=clinic_id,
        day=day,
        professional_id=professional.id if professional else None,
        location_id=unit.id if unit else None,
        reason=body.reason,
    )
    session.add(row)
    session.flush()
    result = regenerate_slots(session, clinic_id=auth.clinic_id(), now=clock().now())
    item = exception_public(row)
    audit.commit_change(
        session,
        action="exception.create",
        resource="exception",
        resource_id=row.id or 0,
        after=item,
    )
    return changed(session, item, result, 201)


@api.delete("/exceptions/<id>", responses={200: ExceptionRegenerated})
def delete_exception(path: IdPath):
    """Remove a day off; that day's slots come back."""
    session = db()
    row = owned(session, ScheduleException, path.id, "exception")
    item = exception_public(row)
    session.delete(row)
    result = regenerate_slots(session, clinic_id=auth.clinic_id(), now=clock().now())
    audit.commit_change(
        session,
        action="exception.delete",
        resource="exception",
        resource_id=item["id"],
        before=item,
    )
    return changed(session, item, result)
