"""An appointment as integrators see it, and the query that loads it with its names."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlmodel import Session, col, select

from bot.api.common import ListEnvelope, PageMeta, ident, iso
from bot.api.errors import not_found
from bot.domain.clinic.setup.snapshots import calendar_ident
from bot.web.link_tokens import link_urls
from models import Appointment, AppointmentStatus, Client, Location, Professional, Service, Slot

# Keys that carry signed tokens: kept out of the audit trail.
LINK_KEYS = ("cancel_url", "reschedule_url")


def rows() -> Select:
    """Appointments with the names of their client, service, professional and unit."""
    return (
        select(
            Appointment,
            Client.name,
            Service.name,
            Professional.id,
            Professional.name,
            Location.id,
            Location.name,
            Location.timezone,
        )
        .join(Slot, col(Slot.id) == col(Appointment.slot_id))
        .join(Client, col(Client.id) == col(Appointment.client_id))
        .join(Service, col(Service.id) == col(Appointment.service_id))
        .join(Professional, col(Professional.id) == col(Slot.professional_id))
        .join(Location, col(Location.id) == col(Slot.location_id))
    )


def public(row: Any, *, now: datetime) -> dict[str, Any]:
    """One row of `rows()` as the API's appointment object.

    start/end carry the unit's UTC offset (invariant 4: stored in UTC, shown in the unit's zone).
    """
    appointment, client, service, professional_id, professional, location_id, location, zone = row
    local = ZoneInfo(zone)
    item: dict[str, Any] = {
        "id": ident(appointment.id),
        "status": str(appointment.status),
        "start": appointment.start.astimezone(local).isoformat(),
        "end": appointment.end.astimezone(local).isoformat(),
        "timezone": zone,
        "duration_minutes": int((appointment.end - appointment.start).total_seconds() // 60),
        "client_id": ident(appointment.client_id),
        "client_name": client,
        "service_id": ident(appointment.service_id),
        "service_name": service,
        "professional_id": ident(professional_id),
        "professional_name": professional,
        "location_id": ident(location_id),
        "location_name": location,
        "insurance_id": ident(appointment.insurance_id),
        "slot_id": ident(appointment.slot_id),
        "calendar_id": calendar_ident(professional_id, location_id),
        "notes": appointment.notes,
        "cancel_reason": appointment.cancel_reason,
        "created_at": iso(appointment.created_at),
        "updated_at": iso(appointment.updated_at),
    }
    return item | link_urls(appointment, now=now)


def load(session: Session, *, clinic_id: int, appointment_id: int, now: datetime) -> dict[str, Any]:
    """One of the clinic's appointments as the API shows it; 404 when it is not the clinic's."""
    row = session.exec(
        rows().where(Appointment.id == appointment_id, Appointment.clinic_id == clinic_id)
    ).first()
    if row is None:
        raise not_found("appointment")
    return public(row, now=now)


def load_many(session: Session, ids: list[int], *, now: datetime) -> list[dict[str, Any]]:
    """Several appointments (already known to be the clinic's), in the order of `ids`."""
    if not ids:
        return []
    found = {
        row[0].id: public(row, now=now)
        for row in session.exec(rows().where(col(Appointment.id).in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def record(item: dict[str, Any]) -> dict[str, Any]:
    """The appointment as the audit trail keeps it (no signed links)."""
    return {key: value for key, value in item.items() if key not in LINK_KEYS}


class AppointmentRecord(BaseModel):
    """An appointment (ids are opaque strings; start/end in the unit's zone)."""

    id: str
    status: AppointmentStatus
    start: str = Field(description="ISO 8601 with the unit's UTC offset")
    end: str
    timezone: str = Field(description="The unit's IANA time zone")
    duration_minutes: int
    client_id: str
    client_name: str
    service_id: str
    service_name: str
    professional_id: str
    professional_name: str
    location_id: str = Field(description="The unit")
    location_name: str
    insurance_id: str | None
    slot_id: str
    calendar_id: str = Field(description="professional_id-location_id")
    notes: str | None
    cancel_reason: str | None
    created_at: str | None
    updated_at: str | None
    cancel_url: str | None = Field(
        None, description="A page where the patient cancels (signed; null once it cannot)"
    )
    reschedule_url: str | None = Field(
        None, description="A page where the patient picks a new time (signed)"
    )


class AppointmentEnvelope(BaseModel):
    """`{"data": appointment}`."""

    data: AppointmentRecord


class AppointmentList(ListEnvelope):
    """`{"data": [appointment, ...], "meta": {...}}` (or XML / CSV)."""

    data: list[AppointmentRecord]
    meta: PageMeta
