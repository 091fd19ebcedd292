"""What happens to a message after it is sent: delivery statuses, and retries of failures."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.messaging.channels.base import (
    PERMANENT_CODES,
    RETRYABLE_CODES,
    OutboundRequest,
    SendError,
    StatusUpdate,
    Transport,
)
from bot.messaging.outbound import NotSent, check_allowed, transmit, with_error
from models import Appointment, Conversation, Direction, Message

log = logging.getLogger(__name__)

RETRY_WITHIN = timedelta(hours=6)  # an older failure is news nobody needs any more

RETRY_BACKOFF = timedelta(minutes=1)  # doubled after every attempt

FAILED_STATUSES = ("failed", "undelivered")
# Later statuses never go back to earlier ones: callbacks may arrive out of order.
STATUS_RANK = {
    "accepted": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "failed": 6,
    "undelivered": 6,
}


def retry_failed(
    session: Session, *, transport: Transport, clock: Clock, max_attempts: int = 3
) -> int:
    """Send again the recent failed messages that may still succeed; how many went out."""
    failed = session.exec(
        select(Message)
        .where(
            Message.direction == Direction.outbound,
            Message.status == "failed",
            Message.provider == transport.name,
            Message.created_at >= clock.now() - RETRY_WITHIN,
        )
        .order_by(col(Message.id))
    ).all()
    session.commit()  # end the read: on SQLite every transaction holds the write lock
    return sum(
        _retry(session, message, transport, clock)
        for message in failed
        if is_retryable(message) and _due_for_retry(message, clock.now(), max_attempts)
    )


def _due_for_retry(message: Message, now: datetime, max_attempts: int) -> bool:
    """Attempts left, and the back-off since the last one has passed."""
    attempts = message.payload.get("attempts", 1)
    waited = now - message.updated_at
    return attempts < max_attempts and waited >= RETRY_BACKOFF * 2 ** (attempts - 1)


def is_retryable(message: Message) -> bool:
    """Whether a failed message may succeed on another try."""
    if message.error_code in PERMANENT_CODES or "abandoned" in message.payload:
        return False
    if "from" not in message.payload:
        return False  # not stored by send(): nothing to send it again with
    flagged = message.payload.get("retryable")
    return flagged if flagged is not None else message.error_code in RETRYABLE_CODES


def _retry(session: Session, message: Message, transport: Transport, clock: Clock) -> bool:
    """Claim one failed message (a guarded update) and send it again; True when it went out."""
    conversation = session.get(Conversation, message.conversation_id, populate_existing=True)
    try:
        _check_retry(session, message, conversation, clock.now())
    except NotSent as refusal:
        _abandon(session, message, refusal.reason)
        return False
    attempts = message.payload.get("attempts", 1) + 1
    claimed = session.execute(
        update(Message)
        .where(col(Message.id) == message.id, col(Message.status) == "failed")
        .values(status="sending", payload=message.payload | {"attempts": attempts})
    )
    session.commit()
    if claimed.rowcount != 1:
        return False  # another worker is retrying it
    message.status, message.payload = "sending", message.payload | {"attempts": attempts}
    try:
        transmit(session, message, _request_of(message, conversation), transport, clock)
    except SendError:
        return False
    return True


def _check_retry(
    session: Session, message: Message, conversation: Conversation | None, now: datetime
) -> None:
    """Raise NotSent when sending this message again would be wrong by now."""
    if conversation is None:
        raise NotSent("no_conversation")
    check_allowed(
        conversation,
        now,
        template=message.kind == "template",
        proactive=message.payload.get("proactive", True),
    )
    if message.appointment_id is not None:
        appointment = session.get(Appointment, message.appointment_id, populate_existing=True)
        if appointment is None or appointment.start <= now:
            raise NotSent("appointment_passed")


def _abandon(session: Session, message: Message, reason: str) -> None:
    """Stop retrying a failed message, saying why."""
    message.payload = message.payload | {"abandoned": reason}
    session.commit()
    log.info("message %s will not be retried: %s", message.id, reason)


def _request_of(message: Message, conversation: Conversation | None) -> OutboundRequest:
    """The request a stored message was sent with."""
    assert conversation is not None
    template = message.kind == "template"
    return OutboundRequest(
        from_address=message.payload["from"],
        to_address=conversation.address,
        body=None if template else message.body,
        content_sid=message.payload.get("content_sid") if template else None,
        content_variables=message.payload.get("content_variables") if template else None,
    )


def record_status(session: Session, update: StatusUpdate, *, clock: Clock) -> None:
    """Keep a provider's delivery status on our outbound Message (never going back a step)."""
    message = session.exec(
        select(Message)
        .where(
            Message.provider == update.provider,
            Message.provider_id == update.message_id,
            Message.direction == Direction.outbound,
        )
        .with_for_update()
    ).first()
    if message is None:
        log.info("status %s for unknown message %s", update.status, update.message_id)
        session.rollback()
        return
    if STATUS_RANK.get(update.status, 0) >= STATUS_RANK.get(message.status or "", -1):
        message.status = update.status
        message.error_code = update.error_code
        message.payload = with_error(message.payload, update.error_message)
        message.updated_at = clock.now()
        if update.status in FAILED_STATUSES:
            log.warning(
                "message %s %s: %s (code %s)",
                message.id,
                update.status,
                update.error_message or "no reason given",
                update.error_code,
            )
    session.commit()
