"""flows.engine.handle(): called directly with Inbound messages, on a real database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import SANDBOX
from flask import Flask
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select
from support import FixedClock

from bot.messaging.channels.base import Inbound
from flows.engine import handle
from models import Client, Conversation, Direction, Message, new_session

NOBODY = "whatsapp:+15555550100"  # a number no clinic answers on
PATIENT = "whatsapp:+5582912345678"


@pytest.fixture
def engine(app: Flask) -> Engine:
    return app.extensions["agendai.engine"]


@pytest.fixture
def say(engine: Engine, clock: FixedClock) -> Callable[..., list[str]]:
    """say(body, sid=..., sender=..., to=...): one turn in its own session; the replies."""
    return turn_on(engine, clock)


def turn_on(engine: Engine, clock: FixedClock) -> Callable[..., list[str]]:
    def say(
        body: str | None, *, sid: str, sender: str = PATIENT, to: str = SANDBOX, **extra: Any
    ) -> list[str]:
        inbound = Inbound(
            provider="twilio",
            message_id=sid,
            from_address=sender,
            to_address=to,
            body=body,
            **extra,
        )
        with new_session(engine) as session:
            replies = handle(inbound, session=session, clock=clock)
            # One transaction per turn: handle() leaves nothing open (on SQLite an open
            # transaction would hold the database's write lock).
            assert not session.in_transaction()
        return [reply.render() for reply in replies]

    return say


def rows(engine: Engine, query: Any) -> list[Any]:
    """What is committed, read from a separate session."""
    with new_session(engine) as session:
        return list(session.exec(query).all())


def count(engine: Engine, model: type, *where: Any) -> int:
    return rows(engine, select(func.count()).select_from(model).where(*where))[0]


def inbound(engine: Engine, sid: str) -> list[Message]:
    return rows(
        engine,
        select(Message).where(Message.provider_id == sid, Message.direction == Direction.inbound),
    )


def conversation(engine: Engine, address: str = PATIENT) -> Conversation:
    [found] = rows(engine, select(Conversation).where(Conversation.address == address))
    return found


def update_conversation(engine: Engine, address: str = PATIENT, **values: Any) -> None:
    with new_session(engine) as session:
        found = session.exec(select(Conversation).where(Conversation.address == address)).one()
        for name, value in values.items():
            setattr(found, name, value)
        session.add(found)
        session.commit()


def client_named(engine: Engine, name: str) -> Client:
    [found] = rows(engine, select(Client).where(Client.name == name))
    return found


# -- tests --------------------------------------------------------------------------------------


def test_a_message_to_a_number_no_clinic_answers_is_stored_and_not_answered(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    assert say("oi", sid="SMnobody", to=NOBODY) == []
    [stored] = inbound(engine, "SMnobody")
    assert stored.clinic_id is None
    assert stored.conversation_id is None
    assert stored.body == "oi"
    assert count(engine, Conversation) == 0


def check_redelivery(engine: Engine, clock: FixedClock) -> None:
    say = turn_on(engine, clock)
    say("oi", sid="SMfirst")
    first = say("1", sid="SMdup")
    state = conversation(engine)
    outbound = count(engine, Message, Message.direction == Direction.outbound)

    again = say("1", sid="SMdup")

    assert first  # the original turn answered something
    assert again == first
    [original] = inbound(engine, "SMdup")
    assert count(engine, Message, Message.reply_to_id == original.id) == len(first)
    assert count(engine, Message, Message.direction == Direction.outbound) == outbound
    after = conversation(engine)
    assert after.state == state.state == "insurance"
    assert after.context == state.context


def test_a_redelivered_message_id_gets_the_same_replies_and_changes_nothing(
    make_app: Callable[[str], Flask], any_database_url: str, clock: FixedClock
) -> None:
    app = make_app(any_database_url)
    check_redelivery(app.extensions["agendai.engine"], clock)


def test_the_same_id_from_another_provider_is_another_message(
    say: Callable[..., list[str]], engine: Engine, clock: FixedClock
) -> None:
    say("oi", sid="SMshared")
    with new_session(engine) as session:
        chat = Inbound(
            provider="chat",
            message_id="SMshared",
            from_address=PATIENT,
            to_address=SANDBOX,
            body="1",
        )
        replies = handle(chat, session=session, clock=clock)
    assert replies
    assert count(engine, Message, Message.provider_id == "SMshared") == 2  # both inbound
    assert conversation(engine).state == "insurance"


def test_a_known_patient_writing_without_the_9th_digit_is_greeted_by_name(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    sender = "whatsapp:+551187654321"  # Maria is stored as 5511987654321
    replies = say("oi", sid="SMmaria", sender=sender)
    assert "Maria" in replies[0]
    found = conversation(engine, sender)
    assert found.address == sender  # the reply goes to exactly the address that wrote
    assert found.client_id == client_named(engine, "Maria Oliveira").id
    assert rows(engine, select(Conversation.address)) == [sender]


def test_a_known_patient_writing_with_the_9th_digit_is_greeted_by_name(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    sender = "whatsapp:+5582982136275"  # João is stored as 558282136275
    replies = say("oi", sid="SMjoao", sender=sender)
    assert "João" in replies[0]
    found = conversation(engine, sender)
    assert found.address == sender
    assert found.client_id == client_named(engine, "João Pereira").id


def test_an_unknown_number_is_not_greeted_as_a_known_patient(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    replies = say("oi", sid="SMstranger")
    text = "\n".join(replies)
    assert "Maria" not in text
    assert "João" not in text
    assert "Clínica Demo" in text
    assert conversation(engine).client_id is None


def test_a_conversation_with_an_operator_is_stored_but_not_answered(
    say: Callable[..., list[str]], engine: Engine, clock: FixedClock
) -> None:
    say("oi", sid="SMbefore")
    update_conversation(engine, handoff_at=clock.now())
    before = conversation(engine)

    assert say("quero agendar", sid="SMduring") == []

    [stored] = inbound(engine, "SMduring")
    assert stored.conversation_id == before.id
    assert stored.body == "quero agendar"
    assert count(engine, Message, Message.reply_to_id == stored.id) == 0
    assert conversation(engine).state == before.state


def test_a_very_long_message_gets_a_helpful_reply(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    replies = say("quero marcar uma consulta " * 200, sid="SMlong")  # 5,200 characters
    text = "\n".join(replies)
    assert replies
    assert "resumir" in text
    assert "tive um problema" not in text  # not the apology for an error
    [stored] = inbound(engine, "SMlong")
    assert stored.body.startswith("quero marcar")


def test_a_stored_state_the_machine_no_longer_has_starts_over(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    say("oi", sid="SMone")
    update_conversation(engine, state="gone")

    replies = say("oi", sid="SMtwo")

    text = "\n".join(replies)
    assert "Olá" in text
    assert "Agendar consulta" in text
    assert "tive um problema" not in text
    assert conversation(engine).state == "menu"


def test_a_turn_commits_the_message_and_its_replies_together(
    say: Callable[..., list[str]], engine: Engine
) -> None:
    replies = say("oi", sid="SMcommit")

    [stored] = inbound(engine, "SMcommit")
    answers = rows(
        engine, select(Message).where(Message.reply_to_id == stored.id).order_by(Message.id)
    )
    assert [answer.body for answer in answers] == replies
    assert all(answer.direction == Direction.outbound for answer in answers)
    assert {answer.conversation_id for answer in answers} == {stored.conversation_id}
    assert conversation(engine).last_inbound_at is not None
