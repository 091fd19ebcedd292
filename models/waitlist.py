"""Patients waiting for a time to open up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import AutoString, Field, SQLModel

from models.base import fk, table_args


class WaitlistStatus(StrEnum):
    waiting = "waiting"
    offered = "offered"  # a freed place was offered; waiting again if someone else took it
    booked = "booked"
    removed = "removed"


class WaitlistEntry(SQLModel, table=True):
    """A wish for a service at a unit (and part of the day); offered places free up in order."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    conversation_id: int = fk("conversation.id")
    client_id: int | None = fk("client.id", nullable=True)
    location_id: int = fk("location.id")
    service_id: int = fk("service.id")
    insurance_id: int | None = fk("healthinsurance.id", nullable=True, index=False)
    part_of_day: str | None = None  # "morning", "afternoon", "evening"; None = any time
    # Stored as text (not a database enum), so a new status needs no migration.
    status: WaitlistStatus = Field(default=WaitlistStatus.waiting, index=True, sa_type=AutoString)
    offered_slot_id: int | None = fk("slot.id", nullable=True, index=False)
    offer_expires_at: datetime | None = None
    created_at: datetime
