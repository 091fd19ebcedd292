"""Exceptions: days off for the whole clinic, a unit, a professional, or a professional at a unit.

Creating or removing one regenerates the future slots and answers what moved in `slots`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from bot.api import auth, formats
from bot.api.common import IdPath, Page, one, page_meta, parse_id
from bot.api.params import day_field, parse_day, reference, require_day
from bot.api.setup.base import api, changed, owned, setup_for
from bot.api.setup.schemas import (
    ExceptionEnvelope,
    ExceptionList,
    ExceptionOut,
    ExceptionRegenerated,
)
from bot.domain.clinic import setup
from bot.domain.clinic.setup.snapshots import exception_record
from bot.web.db import db
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
    return ExceptionOut(**exception_record(row)).model_dump()


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
    session = db()
    result = setup.create_exception(
        setup_for(session),
        day=require_day(body.day, "day"),
        professional_id=body.professional_id,
        location_id=body.location_id,
        reason=body.reason,
    )
    session.commit()
    return changed(session, exception_public(result.row), result.slots, 201)


@api.delete("/exceptions/<id>", responses={200: ExceptionRegenerated})
def delete_exception(path: IdPath):
    """Remove a day off; that day's slots come back."""
    session = db()
    result = setup.delete_exception(setup_for(session), parse_id(path.id, "exception"))
    session.commit()
    return changed(session, result.row, result.slots)
