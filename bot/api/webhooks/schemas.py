"""The request and response models of /api/v1/webhooks (endpoints and their delivery logs)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.api.common import Id, ListEnvelope, Page, PageMeta, Timestamp
from bot.domain import events

MAX_URL = 2000
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}  # plain http is allowed here only (development)
EventType = Literal[events.EVENT_TYPES]  # type: ignore[valid-type]
DeliveryStatus = Literal["pending", "delivered", "failed"]


def check_url(value: str) -> str:
    """An https URL (http only to localhost), without credentials or spaces."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("the URL must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError("not a valid URL") from None
    if not host or not value.isascii():
        raise ValueError("not a valid URL (write international domain names in punycode)")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not carry a user or password; we sign every request")
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and host in LOCAL_HOSTS):
        return value
    raise ValueError("the URL must use https (http only to localhost)")


UrlField = Field(
    max_length=MAX_URL,
    pattern=r"^[hH][tT][tT][pP][sS]?://",
    description="https URL (http only to localhost or 127.0.0.1)",
    examples=["https://erp.example.com.br/agendai/events"],
)


class WebhookCreate(BaseModel):
    """A URL to send events to, the event types it wants, and whether it is active."""

    model_config = ConfigDict(extra="forbid")

    url: str = UrlField
    events: list[EventType] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=50, description="Event types to send; empty = all"
    )
    active: bool = True

    _url = field_validator("url")(check_url)


class WebhookPatch(BaseModel):
    """The fields to change (every key optional)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=MAX_URL, pattern=r"^[hH][tT][tT][pP][sS]?://")
    events: list[EventType] | None = Field(None, max_length=50)  # type: ignore[valid-type]
    active: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)


class WebhookQuery(Page):
    active: bool | None = Field(None, description="Only active (true) or inactive (false) ones")


class DeliveryQuery(Page):
    status: DeliveryStatus | None = None
    event_type: str | None = Field(None, max_length=50)


class WebhookOut(BaseModel):
    """A webhook endpoint as integrators see it (never its secret)."""

    id: Id
    url: str = Field(description="Where the events are POSTed")
    # list[str], not list[EventType]: a stored type the API later drops must not break reads.
    events: list[str] = Field(description="Event types sent to it; empty = every event")
    active: bool = Field(description="false: no events are sent to it")
    created_at: Timestamp


class WebhookCreated(WebhookOut):
    """A new webhook endpoint, with the secret its requests are signed with."""

    secret: str = Field(
        description="HMAC-SHA256 signing secret (whsec_…); shown only in this answer"
    )


class DeliveryOut(BaseModel):
    """One event sent (or to be sent) to one endpoint: a line of its delivery log."""

    id: Id
    event_id: str = Field(description="The event's id (evt_…), the same in its payload")
    event_type: str = Field(description="e.g. appointment.created, or webhook.test")
    status: DeliveryStatus = Field(description="pending (will be tried), delivered or failed")
    attempts: int = Field(description="POSTs made so far")
    last_status_code: int | None = Field(description="HTTP status of the last attempt")
    last_error: str = Field(description="Why the last attempt failed; empty when it did not")
    created_at: Timestamp
    next_attempt_at: Timestamp | None = Field(description="When it is tried next (pending only)")
    delivered_at: Timestamp | None


class WebhookEnvelope(BaseModel):
    """`{"data": webhook}`."""

    data: WebhookOut


class WebhookCreatedEnvelope(BaseModel):
    """`{"data": webhook with its secret}`."""

    data: WebhookCreated


class WebhookList(ListEnvelope):
    """A page of webhook endpoints."""

    data: list[WebhookOut]
    meta: PageMeta


class DeliveryEnvelope(BaseModel):
    """`{"data": delivery}`."""

    data: DeliveryOut


class DeliveryList(ListEnvelope):
    """A page of a webhook's delivery log."""

    data: list[DeliveryOut]
    meta: PageMeta
