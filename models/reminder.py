"""Proactive messages: reminders before appointments, and patients' consent to receive them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from models.base import fk, table_args


class ReminderStatus(StrEnum):
    claimed = "claimed"  # inserted and committed before sending: nobody else sends it
    sent = "sent"
    failed = "failed"
    skipped = "skipped"  # recorded with a note: superseded, opted out, handed to a person


class Reminder(SQLModel, table=True):
    """One reminder of one appointment (`kind` is the lead time, e.g. "24h"), sent at most once.

    The row is claimed (inserted, unique per appointment and kind) and committed before anything
    is sent, so two workers can never both send it; `status` then records what happened.
    """

    __table_args__ = table_args(UniqueConstraint("appointment_id", "kind"))

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    appointment_id: int = fk("appointment.id")
    kind: str
    due_at: datetime
    status: ReminderStatus = Field(default=ReminderStatus.claimed, sa_type=AutoString)
    claimed_at: datetime
    claimed_by: str = ""
    # The message that went out: its created_at is when, its status how far it got.
    message_id: int | None = fk("message.id", nullable=True)
    note: str = ""


class ConsentChange(SQLModel, table=True):
    """A patient stopping ("PARAR") or restarting ("ATIVAR") proactive messages."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    conversation_id: int = fk("conversation.id")
    at: datetime
    opted_in: bool
    source: str = "whatsapp"
