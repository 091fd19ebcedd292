"""Events for the clinic's systems: stored with the change that caused them (an outbox), then
POSTed to every webhook URL the clinic registered, signed with HMAC-SHA256.

`emit` only adds rows to the caller's transaction, so an event exists exactly when its change was
committed; delivery, retries and the delivery log are in bot/deliveries_out.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models import Appointment, Client, WebhookDelivery, WebhookEndpoint

EVENT_TYPES = (
    "appointment.created",
    "appointment.confirmed",
    "appointment.rescheduled",
    "appointment.cancelled",
    "appointment.completed",
    "appointment.no_show",
    "client.created",
)
# Sent to one endpoint on request (POST /api/v1/webhooks/<id>/test); never subscribed to.
TEST_EVENT = "webhook.test"


def emit(
    session: Session, *, clinic_id: int, type: str, data: dict[str, Any], now: datetime
) -> str | None:
    """Queue `type` for each active endpoint of the clinic that wants it; returns the event id."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    endpoints = session.exec(
        select(WebhookEndpoint).where(
            WebhookEndpoint.clinic_id == clinic_id,
            WebhookEndpoint.active == True,  # noqa: E712
        )
    ).all()
    wanted = [e for e in endpoints if not e.events or type in e.events]
    if not wanted:
        return None
    event_id = new_event_id()
    payload = {"id": event_id, "type": type, "created_at": now.isoformat(), "data": data}
    for endpoint in wanted:
        session.add(_delivery(endpoint, event_id, type, payload, now))
    return event_id


def queue_test(session: Session, *, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """Queue a `webhook.test` event for this endpoint only (whatever events it subscribed to)."""
    event_id = new_event_id()
    payload = {
        "id": event_id,
        "type": TEST_EVENT,
        "created_at": now.isoformat(),
        "data": {"webhook": {"id": str(endpoint.id)}},
    }
    delivery = _delivery(endpoint, event_id, TEST_EVENT, payload, now)
    session.add(delivery)
    return delivery


def new_event_id() -> str:
    """A unique event id (receivers deduplicate on it)."""
    return f"evt_{uuid.uuid4().hex}"


def _delivery(
    endpoint: WebhookEndpoint, event_id: str, type: str, payload: dict[str, Any], now: datetime
) -> WebhookDelivery:
    return WebhookDelivery(
        clinic_id=endpoint.clinic_id,
        endpoint_id=endpoint.id,  # type: ignore[arg-type]
        event_id=event_id,
        event_type=type,
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )


def appointment_data(appointment: Appointment) -> dict[str, Any]:
    """What an appointment event carries (ids as strings, times in ISO 8601 UTC)."""
    return {
        "appointment": {
            "id": str(appointment.id),
            "status": str(appointment.status),
            "start": appointment.start.isoformat(),
            "end": appointment.end.isoformat(),
            "client_id": str(appointment.client_id),
            "service_id": str(appointment.service_id),
            "slot_id": str(appointment.slot_id),
            "insurance_id": None
            if appointment.insurance_id is None
            else str(appointment.insurance_id),
            "cancel_reason": appointment.cancel_reason,
        }
    }


def client_data(client: Client) -> dict[str, Any]:
    """What a client event carries: the id and name (fetch the rest through the API)."""
    return {"client": {"id": str(client.id), "name": client.name}}
