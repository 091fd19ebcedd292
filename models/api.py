"""What integrators touch: API keys, the audit trail, idempotent retries and outgoing events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import fk, json_field, table_args


class KeyKind(StrEnum):
    live = "live"  # one clinic's real data
    test = "test"  # a sandbox clinic with generated data
    admin = "admin"  # every clinic (x-admin-api-key)


class ApiKey(SQLModel, table=True):
    """An integrator's key. Only a SHA-256 of the whole key is kept; `prefix` is shown in lists."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int | None = fk("clinic.id", nullable=True)  # None for admin keys
    kind: KeyKind
    name: str
    prefix: str = Field(index=True)  # e.g. "agd_live_3fK9xQ2a": enough to tell keys apart
    hash: str = Field(unique=True)
    rate_limit: int | None = None  # requests per minute; None = the app's default
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """One change made through the API: who (key prefix), what, and the record before and after."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    at: datetime = Field(index=True)
    key_prefix: str
    action: str  # e.g. "appointment.cancel"
    resource: str  # e.g. "appointment"
    resource_id: str
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class IdempotencyRecord(SQLModel, table=True):
    """The answer given to a POST with an `Idempotency-Key`, replayed when the POST is retried."""

    __table_args__ = table_args(UniqueConstraint("api_key_id", "key"))

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = fk("apikey.id")
    key: str
    fingerprint: str  # method, path and body digest: the same key with another request is refused
    status: int
    body: str
    created_at: datetime


class WebhookEndpoint(SQLModel, table=True):
    """A URL of the clinic's that receives our events, signed with `secret` (HMAC-SHA256)."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    url: str
    secret: str
    events: list[str] = json_field(default_factory=list)  # empty = every event
    active: bool = True
    created_at: datetime


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: stored with the change that caused it, then POSTed (outbox)."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    endpoint_id: int = fk("webhookendpoint.id")
    event_id: str = Field(index=True)
    event_type: str
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", index=True)  # pending -> delivered | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(index=True)
    last_status_code: int | None = None
    last_error: str = ""
    created_at: datetime
    delivered_at: datetime | None = None
