"""Webhook endpoints: the clinic's URLs that receive our events, and each one's delivery log."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session, col, func, select

from bot.api import audit, auth, formats
from bot.api.common import (
    IdPath,
    api_blueprint,
    ident,
    iso,
    one,
    page_meta,
    parse_id,
)
from bot.api.errors import ApiError, ErrorBody, not_found
from bot.api.idempotency import IdempotencyHeader
from bot.api.webhooks.schemas import (
    DeliveryEnvelope,
    DeliveryList,
    DeliveryOut,
    DeliveryQuery,
    WebhookCreate,
    WebhookCreated,
    WebhookCreatedEnvelope,
    WebhookEnvelope,
    WebhookList,
    WebhookOut,
    WebhookPatch,
    WebhookQuery,
)
from bot.domain import events
from bot.web.db import clock, db
from models import WebhookDelivery, WebhookEndpoint

api = api_blueprint(
    "api_webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    tag="Event webhooks",
    description="URLs of the clinic's systems that receive appointment and client events, "
    "signed with HMAC-SHA256 (header X-Agendai-Signature: t=<unix>,v1=<hex>).",
)

MAX_ACTIVE = 20  # per clinic: every event is sent to each of them


def public(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as integrators see it (never its secret)."""
    return WebhookOut(
        id=str(endpoint.id),
        url=endpoint.url,
        events=list(endpoint.events),
        active=endpoint.active,
        created_at=iso(endpoint.created_at) or "",
    ).model_dump()


def delivery_public(delivery: WebhookDelivery) -> dict[str, Any]:
    """One line of the delivery log."""
    return DeliveryOut(
        id=str(delivery.id),
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,  # type: ignore[arg-type]
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        created_at=iso(delivery.created_at) or "",
        next_attempt_at=iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        delivered_at=iso(delivery.delivered_at),
    ).model_dump()


def _endpoint(session: Session, raw_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, parse_id(raw_id, "webhook"))
    if endpoint is None or endpoint.clinic_id != auth.clinic_id():
        raise not_found("webhook")
    return endpoint


def _room_for_one_more(session: Session, clinic_id: int) -> None:
    active = session.exec(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.clinic_id == clinic_id, WebhookEndpoint.active == True)  # noqa: E712
    ).one()
    if active >= MAX_ACTIVE:
        raise ApiError(
            "CONFLICT",
            details=[
                {
                    "code": "too_many_webhooks",
                    "message": f"a clinic may have {MAX_ACTIVE} active webhooks; "
                    "deactivate one first",
                }
            ],
        )


def _unique(types: list[str]) -> list[str]:
    return list(dict.fromkeys(types))


@api.post("", responses={201: WebhookCreatedEnvelope, 409: ErrorBody})
def create_webhook(body: WebhookCreate, header: IdempotencyHeader):
    """Register a URL; the answer carries its signing secret (`whsec_…`), shown only here."""
    session, clinic_id = db(), auth.clinic_id()
    if body.active:
        _room_for_one_more(session, clinic_id)
    endpoint = WebhookEndpoint(
        clinic_id=clinic_id,
        url=body.url,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        events=_unique(body.events),
        active=body.active,
        created_at=clock().now(),
    )
    session.add(endpoint)
    session.flush()
    audit.commit_change(
        session,
        action="webhook.create",
        resource="webhook",
        resource_id=endpoint.id or 0,
        after=public(endpoint),
    )
    return one(WebhookCreated(**public(endpoint), secret=endpoint.secret).model_dump(), 201)


@api.get("", responses={200: WebhookList})
def list_webhooks(query: WebhookQuery):
    """The clinic's webhook endpoints, oldest first."""
    session = db()
    where = [WebhookEndpoint.clinic_id == auth.clinic_id()]
    if query.active is not None:
        where.append(WebhookEndpoint.active == query.active)
    total = session.exec(select(func.count()).select_from(WebhookEndpoint).where(*where)).one()
    rows = session.exec(
        select(WebhookEndpoint)
        .where(*where)
        .order_by(col(WebhookEndpoint.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing([public(r) for r in rows], meta=page_meta(query, total), name="webhook")


@api.get("/<id>", responses={200: WebhookEnvelope})
def get_webhook(path: IdPath):
    """One webhook endpoint."""
    return one(public(_endpoint(db(), path.id)))


@api.patch("/<id>", responses={200: WebhookEnvelope, 409: ErrorBody})
def update_webhook(path: IdPath, body: WebhookPatch):
    """Change the URL, the event types or whether it is active."""
    session = db()
    endpoint = _endpoint(session, path.id)
    before = public(endpoint)
    if body.active and not endpoint.active:
        _room_for_one_more(session, endpoint.clinic_id)
    if body.url is not None:
        endpoint.url = body.url
    if body.events is not None:
        endpoint.events = _unique(body.events)
    if body.active is not None:
        endpoint.active = body.active
    session.add(endpoint)
    audit.commit_change(
        session,
        action="webhook.update",
        resource="webhook",
        resource_id=endpoint.id or 0,
        before=before,
        after=public(endpoint),
    )
    return one(public(endpoint))


@api.delete("/<id>", responses={200: WebhookEnvelope})
def delete_webhook(path: IdPath):
    """Deactivate: no more events are sent to it; it and its delivery log are kept."""
    session = db()
    endpoint = _endpoint(session, path.id)
    before = public(endpoint)
    endpoint.active = False
    session.add(endpoint)
    audit.commit_change(
        session,
        action="webhook.delete",
        resource="webhook",
        resource_id=endpoint.id or 0,
        before=before,
        after=public(endpoint),
    )
    return one(public(endpoint))


@api.get("/<id>/deliveries", responses={200: DeliveryList})
def list_deliveries(path: IdPath, query: DeliveryQuery):
    """The delivery log of one endpoint, newest first: status, attempts, last answer."""
    session = db()
    endpoint = _endpoint(session, path.id)
    where = [WebhookDelivery.endpoint_id == endpoint.id]
    if query.status:
        where.append(WebhookDelivery.status == query.status)
    if query.event_type:
        where.append(WebhookDelivery.event_type == query.event_type)
    total = session.exec(select(func.count()).select_from(WebhookDelivery).where(*where)).one()
    rows = session.exec(
        select(WebhookDelivery)
        .where(*where)
        .order_by(col(WebhookDelivery.id).desc())
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing(
        [delivery_public(r) for r in rows], meta=page_meta(query, total), name="delivery"
    )


@api.post("/<id>/test", responses={202: DeliveryEnvelope, 409: ErrorBody})
def test_webhook(path: IdPath, header: IdempotencyHeader):
    """Queue a `webhook.test` event for this endpoint; follow it in its delivery log."""
    session = db()
    endpoint = _endpoint(session, path.id)
    if not endpoint.active:
        raise ApiError(
            "CONFLICT",
            details=[{"code": "webhook_inactive", "message": "activate the webhook first"}],
        )
    delivery = events.queue_test(session, endpoint=endpoint, now=clock().now())
    session.flush()
    audit.commit_change(
        session,
        action="webhook.test",
        resource="webhook",
        resource_id=endpoint.id or 0,
        after={"event_id": delivery.event_id, "delivery_id": ident(delivery.id)},
    )
    return one(delivery_public(delivery), 202)
