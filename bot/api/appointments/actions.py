"""Appointment actions on /api/v1/appointments: confirm, cancel, complete, no-show (and
CliniPlus's confirm), the professional's conflict check and an appointment's history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from sqlmodel import col, func, select

from bot.api import auth, formats
from bot.api.appointments.public import AppointmentEnvelope, AppointmentRecord, load_many
from bot.api.appointments.query import bad_date, parse_moment, to_utc, zone
from bot.api.appointments.slot_choice import IdText, id_text, required_id
from bot.api.appointments.views import api, apply_status, current, finish, scheduling
from bot.api.common import (
    IdPath,
    ListEnvelope,
    Page,
    PageMeta,
    Query,
    ident,
    iso,
    one,
    optional_id,
    page_meta,
)
from bot.api.errors import ErrorBody
from bot.web.db import clock, db
from models import Actor, AppointmentEvent


def _empty_is_none(data: Any) -> Any:
    """No body at all is an empty object; a body that is not JSON still fails (INVALID_JSON)."""
    if data is None and not request.get_data(cache=True):
        return {}
    return data


class CancelBody(BaseModel):
    """Optional: why the appointment is cancelled."""

    model_config = ConfigDict(extra="forbid", openapi_extra={"required": False})

    reason: str | None = Field(None, max_length=500)

    @model_validator(mode="before")
    @classmethod
    def no_body_is_empty(cls, data: Any) -> Any:
        """Cancelling needs no body at all."""
        return _empty_is_none(data)


class CliniPlusConfirm(BaseModel):
    """CliniPlus's body for POST /api/appointments/confirm."""

    appointmentId: Annotated[str, BeforeValidator(id_text), StringConstraints(max_length=40)] = (
        Field(description="The appointment's id")
    )
    confirmedBy: Literal["client", "professional", "system"]
    notes: str | None = Field(None, max_length=1000)


class ConfirmAnswer(BaseModel):
    """`{"message": "agendamento confirmado com sucesso", "data": appointment}`."""

    message: str
    data: AppointmentRecord


class ConflictQuery(Query):
    professional_id: IdText = Field(description="The professional to check")
    start: str = Field(max_length=40, description="ISO 8601 date-time (no offset: `timezone`)")
    duration_minutes: int = Field(30, ge=1, le=1440)
    exclude_id: IdText | None = Field(None, description="An appointment to leave out (a move)")
    timezone: str | None = Field(None, max_length=64, description="Default America/Sao_Paulo")


class Conflicts(BaseModel):
    has_conflicts: bool
    conflicts: list[AppointmentRecord]


class ConflictsEnvelope(BaseModel):
    data: Conflicts


class EventRecord(BaseModel):
    """One change of an appointment: when, who, from which status to which."""

    id: str
    at: str
    actor: Actor
    actor_ref: str | None
    from_status: str | None
    to_status: str
    note: str


class EventList(ListEnvelope):
    data: list[EventRecord]
    meta: PageMeta


def _act(item_id: str, status: str, action: str, *, reason: str | None = None) -> dict:
    session = db()
    before = current(session, item_id)
    apply_status(scheduling(session), auth.clinic_id(), int(before["id"]), status, reason=reason)
    return finish(session, action, before, item_id)


@api.post("/<id>/confirm", responses={200: AppointmentEnvelope, 409: ErrorBody})
def confirm_appointment(path: IdPath):
    """scheduled → confirmed (confirming again changes nothing)."""
    return one(_act(path.id, "confirmed", "confirm"))


@api.post("/<id>/cancel", responses={200: AppointmentEnvelope, 409: ErrorBody})
def cancel_appointment(path: IdPath, body: CancelBody):
    """scheduled/confirmed → cancelled, with an optional reason; the place is freed."""
    return one(_act(path.id, "cancelled", "cancel", reason=body.reason))


@api.post("/<id>/complete", responses={200: AppointmentEnvelope, 409: ErrorBody})
def complete_appointment(path: IdPath):
    """scheduled/confirmed → completed, once the appointment has started."""
    return one(_act(path.id, "completed", "complete"))


@api.post("/<id>/no-show", responses={200: AppointmentEnvelope, 409: ErrorBody})
def no_show_appointment(path: IdPath):
    """scheduled/confirmed → no_show, once the appointment has started."""
    return one(_act(path.id, "no_show", "no_show"))


@api.post("/confirm", responses={200: ConfirmAnswer, 409: ErrorBody})
def cliniplus_confirm(body: CliniPlusConfirm):
    """CliniPlus compatible: confirm `appointmentId` on behalf of `confirmedBy`."""
    session, clinic = db(), auth.clinic_id()
    before = current(session, body.appointmentId)
    scheduling(session).confirm(
        clinic_id=clinic,
        appointment_id=int(before["id"]),
        actor=Actor(body.confirmedBy),
        actor_ref=auth.current_key().prefix,
        note=body.notes,
    )
    after = finish(session, "confirm", before, before["id"])
    return {"message": "agendamento confirmado com sucesso", "data": after}


@api.get("/conflicts", responses={200: ConflictsEnvelope})
def check_conflicts(query: ConflictQuery):
    """The professional's open appointments overlapping `start` + `duration_minutes`."""
    session, clinic = db(), auth.clinic_id()
    moment = parse_moment(query.start, "start")
    if not isinstance(moment, datetime):
        raise bad_date("start", "start must be a date-time, e.g. 2025-12-11T14:00:00-03:00")
    start = to_utc(moment, zone(query.timezone), "start")
    found = scheduling(session).conflicts(
        clinic_id=clinic,
        professional_id=required_id(query.professional_id, "professional_id"),
        start=start,
        duration_minutes=query.duration_minutes,
        exclude_id=optional_id(query.exclude_id, "exclude_id"),
    )
    items = load_many(session, [a.id for a in found if a.id is not None], now=clock().now())
    return one({"has_conflicts": bool(items), "conflicts": items})


@api.get("/<id>/history", responses={200: EventList})
def appointment_history(path: IdPath, query: Page):
    """Every change of the appointment, oldest first: when, who, from and to which status."""
    session = db()
    appointment_id = int(current(session, path.id)["id"])
    where = AppointmentEvent.appointment_id == appointment_id
    total = session.exec(select(func.count()).select_from(AppointmentEvent).where(where)).one()
    events = session.exec(
        select(AppointmentEvent)
        .where(where)
        .order_by(col(AppointmentEvent.at), col(AppointmentEvent.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    items = [_event(event) for event in events]
    return formats.listing(items, meta=page_meta(query, total), name="event")


def _event(event: AppointmentEvent) -> dict[str, Any]:
    return {
        "id": ident(event.id),
        "at": iso(event.at),
        "actor": str(event.actor),
        "actor_ref": event.actor_ref,
        "from_status": None if event.from_status is None else str(event.from_status),
        "to_status": str(event.to_status),
        "note": event.note,
    }
