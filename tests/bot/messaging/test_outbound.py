"""bot.messaging.outbound and the Twilio transport: WhatsApp rules, stored sends, errors, retries.

Twilio itself is replaced at the only seam twilio-python offers: a `twilio.http.HttpClient`
subclass that records the requests Twilio would receive and answers like Twilio's API.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from sqlmodel import Session, col, select
from support import FixedClock
from twilio.http import HttpClient
from twilio.http.response import Response

from bot.core.config import ConfigError, from_environment
from bot.messaging import outbound
from bot.messaging import statuses as deliveries
from bot.messaging.channels.base import OutboundRequest, OutboxTransport, SendError, SendResult
from bot.messaging.channels.twilio import TwilioTransport
from bot.messaging.outbound import NotSent, OutsideWindow, get_transport, send, transport_for
from bot.messaging.statuses import retry_failed
from models import Client, Conversation, Direction, Message, new_session

ACCOUNT = "ACtest"
TOKEN = "test-auth-token"
CALLBACK = "https://bot.example.com/webhooks/twilio/status"
MARIA = "whatsapp:+5511987654321"
SANDBOX = "whatsapp:+14155238886"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
TEMPLATE = "HX" + "0" * 31 + "1"
STATUS_PATH = "/webhooks/twilio/status"


class FakeTwilioHttp(HttpClient):
    """Twilio's API as twilio-python sees it: records each request, answers from a script."""

    def __init__(self, *answers: tuple[int, dict[str, Any] | str] | BaseException) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        self.requests.append({"method": method, "url": url, "data": dict(data or {}), "auth": auth})
        answer = self.answers.pop(0) if self.answers else (201, created("SMdefault"))
        if isinstance(answer, BaseException):
            raise answer
        status, body = answer
        return Response(status, body if isinstance(body, str) else json.dumps(body))


def created(sid: str, status: str = "queued") -> dict[str, Any]:
    """Twilio's 201 body for a new message (the fields twilio-python reads)."""
    return {"sid": sid, "status": status, "account_sid": ACCOUNT, "body": "", "num_segments": "1"}


def twilio_error(code: int, status: int, message: str = "error") -> tuple[int, dict[str, Any]]:
    """Twilio's error body (legacy format, as the Messages API answers)."""
    return status, {"code": code, "message": message, "more_info": "", "status": status}


def twilio(http: FakeTwilioHttp) -> TwilioTransport:
    return TwilioTransport(ACCOUNT, TOKEN, CALLBACK, http_client=http)


class ScriptedTransport:
    """A transport whose answers are given in advance: SendError to raise or a provider id."""

    name = "scripted"

    def __init__(self, *answers: str | SendError) -> None:
        self.answers = list(answers)
        self.sent: list[OutboundRequest] = []

    def send(self, request: OutboundRequest) -> SendResult:
        self.sent.append(request)
        answer = self.answers.pop(0) if self.answers else "ok"
        if isinstance(answer, SendError):
            raise answer
        return SendResult(provider_id=f"{answer}-{len(self.sent)}", status="queued")


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session like the workers' own (commits are the code's business)."""
    with new_session(app.extensions["agendai.engine"]) as session:
        yield session


@pytest.fixture
def maria(db: Session, clock: FixedClock) -> Conversation:
    """Maria's conversation; she wrote an hour ago (inside the 24-hour window)."""
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


# -- the Twilio transport, against the requests Twilio would receive ----------------------------


def test_twilio_text_is_a_form_post_to_the_messages_resource() -> None:
    http = FakeTwilioHttp((201, created("SM0001")))
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")

    result = twilio(http).send(request)

    assert result == SendResult(provider_id="SM0001", status="queued")
    [sent] = http.requests
    assert sent["method"] == "POST"
    assert sent["url"] == "https://api.twilio.com" + MESSAGES_PATH
    assert sent["auth"] == (ACCOUNT, TOKEN)
    assert sent["data"] == {
        "From": SANDBOX,
        "To": MARIA,
        "Body": "Olá!",
        "StatusCallback": CALLBACK,
    }


def test_twilio_template_sends_content_sid_and_json_variables_without_a_body() -> None:
    http = FakeTwilioHttp((201, created("SM0002")))
    variables = {"1": "Maria", "2": "qui, 11/12 às 14:00", "3": "Paulista"}
    request = OutboundRequest(
        from_address=SANDBOX, to_address=MARIA, content_sid=TEMPLATE, content_variables=variables
    )

    twilio(http).send(request)

    data = http.requests[0]["data"]
    assert "Body" not in data
    assert data["ContentSid"] == TEMPLATE
    assert json.loads(data["ContentVariables"]) == variables
    assert data["From"] == SANDBOX and data["To"] == MARIA
    assert data["StatusCallback"] == CALLBACK


@pytest.mark.parametrize(
    ("answer", "code", "retryable"),
    [
        (twilio_error(63016, 400, "outside the allowed window"), "63016", False),
        (twilio_error(21610, 400, "Attempt to send to unsubscribed recipient"), "21610", False),
        (twilio_error(21211, 400, "Invalid 'To' Phone Number"), "21211", False),
        (twilio_error(20429, 429, "Too Many Requests"), "20429", True),
        (twilio_error(20500, 500, "Internal Server Error"), "20500", True),
        ((503, "<html>Service Unavailable</html>"), "503", True),
    ],
)
def test_twilio_errors_map_to_send_error_with_the_right_retryable(
    answer: tuple[int, Any], code: str, retryable: bool
) -> None:
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")
    with pytest.raises(SendError) as raised:
        twilio(FakeTwilioHttp(answer)).send(request)
    assert raised.value.code == code
    assert raised.value.retryable is retryable


@pytest.mark.parametrize(
    ("failure", "code", "retryable"),
    [
        (requests.ConnectionError("connection refused"), "connection", True),
        (requests.ConnectTimeout("connect timed out"), "connection", True),
        # Twilio may have accepted the message: a retry could reach the patient twice.
        (requests.ReadTimeout("read timed out"), "timeout", False),
    ],
)
def test_network_failures_map_to_send_error(
    failure: BaseException, code: str, retryable: bool
) -> None:
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")
    with pytest.raises(SendError) as raised:
        twilio(FakeTwilioHttp(failure)).send(request)
    assert (raised.value.code, raised.value.retryable) == (code, retryable)


def test_twilio_error_text_never_carries_the_full_number() -> None:
    answer = twilio_error(21211, 400, "The 'To' number whatsapp:+5511987654321 is not valid")
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")
    with pytest.raises(SendError) as raised:
        twilio(FakeTwilioHttp(answer)).send(request)
    assert "5511987654321" not in str(raised.value)
    assert "whatsapp:+55*******4321 is not valid" in str(raised.value)


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


# -- retries ------------------------------------------------------------------------------------


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

    clock.advance(minutes=1)
    assert retry_failed(db, transport=twilio(http), clock=clock) == 1

    [stored] = outbound_rows(db)
    assert (stored.provider_id, stored.status, stored.error_code) == ("SMout0003", "queued", None)
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
