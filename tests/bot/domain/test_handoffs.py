"""bot.domain.handoffs: who is waiting for a person (longest first, one clinic's), and giving a
conversation back to the bot in the state where it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from conftest import NOW
from flask import Flask
from sqlmodel import Session, select

from bot.domain import handoffs
from models import Clinic, Conversation


@pytest.fixture
def app(make_app: Callable[[str], Flask], any_database_url: str) -> Flask:
    """The app on a copy of the demo database: a SQLite file, then PostgreSQL."""
    return make_app(any_database_url)


@pytest.fixture
def clinic_id(session: Session) -> int:
    return session.exec(select(Clinic.id)).first()


def conversation(session: Session, clinic_id: int, phone: str, **fields) -> Conversation:
    row = Conversation(
        clinic_id=clinic_id,
        address=f"whatsapp:+55119{phone}",
        context={},
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )
    session.add(row)
    session.commit()
    return row


def test_the_longest_waiting_comes_first_and_the_bots_own_are_left_out(session, clinic_id):
    recent = conversation(session, clinic_id, "00000001", handoff_at=NOW - timedelta(minutes=5))
    oldest = conversation(session, clinic_id, "00000002", handoff_at=NOW - timedelta(hours=2))
    conversation(session, clinic_id, "00000003")  # with the bot
    assert [c.id for c in handoffs.waiting(session)] == [oldest.id, recent.id]


def test_waiting_is_one_clinics_when_asked(session, clinic_id):
    other = Clinic(name="Outra", slug="outra")
    session.add(other)
    session.commit()
    mine = conversation(session, clinic_id, "00000004", handoff_at=NOW)
    theirs = conversation(session, other.id, "00000005", handoff_at=NOW - timedelta(hours=1))
    assert [c.id for c in handoffs.waiting(session, clinic_id=clinic_id)] == [mine.id]
    assert [c.id for c in handoffs.waiting(session, clinic_id=other.id)] == [theirs.id]
    assert {c.id for c in handoffs.waiting(session)} == {mine.id, theirs.id}


def test_release_gives_the_conversation_back_in_its_state(session, clinic_id):
    row = conversation(session, clinic_id, "00000006", state="slot", handoff_at=NOW)
    later = NOW + timedelta(minutes=30)
    outcome = handoffs.release(session, conversation_id=row.id, now=later)
    session.commit()
    session.expire_all()
    stored = session.get(Conversation, row.id)
    assert outcome is handoffs.Release.released
    assert (stored.handoff_at, stored.state, stored.updated_at) == (None, "slot", later)


def test_release_says_what_it_did_not_do(session, clinic_id):
    row = conversation(session, clinic_id, "00000007")
    assert handoffs.release(session, conversation_id=row.id, now=NOW) is (
        handoffs.Release.already_with_the_bot
    )
    assert handoffs.release(session, conversation_id=row.id + 1000, now=NOW) is (
        handoffs.Release.not_found
    )


def test_another_clinics_conversation_is_not_found(session, clinic_id):
    row = conversation(session, clinic_id, "00000008", handoff_at=NOW)
    outcome = handoffs.release(session, conversation_id=row.id, now=NOW, clinic_id=clinic_id + 99)
    session.commit()
    assert outcome is handoffs.Release.not_found
    session.expire_all()
    assert session.get(Conversation, row.id).handoff_at is not None
