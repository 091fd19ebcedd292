"""bot.messaging.statuses: delivery status callbacks on the messages we sent, and retries.

Callbacks come through the signed webhook (bot.web.twilio_webhooks) with the real bodies of
shared/fixtures/twilio/06*; Twilio's API is support.FakeTwilioHttp.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select
from support import FakeTwilioHttp, FixedClock, ScriptedTransport, created, twilio, twilio_error
from test_outbound import MARIA, maria_wrote_an_hour_ago, outbound_rows

from bot.messaging import statuses as deliveries
from bot.messaging.channels.base import SendError
from bot.messaging.outbound import send
from bot.messaging.statuses import retry_failed
from models import Clinic, Conversation, Direction, Message, new_session

STATUS_PATH = "/webhooks/twilio/status"
Form = dict[str, str]


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session like the workers' own (commits are the code's business)."""
    with new_session(app.extensions["agendai.engine"]) as session:
        yield session


@pytest.fixture
def maria(db: Session, clock: FixedClock) -> Conversation:
    """Maria's conversation; she wrote an hour ago (inside the 24-hour window)."""
    return maria_wrote_an_hour_ago(db, clock)


def fresh(session: Session, query: Any) -> list[Any]:
    """Rows as committed now; no read transaction left open (on SQLite it holds the writer lock)."""
    session.expire_all()
    rows = list(session.exec(query).all())
    session.commit()
    return rows


def count_messages(session: Session) -> int:
    return len(fresh(session, select(Message.id)))


def demo_clinic_id(session: Session) -> int:
    return fresh(session, select(Clinic.id).where(Clinic.slug == "clinica-demo"))[0]


# -- record_status(): what a callback changes ---------------------------------------------------


def outbound(session: Session, clock: FixedClock, provider_id: str, status: str = "sent") -> int:
    """Store an outbound message as the sender would have after Twilio accepted it."""
    message = Message(
        clinic_id=demo_clinic_id(session),
        direction=Direction.outbound,
        provider="twilio",
        provider_id=provider_id,
        body="Lembrete: sua consulta é amanhã.",
        status=status,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(message)
    session.commit()
    assert message.id is not None
    return message.id


def stored(session: Session, message_id: int) -> Message:
    [message] = fresh(session, select(Message).where(Message.id == message_id))
    return message


@pytest.mark.parametrize(
    ("provider_id", "fixture", "status", "error_code"),
    [
        ("SMout0001", "06a_status_callback_read.form", "read", None),
        ("SMout0002", "06b_status_callback_failed.form", "failed", "30008"),
    ],
)
def test_a_status_callback_updates_the_outbound_message(
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], Form],
    session: Session,
    clock: FixedClock,
    provider_id: str,
    fixture: str,
    status: str,
    error_code: str | None,
) -> None:
    message_id = outbound(session, clock, provider_id)
    response = post_twilio(read_form(fixture), path=STATUS_PATH)
    assert response.status_code == 204
    message = stored(session, message_id)
    assert (message.status, message.error_code) == (status, error_code)


def test_a_late_delivered_does_not_undo_read(
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], Form],
    session: Session,
    clock: FixedClock,
) -> None:
    message_id = outbound(session, clock, "SMout0001")
    read = read_form("06a_status_callback_read.form")
    assert post_twilio(read, path=STATUS_PATH).status_code == 204
    late = read | {"MessageStatus": "delivered"}
    assert post_twilio(late, path=STATUS_PATH).status_code == 204
    assert stored(session, message_id).status == "read"


def test_a_status_moves_forward(
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], Form],
    session: Session,
    clock: FixedClock,
) -> None:
    # The other half of "never regress": an earlier status is still replaced by a later one.
    message_id = outbound(session, clock, "SMout0001", status="sent")
    delivered = read_form("06a_status_callback_read.form") | {"MessageStatus": "delivered"}
    assert post_twilio(delivered, path=STATUS_PATH).status_code == 204
    assert stored(session, message_id).status == "delivered"


def test_a_status_for_an_unknown_message_creates_nothing(
    post_twilio: Callable[..., Any], read_form: Callable[[str], Form], session: Session
) -> None:
    before = count_messages(session)
    response = post_twilio(read_form("06b_status_callback_failed.form"), path=STATUS_PATH)
    assert response.status_code == 204
    assert count_messages(session) == before
    assert fresh(session, select(Message).where(Message.provider_id == "SMout0002")) == []


def test_a_status_callback_updates_what_send_stored(
    db: Session,
    maria: Conversation,
    clock: FixedClock,
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], dict[str, str]],
) -> None:
    http = FakeTwilioHttp((201, created("SMout0001")))
    send(db, conversation=maria, transport=twilio(http), clock=clock, text="Olá!")

    response = post_twilio(read_form("06a_status_callback_read.form"), path=STATUS_PATH)

    assert response.status_code == 204
    [stored] = outbound_rows(db)
    assert (stored.provider_id, stored.status) == ("SMout0001", "read")


def test_a_failure_keeps_twilios_reason_for_staff_and_logs_it(
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], Form],
    session: Session,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message_id = outbound(session, clock, "SMout0002")
    with caplog.at_level(logging.WARNING, logger="bot.messaging.statuses"):
        response = post_twilio(read_form("06b_status_callback_failed.form"), path=STATUS_PATH)
    assert response.status_code == 204
    message = stored(session, message_id)
    assert (message.status, message.error_code) == ("failed", "30008")
    assert message.payload["error"] == "Unknown error"  # the fixture's ErrorMessage
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.messaging.statuses"]
    assert f"message {message_id} failed: Unknown error (code 30008)" == line


def test_a_reason_quoting_the_patients_number_is_kept_masked(
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], Form],
    session: Session,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message_id = outbound(session, clock, "SMout0002")
    form = read_form("06b_status_callback_failed.form")
    form["ErrorMessage"] = "Could not deliver to whatsapp:+5511987654321"
    with caplog.at_level(logging.DEBUG):
        post_twilio(form, path=STATUS_PATH)
    assert (
        stored(session, message_id).payload["error"]
        == "Could not deliver to whatsapp:+55*******4321"
    )
    assert all("987654321" not in record.getMessage() for record in caplog.records)


def test_a_callback_without_a_reason_leaves_none(
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], Form],
    session: Session,
    clock: FixedClock,
) -> None:
    message_id = outbound(session, clock, "SMout0001")
    assert (
        post_twilio(read_form("06a_status_callback_read.form"), path=STATUS_PATH).status_code == 204
    )
    assert "error" not in stored(session, message_id).payload


# -- retry_failed(): what may pass on another try -----------------------------------------------


def test_a_retryable_failure_is_sent_again_by_retry_failed(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    transport = ScriptedTransport(SendError("Twilio answered 500", code="20500", retryable=True))
    with pytest.raises(SendError):
        send(db, conversation=maria, transport=transport, clock=clock, text="Olá!")
    assert retry_failed(db, transport=transport, clock=clock) == 0  # not at once: back off

    clock.advance(minutes=1)
    assert retry_failed(db, transport=transport, clock=clock) == 1

    [stored] = outbound_rows(db)
    assert (stored.status, stored.error_code, stored.provider_id) == ("queued", None, "ok-2")
    assert stored.payload["attempts"] == 2
    assert retry_failed(db, transport=transport, clock=clock) == 0
    assert len(transport.sent) == 2


def test_retries_stop_after_max_attempts(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    def failure() -> SendError:
        return SendError("unreachable", code="connection", retryable=True)

    transport = ScriptedTransport(*(failure() for _ in range(10)))
    with pytest.raises(SendError):
        send(db, conversation=maria, transport=transport, clock=clock, text="Olá!")

    for _ in range(5):
        clock.advance(minutes=10)
        assert retry_failed(db, transport=transport, clock=clock, max_attempts=3) == 0

    assert len(transport.sent) == 3
    [stored] = outbound_rows(db)
    assert stored.status == "failed" and stored.payload["attempts"] == 3


@pytest.mark.parametrize("code", ["63016", "21610"])
def test_what_twilio_says_will_not_succeed_is_never_retried(
    db: Session, maria: Conversation, clock: FixedClock, code: str
) -> None:
    http = FakeTwilioHttp(twilio_error(int(code), 400))
    with pytest.raises(SendError):
        send(db, conversation=maria, transport=twilio(http), clock=clock, text="Olá!")

    clock.advance(minutes=10)
    assert retry_failed(db, transport=twilio(http), clock=clock) == 0
    assert len(http.requests) == 1


def test_a_delivery_failure_30008_reported_by_callback_is_retried(
    db: Session,
    maria: Conversation,
    clock: FixedClock,
    post_twilio: Callable[..., Any],
    read_form: Callable[[str], dict[str, str]],
) -> None:
    http = FakeTwilioHttp((201, created("SMout0002")), (201, created("SMout0003")))
    send(db, conversation=maria, transport=twilio(http), clock=clock, text="Olá!")
    post_twilio(read_form("06b_status_callback_failed.form"), path=STATUS_PATH)
    assert [(m.status, m.error_code) for m in outbound_rows(db)] == [("failed", "30008")]
    assert outbound_rows(db)[0].payload["error"] == "Unknown error"

    clock.advance(minutes=1)
    assert retry_failed(db, transport=twilio(http), clock=clock) == 1

    [stored] = outbound_rows(db)
    assert (stored.provider_id, stored.status, stored.error_code) == ("SMout0003", "queued", None)
    assert "error" not in stored.payload  # the reason of a failure that no longer stands
    assert http.requests[1]["data"]["Body"] == "Olá!"
    assert http.requests[1]["data"]["To"] == MARIA


def test_a_failed_message_is_not_retried_once_the_patient_opted_out(
    db: Session, maria: Conversation, clock: FixedClock
) -> None:
    transport = ScriptedTransport(SendError("busy", code="20429", retryable=True))
    with pytest.raises(SendError):
        send(db, conversation=maria, transport=transport, clock=clock, text="Olá!")
    maria.opted_out_at = clock.now()
    db.commit()
    clock.advance(minutes=1)

    assert retry_failed(db, transport=transport, clock=clock) == 0

    assert len(transport.sent) == 1
    [stored] = outbound_rows(db)
    assert stored.payload["abandoned"] == "opted_out"


def test_two_workers_retrying_at_once_send_it_once(
    db: Session, maria: Conversation, clock: FixedClock, app: Flask
) -> None:
    transport = ScriptedTransport(SendError("busy", code="20429", retryable=True))
    with pytest.raises(SendError):
        send(db, conversation=maria, transport=transport, clock=clock, text="Olá!")
    engine = app.extensions["agendai.engine"]
    clock.advance(minutes=1)

    with new_session(engine) as first, new_session(engine) as second:
        # The second worker read the same failed row before the first claimed it.
        stale = second.exec(select(Message).where(Message.status == "failed")).one()
        second.commit()
        assert retry_failed(first, transport=transport, clock=clock) == 1
        assert deliveries._retry(second, stale, transport, clock) is False

    assert len(transport.sent) == 2
