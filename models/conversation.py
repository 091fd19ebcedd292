"""Conversations with patients and every message in and out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import fk, json_field, table_args


class Conversation(SQLModel, table=True):
    """One patient address talking to one clinic; `state` is the flow machine's state."""

    __table_args__ = table_args(UniqueConstraint("clinic_id", "address"))

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    address: str  # exactly as the provider gave it, e.g. "whatsapp:+558282136275"
    # The clinic's address the patient last wrote to: proactive messages go out from it.
    clinic_address: str | None = None
    client_id: int | None = fk("client.id", nullable=True)
    profile_name: str | None = None
    state: str | None = None
    context: dict[str, Any] = json_field()
    last_inbound_at: datetime | None = None
    # Set when the patient asked for a human; the bot stays silent until it is cleared.
    handoff_at: datetime | None = None
    # Set when the patient asked for no proactive messages (reminders, offers); None = allowed.
    opted_out_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class Message(SQLModel, table=True):
    __table_args__ = table_args(UniqueConstraint("provider", "provider_id"))

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int | None = fk("clinic.id", nullable=True)
    conversation_id: int | None = fk("conversation.id", nullable=True)
    direction: Direction
    provider: str  # "twilio", "chat", ...
    provider_id: str | None = Field(default=None, index=True)
    # The inbound message an outbound one answers, so a redelivery gets the same reply.
    reply_to_id: int | None = fk("message.id", nullable=True)
    # The appointment a proactive message (a reminder) is about: a reply to it acts on this one.
    appointment_id: int | None = fk("appointment.id", nullable=True)
    kind: str = "text"
    body: str = ""
    payload: dict[str, Any] = json_field()
    status: str | None = None
    error_code: str | None = None
    created_at: datetime
    updated_at: datetime
