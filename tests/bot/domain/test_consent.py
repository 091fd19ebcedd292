"""bot.domain.consent: an opt-out or opt-in is the conversation's current answer and a row kept
with its time; the current answer is what `accepts_messages` reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from conftest import NOW
from flask import Flask
from sqlmodel import Session, select

from bot.domain import consent
from models import Clinic, ConsentChange, Conversation


@pytest.fixture
def app(make_app: Callable[[str], Flask], any_database_url: str) -> Flask:
    """The app on a copy of the demo database: a SQLite file, then PostgreSQL."""
    return make_app(any_database_url)


@pytest.fixture
def conversation(session: Session) -> Conversation:
    clinic = session.exec(select(Clinic)).first()
    row = Conversation(
        clinic_id=clinic.id,
        address="whatsapp:+5511900000001",
        context={},
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def test_a_new_conversation_accepts_messages(conversation):
    assert consent.accepts_messages(conversation) is True


def test_an_opt_out_is_kept_on_the_conversation_and_as_a_change(session, conversation):
    change = consent.opt_out(session, conversation=conversation, now=NOW)
    session.commit()
    session.expire_all()
    stored = session.get(Conversation, conversation.id)
    assert stored.opted_out_at == NOW
    assert consent.accepts_messages(stored) is False
    [kept] = session.exec(select(ConsentChange)).all()
    assert kept.id == change.id
    assert (kept.clinic_id, kept.conversation_id) == (stored.clinic_id, stored.id)
    assert (kept.opted_in, kept.at, kept.source) == (False, NOW, "whatsapp")


def test_opting_back_in_clears_the_opt_out_and_keeps_both_changes(session, conversation):
    later = NOW + timedelta(days=1)
    consent.opt_out(session, conversation=conversation, now=NOW)
    consent.opt_in(session, conversation=conversation, now=later)
    session.commit()
    session.expire_all()
    stored = session.get(Conversation, conversation.id)
    assert stored.opted_out_at is None
    assert consent.accepts_messages(stored) is True
    history = consent.changes(session, conversation_id=conversation.id)
    assert [(c.opted_in, c.at) for c in history] == [(False, NOW), (True, later)]


def test_a_change_made_elsewhere_says_where(session, conversation):
    consent.record(session, conversation=conversation, opted_in=False, now=NOW, source="console")
    session.commit()
    assert [c.source for c in consent.changes(session, conversation_id=conversation.id)] == [
        "console"
    ]


def test_changes_are_those_of_one_conversation(session, conversation):
    other = Conversation(
        clinic_id=conversation.clinic_id,
        address="whatsapp:+5511900000002",
        context={},
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(other)
    session.commit()
    consent.opt_out(session, conversation=other, now=NOW)
    session.commit()
    assert consent.changes(session, conversation_id=conversation.id) == []
    assert consent.accepts_messages(session.get(Conversation, conversation.id)) is True
