"""Consent to proactive messages (reminders, waiting-list offers): PARAR stops them, ATIVAR
restarts them. The conversation keeps the current answer; every change is kept as a row.

Callers own the transaction: nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import ConsentChange, Conversation


def record(
    session: Session,
    *,
    conversation: Conversation,
    opted_in: bool,
    now: datetime,
    source: str = "whatsapp",
) -> ConsentChange:
    """Store an opt-in or opt-out: on the conversation, and as a change with its time."""
    conversation.opted_out_at = None if opted_in else now
    session.add(conversation)
    change = ConsentChange(
        clinic_id=conversation.clinic_id,
        conversation_id=conversation.id,
        at=now,
        opted_in=opted_in,
        source=source,
    )
    session.add(change)
    return change


def opt_out(session: Session, *, conversation: Conversation, now: datetime) -> ConsentChange:
    """The patient asked for no more proactive messages."""
    return record(session, conversation=conversation, opted_in=False, now=now)


def opt_in(session: Session, *, conversation: Conversation, now: datetime) -> ConsentChange:
    """The patient asked for proactive messages again."""
    return record(session, conversation=conversation, opted_in=True, now=now)


def accepts_messages(conversation: Conversation) -> bool:
    """The current consent: may the clinic write to this patient first?"""
    return conversation.opted_out_at is None


def changes(session: Session, *, conversation_id: int) -> list[ConsentChange]:
    """Every opt-in and opt-out of a conversation, oldest first."""
    return list(
        session.exec(
            select(ConsentChange)
            .where(ConsentChange.conversation_id == conversation_id)
            .order_by(col(ConsentChange.at), col(ConsentChange.id))
        )
    )
