"""What the setup resources share: the blueprint, PATCH bodies, the calling key's `Setup`,
ownership of path ids, slot-change answers."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema
from sqlmodel import Session, func, select

from bot.api import audit, auth, formats
from bot.api.common import Page, api_blueprint, ident, page_meta, parse_id
from bot.api.setup.schemas import SlotChanges
from bot.domain.clinic import setup
from bot.domain.clinic.setup import Setup
from bot.domain.clinic.setup.snapshots import calendar_ident
from bot.domain.scheduling.generation import Regeneration
from bot.web.db import clock
from models import Location

Row = TypeVar("Row")

api = api_blueprint(
    "api_setup",
    __name__,
    url_prefix="/api/v1",
    tag="Setup",
    description=(
        "Units, insurances, services, professionals, working hours and exceptions. Units, "
        "insurances, services and professionals are never deleted: PATCH active=false. After a "
        "change to working hours, exceptions, a unit's timezone or who is active, the future "
        "slots are regenerated; slots patients hold are kept and listed in slots.kept_slots."
    ),
)

Name = Annotated[str, Field(min_length=1, max_length=120)]
Ids = Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=200)]


def patchable(inner: Any) -> Any:
    """A PATCH field: may be left out, but the documented type has no null (null is a 400)."""
    return Annotated[inner | None, WithJsonSchema(TypeAdapter(inner).json_schema())]


class PatchBody(BaseModel):
    """A partial update: only the fields sent change."""

    model_config = ConfigDict(extra="ignore")

    def changes(self) -> dict[str, Any]:
        """The fields sent, as {name: value} (a null for a field that cannot be empty is refused
        by the domain's change, with the same 400 as always)."""
        return self.model_dump(exclude_unset=True)


class ActiveQuery(Page):
    active: bool | None = Field(None, description="Only active (true) or inactive (false) rows")


def setup_for(session: Session) -> Setup:
    """A setup change made by the calling key, in its clinic, now."""
    return Setup(session=session, clinic_id=auth.clinic_id(), now=clock().now(), by=audit.author())


def owned(session: Session, model: type[Row], raw_id: str, what: str) -> Row:
    """The clinic's row named in the path, else 404 (another clinic's ids look unknown)."""
    return setup.owned(setup_for(session), model, parse_id(raw_id, what), what)


def slot_changes(session: Session, result: Regeneration) -> dict[str, Any]:
    """A regeneration as the API shows it (kept slots in their unit's local time)."""
    zones: dict[int, str] = {}
    kept = []
    for item in result.kept:
        slot = item.slot
        if slot.location_id not in zones:
            location = session.get(Location, slot.location_id)
            zones[slot.location_id] = location.timezone if location else "UTC"
        zone = ZoneInfo(zones[slot.location_id])
        kept.append(
            {
                "id": ident(slot.id),
                "calendar_id": calendar_ident(slot.professional_id, slot.location_id),
                "start": slot.start.astimezone(zone).isoformat(),
                "end": slot.end.astimezone(zone).isoformat(),
                "timezone": zones[slot.location_id],
                "booked": item.booked,
                "held": item.held,
                "reason": item.reason,
            }
        )
    return SlotChanges(
        created=result.created,
        updated=result.updated,
        removed=result.removed,
        closed=result.closed,
        kept_slots=kept,
    ).model_dump()


def changed(
    session: Session, item: dict[str, Any], result: Regeneration | None, status: int = 200
) -> Response:
    """`{"data": item}` plus `"slots"` when the change regenerated slots."""
    body: dict[str, Any] = {"data": item}
    if result is not None:
        body["slots"] = slot_changes(session, result)
    response = jsonify(body)
    response.status_code = status
    return response


def listing(
    session: Session, model: Any, query: ActiveQuery, render: Any, *, name: str
) -> Response:
    """A page of the clinic's rows of `model` by id (filtered by `active`), in the format asked."""
    where = [model.clinic_id == auth.clinic_id()]
    if query.active is not None:
        where.append(model.active == query.active)
    total = session.exec(select(func.count()).select_from(model).where(*where)).one()
    rows = session.exec(
        select(model)
        .where(*where)
        .order_by(model.id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing(render(session, rows), meta=page_meta(query, total), name=name)
