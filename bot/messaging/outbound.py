"""Messages the bot starts: one interface, two transports, and WhatsApp's rules for sending."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.brazil.phones import mask
from bot.core.clock import Clock
from bot.core.config import OUTBOUND_TRANSPORTS, ConfigError
from bot.messaging.channels.base import (
    OutboundRequest,
    OutboxTransport,
    SendError,
    Transport,
)
from bot.messaging.channels.twilio import TwilioTransport
from models import ClinicNumber, Conversation, Direction, Message

log = logging.getLogger(__name__)

EXTENSION = "agendai.transport"
STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window after the patient's last message
OUTSIDE_WINDOW = (
    "free text outside the 24-hour window; configure reminder_content_sid or "
    "waitlist_content_sid (an approved WhatsApp template) to write first"
)


class NotSent(Exception):
    """Refused before anything was stored or sent; `reason` is a stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class OutsideWindow(NotSent):
    """Free text to a patient who has not written in 24 hours: only a template may go."""

    def __init__(self) -> None:
        super().__init__("outside_window", OUTSIDE_WINDOW)


def transport_for(config: Mapping[str, Any]) -> Transport:
    """The transport OUTBOUND_TRANSPORT names; ConfigError naming what is missing."""
    name = config.get("OUTBOUND_TRANSPORT") or "outbox"
    if name not in OUTBOUND_TRANSPORTS:
        raise ConfigError(f"OUTBOUND_TRANSPORT must be one of {', '.join(OUTBOUND_TRANSPORTS)}")
    if name == "outbox":
        return OutboxTransport()
    needed = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")
    missing = [variable for variable in needed if not config.get(variable)]
    if missing:
        raise ConfigError(f"OUTBOUND_TRANSPORT=twilio needs {', '.join(missing)}")
    return TwilioTransport(
        account_sid=config["TWILIO_ACCOUNT_SID"],
        auth_token=config["TWILIO_AUTH_TOKEN"],
        status_callback_url=config["PUBLIC_BASE_URL"].rstrip("/") + STATUS_CALLBACK_PATH,
    )


def get_transport(app: Any) -> Transport:
    """The Flask app's transport, built from its config on first use and kept in app.extensions."""
    transport = app.extensions.get(EXTENSION)
    if transport is None:
        transport = app.extensions[EXTENSION] = transport_for(app.config)
    return transport


def send(
    session: Session,
    *,
    conversation: Conversation,
    transport: Transport,
    clock: Clock,
    text: str | None = None,
    template: tuple[str, dict[str, str]] | None = None,
    appointment_id: int | None = None,
    proactive: bool = True,
) -> Message:
    """Send text or a template to the conversation's address and keep it as an outbound Message.

    Commits twice: the Message ("sending") before the provider is called, so a crash in between
    leaves a trace, then the outcome. Raises NotSent (nothing stored) or SendError (stored failed).
    """
    if (text is None) == (template is None):
        raise ValueError("send() needs exactly one of text or template")
    check_allowed(conversation, clock.now(), template=template is not None, proactive=proactive)
    sid, variables = template or (None, None)
    request = OutboundRequest(
        from_address=sender_address(session, conversation),
        to_address=conversation.address,
        body=text,
        content_sid=sid,
        content_variables=variables,
    )
    message = _record_attempt(
        session, conversation, request, transport.name, clock, appointment_id, proactive
    )
    return transmit(session, message, request, transport, clock)


def check_allowed(
    conversation: Conversation, now: datetime, *, template: bool, proactive: bool
) -> None:
    """Raise NotSent when the operator, the patient's consent or WhatsApp's window forbid it."""
    if conversation.handoff_at is not None:
        raise NotSent("handoff", "an operator owns the conversation: the bot sends nothing")
    if proactive and conversation.opted_out_at is not None:
        raise NotSent("opted_out", "the patient opted out of proactive messages")
    if not template and not in_window(conversation, now):
        raise OutsideWindow()


def in_window(conversation: Conversation, now: datetime) -> bool:
    """True within 24 h of the patient's last message, while WhatsApp allows free text."""
    last = conversation.last_inbound_at
    return last is not None and now - last < WINDOW


def sender_address(session: Session, conversation: Conversation) -> str:
    """The clinic's number the patient wrote to, or its first one ("whatsapp:+14155238886")."""
    if conversation.clinic_address:
        return conversation.clinic_address
    number = session.exec(
        select(ClinicNumber.number)
        .where(ClinicNumber.clinic_id == conversation.clinic_id)
        .order_by(col(ClinicNumber.id))
    ).first()
    if number is None:
        raise NotSent("no_sender", "the clinic has no WhatsApp number to send from")
    channel = conversation.address.partition(":")[0] if ":" in conversation.address else ""
    return f"{channel}:+{number}" if channel else f"+{number}"


def _record_attempt(
    session: Session,
    conversation: Conversation,
    request: OutboundRequest,
    provider: str,
    clock: Clock,
    appointment_id: int | None,
    proactive: bool,
) -> Message:
    """The outbound Message, status "sending", committed before anything leaves."""
    now = clock.now()
    payload: dict[str, Any] = {"attempts": 1, "from": request.from_address, "proactive": proactive}
    if request.content_sid:
        payload["content_sid"] = request.content_sid
        payload["content_variables"] = request.content_variables or {}
    message = Message(
        clinic_id=conversation.clinic_id,
        conversation_id=conversation.id,
        direction=Direction.outbound,
        provider=provider,
        appointment_id=appointment_id,
        kind="template" if request.content_sid else "text",
        body=request.body if request.body is not None else _template_body(request),
        payload=payload,
        status="sending",
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.commit()
    return message


def _template_body(request: OutboundRequest) -> str:
    """A readable trace of a template message: its SID and variables."""
    variables = request.content_variables or {}
    values = " · ".join(f"{{{{{key}}}}}={value}" for key, value in sorted(variables.items()))
    return f"[template {request.content_sid}] {values}".strip()


def transmit(
    session: Session,
    message: Message,
    request: OutboundRequest,
    transport: Transport,
    clock: Clock,
) -> Message:
    """Call the transport for a committed "sending" Message and record what happened."""
    try:
        result = transport.send(request)
    except SendError as error:
        _record_failure(session, message, error, request, clock)
        raise
    except Exception as error:
        failure = SendError(type(error).__name__, code="internal")
        _record_failure(session, message, failure, request, clock)
        raise
    message.provider_id = result.provider_id
    message.status = result.status
    message.error_code = None
    message.payload = with_error(
        {key: value for key, value in message.payload.items() if key != "retryable"}, None
    )
    message.updated_at = clock.now()
    session.commit()
    log.info(
        "message %s to %s via %s: %s", message.id, mask(request.to_address), transport.name, result
    )
    return message


def _record_failure(
    session: Session, message: Message, error: SendError, request: OutboundRequest, clock: Clock
) -> None:
    """Keep the failed attempt with its error code and whether it may be retried."""
    message.status = "failed"
    message.error_code = error.code
    message.payload = with_error(message.payload | {"retryable": error.retryable}, str(error))
    message.updated_at = clock.now()
    session.commit()
    error.message_id = message.id
    log.warning(
        "message %s to %s failed: %s (code %s, retryable %s)",
        message.id,
        mask(request.to_address),
        error,
        error.code,
        error.retryable,
    )


def with_error(payload: dict[str, Any], error: str | None) -> dict[str, Any]:
    """The payload with why the message failed, for staff to read; None clears it."""
    rest = {key: value for key, value in payload.items() if key != "error"}
    return rest | {"error": error} if error else rest
