"""/api/v1/appointments: list, create, read, change and cancel or delete appointments.

The routes validate, call bot/domain/scheduling (the only code that changes appointments), audit,
commit and serialise. The status actions, the CliniPlus confirm, the conflict check and the
history are in actions.py, on the same blueprint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session, col, func, select

from bot.api import audit, auth, formats
from bot.api.appointments.public import (
    AppointmentEnvelope,
    AppointmentList,
    AppointmentRecord,
    load,
    public,
    record,
    rows,
)
from bot.api.appointments.query import AppointmentQuery, filters, order
from bot.api.appointments.slot_choice import IdText, Notes, TimeZone, required_id, target_slot
from bot.api.common import IdPath, Query, api_blueprint, one, optional_id, page_meta, parse_id
from bot.api.errors import ErrorBody
from bot.domain.scheduling import AppointmentView, Scheduling, scheduling_for
from bot.web.db import clock, db
from models import Actor, Appointment, Client, Slot

api = api_blueprint(
    "appointments",
    __name__,
    url_prefix="/api/v1/appointments",
    tag="Appointments",
    description="Bookings: list, create with availability checks, reschedule, status actions.",
)


class AppointmentCreate(BaseModel):
    """A booking: `slot_id`, or `start` + `professional_id` + `location_id`."""

    model_config = ConfigDict(extra="forbid")

    client_id: IdText
    service_id: IdText
    slot_id: IdText | None = None
    start: datetime | None = Field(
        None, description="ISO 8601; without an offset it is the unit's local time"
    )
    professional_id: IdText | None = None
    location_id: IdText | None = Field(None, description="The unit")
    insurance_id: IdText | None = Field(None, description="Default: the client's insurance")
    notes: Notes | None = None
    timezone: TimeZone | None = Field(None, description="Zone of a `start` without offset")


class AppointmentPatch(BaseModel):
    """Any of: a new time (`start` or `slot_id`), professional, unit, service, notes, status."""

    model_config = ConfigDict(extra="forbid")

    slot_id: IdText | None = None
    start: datetime | None = None
    professional_id: IdText | None = None
    location_id: IdText | None = None
    service_id: IdText | None = None
    notes: Notes | None = None
    status: Literal["confirmed", "cancelled", "completed", "no_show"] | None = None
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="Why it was cancelled (with status=cancelled)"
    )
    timezone: TimeZone | None = None


class DeleteQuery(Query):
    delete: Literal["true", "false"] | None = Field(
        None, description="true: remove for good (admin keys only); otherwise cancel"
    )
    reason: str | None = Field(None, max_length=500, description="Why it was cancelled")


class Deleted(BaseModel):
    id: str
    deleted: bool


class DeleteAnswer(BaseModel):
    """The cancelled appointment, or (delete=true) the id of the one removed."""

    data: AppointmentRecord | Deleted


def scheduling(session: Session) -> Scheduling:
    """The clinic's schedule for this request."""
    return scheduling_for(session, auth.clinic_id(), clock())


def who() -> dict[str, Any]:
    """The actor of a change made through the API: the key, by its prefix."""
    return {"actor": Actor.api_key, "actor_ref": auth.current_key().prefix}


def current(session: Session, appointment_id: str) -> dict[str, Any]:
    """The clinic's appointment named in the path, as the API shows it (404 otherwise)."""
    found = parse_id(appointment_id, "appointment")
    return load(session, clinic_id=auth.clinic_id(), appointment_id=found, now=clock().now())


def finish(
    session: Session, action: str, before: dict[str, Any] | None, item_id: str
) -> dict[str, Any]:
    """Audit the change, commit it, and return the appointment as it now is."""
    after = current(session, item_id)
    audit.record(
        session,
        action=f"appointment.{action}",
        resource="appointment",
        resource_id=after["id"],
        before=record(before) if before else None,
        after=record(after),
    )
    session.commit()
    return after


@api.get("", responses={200: AppointmentList})
def list_appointments(query: AppointmentQuery):
    """Appointments filtered by status, service, professional, client, unit and dates."""
    session = db()
    where = filters(session, query, clinic_id=auth.clinic_id())
    counted = select(func.count()).select_from(Appointment)
    counted = counted.join(Slot, col(Slot.id) == col(Appointment.slot_id)).where(*where)
    total = session.exec(counted).one()
    found = session.exec(
        rows()
        .where(*where)
        .order_by(*order(query))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    now = clock().now()
    items = [public(row, now=now) for row in found]
    return formats.listing(items, meta=page_meta(query, total), name="appointment")


@api.post("", responses={201: AppointmentEnvelope, 409: ErrorBody})
def create_appointment(body: AppointmentCreate):
    """Book: the slot must exist (404 SLOT_NOT_FOUND), not have started (409 SLOT_IN_PAST), have
    room (409 SLOT_UNAVAILABLE) and the professional must be free (409 CONFLICT)."""
    session, clinic = db(), auth.clinic_id()
    slot_id = target_slot(session, clinic, body)
    client_id = required_id(body.client_id, "client_id")
    insurance_id = optional_id(body.insurance_id, "insurance_id")
    if insurance_id is None:
        client = session.get(Client, client_id)
        if client is not None and client.clinic_id == clinic:
            insurance_id = client.health_insurance_id
    appointment = scheduling(session).book_slot(
        clinic_id=clinic,
        slot_id=slot_id,
        client_id=client_id,
        service_id=required_id(body.service_id, "service_id"),
        insurance_id=insurance_id,
        notes=body.notes,
        **who(),
    )
    return one(finish(session, "create", None, str(appointment.id)), 201)


@api.get("/<id>", responses={200: AppointmentEnvelope})
def get_appointment(path: IdPath):
    """One appointment, with signed `cancel_url` and `reschedule_url` for the patient."""
    return one(current(db(), path.id))


@api.patch("/<id>", responses={200: AppointmentEnvelope, 409: ErrorBody})
def update_appointment(path: IdPath, body: AppointmentPatch):
    """Reschedule (start or slot_id), change professional, unit or service (availability is
    checked again), change notes, or move the status on (confirmed, cancelled, ...)."""
    return one(_update(path.id, body))


@api.put("/<id>", responses={200: AppointmentEnvelope, 409: ErrorBody})
def replace_appointment(path: IdPath, body: AppointmentPatch):
    """The same as PATCH (for clients built for APIs that update with PUT)."""
    return one(_update(path.id, body))


def _update(item_id: str, body: AppointmentPatch) -> dict[str, Any]:
    session, clinic = db(), auth.clinic_id()
    before = current(session, item_id)
    appointment_id = int(before["id"])
    schedule = scheduling(session)
    slot = session.get(Slot, int(before["slot_id"]))
    slot_id = target_slot(session, clinic, body, current=slot)
    service_id = optional_id(body.service_id, "service_id")
    if slot_id is not None or service_id is not None:
        schedule.change(
            clinic_id=clinic,
            appointment_id=appointment_id,
            slot_id=slot_id,
            service_id=service_id,
            **who(),
        )
    if "notes" in body.model_fields_set:
        schedule.annotate(
            clinic_id=clinic, appointment_id=appointment_id, notes=body.notes, **who()
        )
    if body.status is not None:
        apply_status(schedule, clinic, appointment_id, body.status, reason=body.reason)
    return finish(session, "update", before, item_id)


def apply_status(
    schedule: Scheduling,
    clinic: int,
    appointment_id: int,
    status: str,
    *,
    reason: str | None = None,
    note: str | None = None,
) -> AppointmentView:
    """Move the appointment to `status` through the matching scheduling action."""
    where = {"clinic_id": clinic, "appointment_id": appointment_id, **who()}
    if status == "confirmed":
        return schedule.confirm(**where, note=note)
    if status == "cancelled":
        return schedule.cancel(**where, reason=reason)
    if status == "completed":
        return schedule.complete(**where)
    return schedule.no_show(**where)


@api.delete("/<id>", responses={200: DeleteAnswer, 409: ErrorBody})
def delete_appointment(path: IdPath, query: DeleteQuery):
    """Cancel (the record stays, with its history); `?delete=true` removes it for good, with its
    history and reminders, and only with an admin key (x-admin-api-key + X-Clinic-Id)."""
    session, clinic = db(), auth.clinic_id()
    if query.delete == "true":
        auth.require_admin()
        before = current(session, path.id)
        scheduling(session).delete(clinic_id=clinic, appointment_id=int(before["id"]))
        audit.record(
            session,
            action="appointment.delete",
            resource="appointment",
            resource_id=before["id"],
            before=record(before),
        )
        session.commit()
        return one({"id": before["id"], "deleted": True})
    before = current(session, path.id)
    apply_status(scheduling(session), clinic, int(before["id"]), "cancelled", reason=query.reason)
    return one(finish(session, "cancel", before, path.id))
