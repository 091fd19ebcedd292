"""Appointments, their history, and the short holds taken while a patient confirms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import fk, table_args


class AppointmentStatus(StrEnum):
    scheduled = "scheduled"
    confirmed = "confirmed"
    completed = "completed"
    no_show = "no_show"
    cancelled = "cancelled"


OPEN_STATUSES = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


class Actor(StrEnum):
    client = "client"
    professional = "professional"
    operator = "operator"
    system = "system"
    api_key = "api_key"


class Appointment(SQLModel, table=True):
    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    slot_id: int = fk("slot.id")
    client_id: int = fk("client.id")
    service_id: int = fk("service.id")
    insurance_id: int | None = fk("healthinsurance.id", nullable=True)
    status: AppointmentStatus = Field(default=AppointmentStatus.scheduled, index=True)
    start: datetime = Field(index=True)
    end: datetime
    cancel_reason: str | None = None
    notes: str | None = None
    created_at: datetime
    updated_at: datetime


class AppointmentEvent(SQLModel, table=True):
    """One change of an appointment: who, when, from which status to which."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = fk("appointment.id")
    at: datetime
    actor: Actor
    actor_ref: str | None = None  # e.g. an API key prefix or an operator's id
    from_status: AppointmentStatus | None = None
    to_status: AppointmentStatus
    note: str = ""


class SlotHold(SQLModel, table=True):
    """A place kept for a conversation until `expires_at`; it lapses by itself."""

    # Never hand a released hold's id to a new hold: a stale id must not claim someone else's place.
    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = fk("slot.id")
    conversation_id: int = fk("conversation.id")
    expires_at: datetime = Field(index=True)
