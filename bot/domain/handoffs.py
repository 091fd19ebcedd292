"""Conversations handed to a person: which are waiting, and giving one back to the bot.

A handoff is a flag (`Conversation.handoff_at`), not a state: the machine's state is left where
it was, so giving the conversation back resumes it there. The conversation's turn sets the flag
(the patient asked for a person); staff clear it here, or the engine does after
`handoff_idle_minutes` without a word from staff.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from models import Conversation


class Release(StrEnum):
    released = "released"
    already_with_the_bot = "already_with_the_bot"
    not_found = "not_found"


def waiting(session: Session, *, clinic_id: int | None = None) -> list[Conversation]:
    """Conversations a person owns, the longest waiting first (one clinic's, or every clinic's)."""
    query = select(Conversation).where(col(Conversation.handoff_at).is_not(None))
    if clinic_id is not None:
        query = query.where(Conversation.clinic_id == clinic_id)
    return list(session.exec(query.order_by(col(Conversation.handoff_at), col(Conversation.id))))


def release(
    session: Session, *, conversation_id: int, now: datetime, clinic_id: int | None = None
) -> Release:
    """Give a conversation back to the bot in the state where it was; the caller commits."""
    query = select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    if clinic_id is not None:
        query = query.where(Conversation.clinic_id == clinic_id)
    conversation = session.exec(query).first()
    if conversation is None:
        return Release.not_found
    if conversation.handoff_at is None:
        return Release.already_with_the_bot
    conversation.handoff_at = None
    conversation.updated_at = now
    return Release.released
