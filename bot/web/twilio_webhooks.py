"""Twilio's webhooks: inbound WhatsApp messages and delivery status callbacks."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request

from bot.messaging.channels import twilio
from bot.messaging.outbound import get_transport
from bot.messaging.statuses import record_status
from bot.web.db import clock, db
from flows.engine import handle

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.before_request
def verify_twilio_signature() -> None:
    """Reject anything Twilio did not sign with the clinic account's auth token."""
    config = current_app.config
    if config["TWILIO_SKIP_SIGNATURE"]:
        return
    token = config["TWILIO_AUTH_TOKEN"]
    if not token:
        log.error("TWILIO_AUTH_TOKEN is not set: refusing Twilio webhooks (503)")
        abort(503)
    if not twilio.verify_signature(
        auth_token=token,
        url=_public_url(),
        params=request.form.to_dict(),
        signature=request.headers.get("X-Twilio-Signature"),
    ):
        log.warning("bad or missing X-Twilio-Signature on %s", request.path)
        abort(403)


def _public_url() -> str:
    """The URL Twilio called: PUBLIC_BASE_URL + path when set (a TLS proxy in front), else ours."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        return request.url
    query = request.query_string.decode()
    return base + request.path + (f"?{query}" if query else "")


@bp.post("/twilio")
def inbound() -> Response:
    """A patient's message: handle it and answer with TwiML."""
    message = twilio.parse_inbound(request.form.to_dict())
    if not message.from_address or not message.to_address:
        log.warning("Twilio webhook without From/To ignored")
        return _xml(twilio.twiml([]))
    replies = handle(message, session=db(), clock=clock(), transport=get_transport(current_app))
    return _xml(twilio.twiml(replies))


@bp.post("/twilio/status")
def status() -> tuple[str, int]:
    """A delivery status for one of our outbound messages."""
    update = twilio.parse_status(request.form.to_dict())
    if update is None:
        return "", 204
    record_status(db(), update, clock=clock())
    return "", 204


def _xml(body: str) -> Response:
    return Response(body, mimetype="application/xml")
