"""bot.messaging.outbound: choosing the transport, WhatsApp's rules, what a send stores.

Twilio itself is replaced at the only seam twilio-python offers (support.FakeTwilioHttp); the
transport's own tests are in channels/test_twilio.py, delivery statuses and retries in
test_statuses.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, select
from support import FakeTwilioHttp, FixedClock, ScriptedTransport, created, twilio, twilio_error

from bot.core.config import ConfigError, from_environment
from bot.messaging import outbound
from bot.messaging.channels.base import OutboundRequest, OutboxTransport, SendError, SendResult
from bot.messaging.channels.twilio import TwilioTransport
from bot.messaging.outbound import NotSent, OutsideWindow, get_transport, send, transport_for
from models import Client, Conversation, Direction, Message, new_session

ACCOUNT = "ACtest"
TOKEN = "test-auth-token"
CALLBACK = "https://bot.example.com/webhooks/twilio/status"
MARIA = "whatsapp:+5511987654321"
SANDBOX = "whatsapp:+14155238886"
TEMPLATE = "HX" + "0" * 31 + "1"


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session like the workers' own (commits are the code's business)."""
    with new_session(app.extensions["agendai.engine"]) as session:
        yield session


@pytest.fixture
def maria(db: Session, clock: FixedClock) -> Conversation:
    """Maria's conversation; she wrote an hour ago (inside the 24-hour window)."""
    return maria_wrote_an_hour_ago(db, clock)


def maria_wrote_an_hour_ago(db: Session, clock: FixedClock) -> Conversation:
    """Store Maria's conversation, her last message an hour before the clock's now."""
    client = db.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    now = clock.now()
    conversation = Conversation(
        clinic_id=client.clinic_id,
        address=MARIA,
        client_id=client.id,
        context={},
        last_inbound_at=now - timedelta(hours=1),
        created_at=now,
        updated_at=now,
    )
    db.add(conversation)
    db.commit()
    return conversation


def outbound_rows(db: Session) -> list[Message]:
    db.expire_all()
    rows = list(
        db.exec(
            select(Message).where(Message.direction == Direction.outbound).order_by(col(Message.id))
        )
    )
    db.commit()
    return rows


# -- choosing the transport ---------------------------------------------------------------------


def test_outbox_is_the_default_and_sends_nothing() -> None:
    transport = transport_for({})
    assert isinstance(transport, OutboxTransport)
    result = transport.send(OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="x"))
    assert re.fullmatch(r"outbox-[0-9a-f]{32}", result.provider_id)
    assert result.status == "queued"


@pytest.mark.parametrize("missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"])
def test_twilio_transport_names_the_missing_setting(missing: str) -> None:
    config = {
        "OUTBOUND_TRANSPORT": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": "https://bot.example.com",
    }
    config[missing] = ""
    with pytest.raises(ConfigError, match=missing):
        transport_for(config)


def test_twilio_transport_calls_back_on_the_public_status_url() -> None:
    transport = transport_for(
        {
            "OUTBOUND_TRANSPORT": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": "https://bot.example.com/",
        }
    )
    assert isinstance(transport, TwilioTransport)
    assert transport.status_callback_url == CALLBACK


def test_a_misspelt_transport_is_refused_at_startup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("OUTBOUND_TRANSPORT", "twillio")
    with pytest.raises(ConfigError, match="OUTBOUND_TRANSPORT"):
        from_environment(str(tmp_path))
    monkeypatch.setenv("OUTBOUND_TRANSPORT", "Twilio")
    assert from_environment(str(tmp_path))["OUTBOUND_TRANSPORT"] == "twilio"


def test_the_app_builds_its_transport_once(app: Flask) -> None:
    app.config["OUTBOUND_TRANSPORT"] = "outbox"
    first = get_transport(app)
    assert isinstance(first, OutboxTransport)
    assert get_transport(app) is first
    assert app.extensions["agendai.transport"] is first


# -- send(): what is stored, what is refused ----------------------------------------------------


def test_text_inside_the_window_is_stored_as_the_outbound_message(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    message = send(db, conversation=maria, transport=OutboxTransport(), clock=clock, text="Olá!")

    [stored] = outbound_rows(db)
    assert stored.id == message.id
    assert stored.provider == "outbox" and stored.provider_id.startswith("outbox-")
    assert stored.status == "queued"
    assert stored.body == "Olá!"
    assert stored.conversation_id == maria.id and stored.clinic_id == maria.clinic_id
    assert stored.reply_to_id is None and stored.appointment_id is None
    assert stored.payload["attempts"] == 1
    assert stored.payload["from"] == SANDBOX


@pytest.mark.parametrize("last_wrote", [timedelta(hours=24), timedelta(days=3), None])
def test_free_text_outside_the_window_is_refused_and_nothing_is_stored(
    db: Session, maria: Conversation, clock: FixedClock, last_wrote: timedelta | None
) -> None:
    maria.last_inbound_at = None if last_wrote is None else clock.now() - last_wrote
    db.commit()
    transport = ScriptedTransport()

    with pytest.raises(OutsideWindow) as refused:
        send(db, conversation=maria, transport=transport, clock=clock, text="Olá!")

    assert refused.value.reason == "outside_window"
    assert "reminder_content_sid" in str(refused.value)
    assert transport.sent == []
    assert outbound_rows(db) == []


def test_a_template_may_go_outside_the_window(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    maria.last_inbound_at = clock.now() - timedelta(days=3)
    db.commit()
    variables = {"1": "Maria", "2": "sex, 12/12 às 10:00", "3": "Paulista"}

    send(
        db,
        conversation=maria,
        transport=OutboxTransport(),
        clock=clock,
        template=(TEMPLATE, variables),
    )

    [stored] = outbound_rows(db)
    assert stored.kind == "template"
    assert stored.payload["content_sid"] == TEMPLATE
    assert stored.payload["content_variables"] == variables
    assert "Maria" in stored.body and "sex, 12/12 às 10:00" in stored.body


@pytest.mark.parametrize("proactive", [True, False])
def test_nothing_is_sent_while_an_operator_owns_the_conversation(
    db: Session, maria: Conversation, clock: FixedClock, proactive: bool
) -> None:
    maria.handoff_at = clock.now()
    db.commit()
    transport = ScriptedTransport()

    with pytest.raises(NotSent) as refused:
        send(
            db,
            conversation=maria,
            transport=transport,
            clock=clock,
            template=(TEMPLATE, {"1": "Maria"}),
            proactive=proactive,
        )

    assert refused.value.reason == "handoff"
    assert transport.sent == [] and outbound_rows(db) == []


def test_an_opted_out_patient_gets_no_proactive_message_but_still_an_answer(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    maria.opted_out_at = clock.now()
    db.commit()

    with pytest.raises(NotSent) as refused:
        send(db, conversation=maria, transport=OutboxTransport(), clock=clock, text="Lembrete")
    assert refused.value.reason == "opted_out"
    assert outbound_rows(db) == []

    send(
        db,
        conversation=maria,
        transport=OutboxTransport(),
        clock=clock,
        text="Resposta",
        proactive=False,
    )
    assert [m.body for m in outbound_rows(db)] == ["Resposta"]


def test_the_message_is_committed_as_sending_before_the_transport_is_called(
    app: Flask, db: Session, maria: Conversation, clock: FixedClock
) -> None:
    seen: list[str | None] = []

    class Peeking:
        """Looks at the database from another session while the send is in flight."""

        name = "peeking"

        def send(self, request: OutboundRequest) -> SendResult:
            with new_session(app.extensions["agendai.engine"]) as other:
                seen.extend(other.exec(select(Message.status)).all())
            return SendResult(provider_id="p-1", status="queued")

    send(db, conversation=maria, transport=Peeking(), clock=clock, text="Olá!")

    assert seen == ["sending"]
    assert [m.status for m in outbound_rows(db)] == ["queued"]


def test_a_refused_send_is_stored_failed_with_its_code_and_raised(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    http = FakeTwilioHttp(twilio_error(63016, 400, "outside the allowed window"))

    with pytest.raises(SendError) as raised:
        send(
            db,
            conversation=maria,
            transport=twilio(http),
            clock=clock,
            text="Olá!",
            appointment_id=1,
        )

    [stored] = outbound_rows(db)
    assert raised.value.message_id == stored.id
    assert (stored.status, stored.error_code, stored.provider) == ("failed", "63016", "twilio")
    assert stored.appointment_id == 1
    assert stored.payload["retryable"] is False
    assert "outside the allowed window" in stored.payload["error"]  # why, for staff to read


def test_no_log_line_carries_a_full_phone_number(
    db: Session, maria: Conversation, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    http = FakeTwilioHttp(
        (201, created("SM1")),
        twilio_error(21211, 400, "The 'To' number whatsapp:+5511987654321 is not valid"),
    )
    send(db, conversation=maria, transport=twilio(http), clock=clock, text="Olá!")
    with pytest.raises(SendError):
        send(db, conversation=maria, transport=twilio(http), clock=clock, text="Olá!")

    assert caplog.records
    assert all("987654321" not in record.getMessage() for record in caplog.records)


def test_proactive_messages_go_out_from_the_number_the_patient_wrote_to(patient, session) -> None:
    from models import Clinic, ClinicNumber

    clinic = session.exec(select(Clinic)).one()
    session.add(ClinicNumber(clinic_id=clinic.id, number="551140040000"))
    session.commit()
    patient("+5511987654321").says("oi", To="whatsapp:+551140040000")
    conversation = session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:+5511987654321")
    ).one()
    assert outbound.sender_address(session, conversation) == "whatsapp:+551140040000"
