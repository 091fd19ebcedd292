"""bot.messaging.reminders: due reminders go out once, on time, to the right address, or say why.

The demo clinic on a real database (SQLite file; PostgreSQL too where concurrency matters), an
injected clock, and transports that record what they were handed. Demo appointments: Maria on
Fri 12/12 10:00 at Paulista, João on Fri 12/12 10:30 at Pinheiros; "now" is Wed 10/12 09:00.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import PUBLIC_BASE_URL, REPO, load_form, messages_of, sign
from flask import Flask
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from support import FakeTwilioHttp, FixedClock, created, twilio

from bot.domain.clinic.settings import SettingsError, parse_settings
from bot.domain.scheduling import LocalScheduling
from bot.messaging.channels.base import OutboundRequest, OutboxTransport, SendError, SendResult
from bot.messaging.reminders import NO_TEMPLATE, RunReport, run_once
from models import (
    Actor,
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    Conversation,
    Direction,
    Location,
    Message,
    Reminder,
    Slot,
    make_engine,
    new_session,
)

SP = ZoneInfo("America/Sao_Paulo")
MARIA, JOAO = "whatsapp:+5511987654321", "whatsapp:+558282136275"
TEMPLATE = "HX" + "ab" * 16
JOIN_SECONDS = 120


def sp(day: int, hour: int, minute: int = 0) -> datetime:
    """A December 2025 moment in São Paulo."""
    return datetime(2025, 12, day, hour, minute, tzinfo=SP)


class Recording:
    """A transport that keeps every request (thread-safe), optionally slow to widen races."""

    name = "recording"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.sent: list[OutboundRequest] = []
        self.lock = threading.Lock()

    def send(self, request: OutboundRequest) -> SendResult:
        time.sleep(self.delay)
        with self.lock:
            self.sent.append(request)
            return SendResult(provider_id=f"rec-{len(self.sent)}", status="queued")


class WorkerKilled(BaseException):
    """The process dies (SIGKILL, OOM) after Twilio accepted, before we record it."""


class KilledAfterSending(Recording):
    def send(self, request: OutboundRequest) -> SendResult:
        super().send(request)
        raise WorkerKilled


@pytest.fixture
def app_db(any_database_url: str, make_app: Callable[[str], Flask]) -> Flask:
    """The app on the demo database: the tests using it run on SQLite and on PostgreSQL."""
    app = make_app(any_database_url)
    app.config["OUTBOUND_TRANSPORT"] = "outbox"  # whatever the environment says
    return app


@pytest.fixture
def engine(app_db: Flask) -> Engine:
    return app_db.extensions["agendai.engine"]


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with new_session(engine) as session:
        yield session


def run(engine: Engine, clock: FixedClock, transport: Any = None, worker: str = "w1") -> RunReport:
    """One pass, each with its own sessions, as a worker process would."""
    return run_once(
        lambda: new_session(engine),
        clock=clock,
        transport=transport or OutboxTransport(),
        worker=worker,
    )


def client_named(db: Session, name: str) -> Client:
    return db.exec(select(Client).where(Client.name == name)).one()


def appointment_of(db: Session, name: str) -> Appointment:
    query = select(Appointment).join(Client, col(Client.id) == col(Appointment.client_id))
    return fresh(db, query.where(Client.name == name).order_by(col(Appointment.id)))[0]


def talk(
    db: Session, name: str, address: str, last_inbound_at: datetime | None, **flags: Any
) -> Conversation:
    """The patient's conversation with the demo clinic, last written at `last_inbound_at`."""
    client = client_named(db, name)
    conversation = Conversation(
        clinic_id=client.clinic_id,
        address=address,
        client_id=client.id,
        context={},
        last_inbound_at=last_inbound_at,
        created_at=sp(1, 9),
        updated_at=sp(1, 9),
        **flags,
    )
    db.add(conversation)
    db.commit()
    return conversation


@pytest.fixture
def chatting(db: Session) -> tuple[Conversation, Conversation]:
    """Maria and João wrote on Thu 09:30: inside the window for every reminder of Friday."""
    return talk(db, "Maria Oliveira", MARIA, sp(11, 9, 30)), talk(
        db, "João Pereira", JOAO, sp(11, 9, 30)
    )


def fresh(db: Session, query: Any) -> list[Any]:
    """Rows as committed now (not from the session's cache); no transaction left open."""
    rows = list(db.exec(query.execution_options(populate_existing=True)))
    db.commit()
    return rows


def reminders(db: Session) -> list[Reminder]:
    return fresh(db, select(Reminder).order_by(col(Reminder.id)))


def outbound(db: Session) -> list[Message]:
    query = select(Message).where(Message.direction == Direction.outbound)
    return fresh(db, query.order_by(col(Message.id)))


def set_settings(db: Session, **settings: Any) -> None:
    clinic = db.exec(select(Clinic)).one()
    clinic.settings = {**clinic.settings, **settings}
    db.add(clinic)
    db.commit()


# -- on time, once ------------------------------------------------------------------------------


def test_24h_and_2h_reminders_go_once_each_at_their_time(engine: Engine, clock: FixedClock) -> None:
    with new_session(engine) as db:
        maria, joao = (
            talk(db, "Maria Oliveira", MARIA, sp(11, 9, 30)),
            talk(db, "João Pereira", JOAO, sp(11, 9, 30)),
        )
        while clock.now() <= sp(12, 11):
            report = run(engine, clock)
            assert report.failed == report.skipped == 0
            clock.advance(minutes=30)
        # When each went out is when its message was stored (the clock stands still in a pass).
        sent_at = fresh(
            db,
            select(Reminder.kind, Reminder.appointment_id, Message.created_at)
            .join(Message, col(Message.id) == col(Reminder.message_id))
            .order_by(col(Reminder.id)),
        )
        rows = reminders(db)
        messages = outbound(db)

    maria_id, joao_id = str(rows[0].appointment_id), str(rows[1].appointment_id)
    assert [(kind, str(who), when.astimezone(SP)) for kind, who, when in sent_at] == [
        ("24h", maria_id, sp(11, 10)),
        ("24h", joao_id, sp(11, 10, 30)),
        ("2h", maria_id, sp(12, 8)),
        ("2h", joao_id, sp(12, 8, 30)),
    ]
    assert [r.status for r in rows] == ["sent"] * 4
    assert [m.id for m in messages] == [r.message_id for r in rows]
    assert [m.body.split("!")[0] for m in messages] == ["Olá, Maria", "Olá, João"] * 2
    assert [(m.conversation_id, m.appointment_id) for m in messages] == [
        (maria.id, int(maria_id)),
        (joao.id, int(joao_id)),
    ] * 2
    assert all(m.reply_to_id is None and m.status == "queued" for m in messages)


def test_the_text_reminder_offers_numbered_choices(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    clock.set(sp(11, 10))
    run(engine, clock)

    [message] = outbound(db)
    assert "*sex, 12/12 às 10:00*" in message.body
    assert "Clínica geral" in message.body and "Dra. Ana Souza" in message.body
    assert "1 - Confirmar\n2 - Remarcar\n3 - Cancelar" in message.body
    assert "PARAR" in message.body


def test_nothing_goes_for_a_cancelled_appointment(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    maria = appointment_of(db, "Maria Oliveira")
    LocalScheduling(session=db, clock=clock).cancel(
        clinic_id=maria.clinic_id, appointment_id=maria.id, reason="viagem", actor=Actor.client
    )
    db.commit()
    clock.set(sp(12, 9))

    run(engine, clock)

    assert {r.appointment_id for r in reminders(db)} == {appointment_of(db, "João Pereira").id}
    assert [m.conversation_id for m in outbound(db)] == [chatting[1].id]


def test_an_appointment_cancelled_during_the_pass_is_not_reminded(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    class CancelsJoao(Recording):
        """While Maria's reminder goes out, João cancels through another session."""

        def send(self, request: OutboundRequest) -> SendResult:
            with new_session(engine) as other:
                joao = appointment_of(other, "João Pereira")
                LocalScheduling(session=other, clock=clock).cancel(
                    clinic_id=joao.clinic_id, appointment_id=joao.id, reason="", actor=Actor.client
                )
                other.commit()
            return super().send(request)

    transport = CancelsJoao()
    clock.set(sp(11, 10, 30))  # both 24h reminders are due: Maria's goes first

    report = run(engine, clock, transport)

    assert (report.sent, report.skipped) == (1, 1)
    assert [request.to_address for request in transport.sent] == [MARIA]
    assert [(r.status, r.note) for r in reminders(db)] == [
        ("sent", ""),
        ("skipped", "the appointment is cancelled"),
    ]


def test_when_several_are_due_only_the_nearest_goes(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    clock.set(sp(12, 9))  # the worker was down since Wednesday

    report = run(engine, clock)

    assert (report.sent, report.skipped) == (2, 2)
    assert sorted((r.kind, r.status, r.note) for r in reminders(db)) == [
        ("24h", "skipped", "superseded by the 2h reminder"),
        ("24h", "skipped", "superseded by the 2h reminder"),
        ("2h", "sent", ""),
        ("2h", "sent", ""),
    ]
    assert len(outbound(db)) == 2


def test_a_reminder_due_before_the_booking_is_not_sent(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    maria = appointment_of(db, "Maria Oliveira")
    maria.created_at = sp(11, 20)  # booked on Thursday evening for Friday 10:00
    db.commit()

    for moment in (sp(11, 20, 5), sp(12, 8)):
        clock.set(moment)
        run(engine, clock)

    mine = [r for r in reminders(db) if r.appointment_id == maria.id]
    assert [(r.kind, r.status, r.note) for r in mine] == [
        ("24h", "skipped", "booked after this reminder was due"),
        ("2h", "sent", ""),
    ]


def test_a_rescheduled_appointment_is_reminded_again_for_its_new_time(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    clock.set(sp(11, 10))
    run(engine, clock)
    maria = appointment_of(db, "Maria Oliveira")
    monday = db.exec(
        select(Slot)
        .where(Slot.location_id == db.get(Slot, maria.slot_id).location_id)
        .where(Slot.professional_id == db.get(Slot, maria.slot_id).professional_id)
        .where(Slot.start == sp(15, 10))
    ).one()
    scheduling = LocalScheduling(session=db, clock=clock)
    hold = scheduling.hold(
        clinic_id=maria.clinic_id, slot_id=monday.id, conversation_id=chatting[0].id, minutes=10
    )
    scheduling.reschedule(
        clinic_id=maria.clinic_id, appointment_id=maria.id, hold_id=hold.id, actor=Actor.client
    )
    db.commit()
    chatting[0].last_inbound_at = sp(14, 9)
    db.add(chatting[0])
    db.commit()

    clock.set(sp(14, 9, 59))
    run(engine, clock)
    assert len([m for m in outbound(db) if m.appointment_id == maria.id]) == 1
    clock.set(sp(14, 10))
    run(engine, clock)
    run(engine, clock)

    to_maria = [m for m in outbound(db) if m.appointment_id == maria.id]
    assert len(to_maria) == 2
    assert "*seg, 15/12 às 10:00*" in to_maria[1].body
    [rearmed] = [r for r in reminders(db) if r.appointment_id == maria.id]
    assert (rearmed.status, rearmed.message_id) == ("sent", to_maria[1].id)
    assert rearmed.due_at == sp(14, 10)


def test_clinic_lead_times_are_used(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    set_settings(db, reminder_hours=[48])
    for chat in chatting:
        chat.last_inbound_at = sp(10, 9)
        db.add(chat)
    db.commit()
    clock.set(sp(10, 10))

    run(engine, clock)

    assert [(r.kind, r.status) for r in reminders(db)] == [("48h", "sent")]


def test_reminder_settings_are_validated() -> None:
    assert parse_settings({"reminder_hours": [2, 24]}).reminder_hours == [24, 2]
    for bad, field in [
        ({"reminder_hours": [0]}, "reminder_hours"),
        ({"reminder_hours": [24, 24]}, "reminder_hours"),
        ({"reminder_content_sid": "template-1"}, "reminder_content_sid"),
    ]:
        with pytest.raises(SettingsError, match=field):
            parse_settings(bad)


# -- who gets it, and what -----------------------------------------------------------------------


def test_it_goes_to_the_patients_most_recent_conversation(
    engine: Engine, db: Session, clock: FixedClock
) -> None:
    recent = talk(db, "Maria Oliveira", MARIA, sp(11, 9))
    talk(db, "Maria Oliveira", "whatsapp:+551187654321", sp(10, 8))  # older, created later
    transport = Recording()
    clock.set(sp(11, 10))

    run(engine, clock, transport)

    assert [request.to_address for request in transport.sent] == [MARIA]
    assert [m.conversation_id for m in outbound(db)] == [recent.id]


def test_opted_out_and_handed_off_conversations_get_nothing(
    engine: Engine, db: Session, clock: FixedClock
) -> None:
    talk(db, "Maria Oliveira", MARIA, sp(11, 9), opted_out_at=sp(10, 12))
    talk(db, "João Pereira", JOAO, sp(11, 9), handoff_at=sp(11, 9))
    transport = Recording()
    clock.set(sp(11, 10, 30))

    report = run(engine, clock, transport)

    assert report.skipped == 2 and report.sent == 0
    assert [(r.status, r.note) for r in reminders(db)] == [
        ("skipped", "the patient opted out of reminders"),
        ("skipped", "an operator owns the conversation: the bot sends nothing"),
    ]
    assert transport.sent == [] and outbound(db) == []


def test_a_patient_without_a_conversation_is_skipped_with_the_reason(
    engine: Engine, db: Session, clock: FixedClock
) -> None:
    clock.set(sp(11, 10, 30))

    run(engine, clock)

    notes = {r.note for r in reminders(db)}
    assert notes == {"no conversation with this patient: no WhatsApp address to write to"}
    assert outbound(db) == []


def test_outside_the_window_without_a_template_the_reminder_fails_saying_why(
    engine: Engine, db: Session, clock: FixedClock
) -> None:
    talk(db, "Maria Oliveira", MARIA, sp(9, 9))  # wrote two days ago
    talk(db, "João Pereira", JOAO, None)
    clock.set(sp(11, 10, 30))

    report = run(engine, clock)

    assert report.failed == 2
    assert [(r.status, r.note) for r in reminders(db)] == [("failed", NO_TEMPLATE)] * 2
    assert outbound(db) == []


def test_outside_the_window_with_a_template_the_template_goes(
    engine: Engine, db: Session, clock: FixedClock
) -> None:
    set_settings(db, reminder_content_sid=TEMPLATE)
    talk(db, "Maria Oliveira", MARIA, sp(9, 9))
    clock.set(sp(11, 10))

    report = run(engine, clock)

    assert report.sent == 1
    [message] = outbound(db)
    assert message.kind == "template"
    assert message.payload["content_sid"] == TEMPLATE
    assert message.payload["content_variables"] == {
        "1": "Maria",
        "2": "sex, 12/12 às 10:00",
        "3": "Paulista",
    }


def test_the_template_through_twilio_shows_the_time_in_the_units_zone(
    engine: Engine, db: Session, clock: FixedClock
) -> None:
    set_settings(db, reminder_content_sid=TEMPLATE)
    conversation = talk(db, "Maria Oliveira", MARIA, None)
    maria = appointment_of(db, "Maria Oliveira")
    LocalScheduling(session=db, clock=clock).cancel(
        clinic_id=maria.clinic_id, appointment_id=maria.id, reason="mudou", actor=Actor.client
    )
    manaus_10h = datetime(2025, 12, 12, 10, tzinfo=ZoneInfo("America/Manaus"))
    slot = db.exec(
        select(Slot)
        .join(Location, col(Location.id) == col(Slot.location_id))
        .where(Location.name == "Manaus Centro", Slot.start == manaus_10h)
    ).one()
    db.add(
        Appointment(
            clinic_id=maria.clinic_id,
            slot_id=slot.id,
            client_id=maria.client_id,
            service_id=maria.service_id,
            start=slot.start,
            end=slot.end,
            created_at=sp(10, 9),
            updated_at=sp(10, 9),
        )
    )
    db.commit()
    http = FakeTwilioHttp((201, created("SMrem0001")))
    clock.set(manaus_10h - timedelta(hours=24))

    run(engine, clock, twilio(http))

    [request] = http.requests
    assert request["data"]["ContentSid"] == TEMPLATE
    assert request["data"]["To"] == conversation.address
    assert request["data"]["ContentVariables"] == (
        '{"1": "Maria", "2": "sex, 12/12 às 10:00", "3": "Manaus Centro"}'
    )
    [message] = outbound(db)
    assert (message.provider, message.provider_id) == ("twilio", "SMrem0001")


def test_the_confirm_button_on_a_twilio_reminder_confirms_that_appointment(
    app_db: Flask, engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    clock.set(sp(11, 10))
    run(engine, clock, twilio(FakeTwilioHttp((201, created("SMout0001")))))
    tap = load_form("07_quick_reply_button.form")  # Maria taps "Confirmar" on SMout0001

    response = app_db.test_client().post(
        "/webhooks/twilio",
        data=tap,
        headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + "/webhooks/twilio", tap)},
    )

    assert "Presença confirmada" in messages_of(response.data)[0]
    assert appointment_of(db, "Maria Oliveira").status == AppointmentStatus.confirmed
    assert appointment_of(db, "João Pereira").status == AppointmentStatus.scheduled


def test_a_failed_send_is_retried_and_the_reminder_follows(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    class Flaky(Recording):
        def send(self, request: OutboundRequest) -> SendResult:
            if not self.sent:
                self.sent.append(request)
                raise SendError("Twilio answered 500", code="20500", retryable=True)
            return super().send(request)

    transport = Flaky()
    clock.set(sp(11, 10))
    first = run(engine, clock, transport)
    assert (first.sent, first.failed) == (0, 1)
    assert reminders(db)[0].note.startswith("send failed: Twilio answered 500")

    clock.advance(minutes=1)
    second = run(engine, clock, transport)

    assert second.retried == 1
    [reminder] = reminders(db)
    assert (reminder.status, reminder.note) == ("sent", "sent on a retry")
    [message] = outbound(db)
    assert (message.id, message.status, message.payload["attempts"]) == (
        reminder.message_id,
        "queued",
        2,
    )


# -- crashes ------------------------------------------------------------------------------------


def dead_claim(db: Session, name: str, kind: str, claimed_at: datetime) -> Reminder:
    """A reminder a worker claimed at `claimed_at` and never finished."""
    appointment = appointment_of(db, name)
    hours = int(kind.removesuffix("h"))
    reminder = Reminder(
        clinic_id=appointment.clinic_id,
        appointment_id=appointment.id,
        kind=kind,
        due_at=appointment.start - timedelta(hours=hours),
        status="claimed",
        claimed_at=claimed_at,
        claimed_by="dead-host:4242",
    )
    db.add(reminder)
    db.commit()
    return reminder


def test_a_claim_left_with_its_message_sending_is_reconciled_not_resent(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    claim = dead_claim(db, "Maria Oliveira", "24h", sp(11, 10))
    attempt = Message(
        clinic_id=claim.clinic_id,
        conversation_id=chatting[0].id,
        direction=Direction.outbound,
        provider="recording",
        appointment_id=claim.appointment_id,
        body="Olá, Maria! ...",
        status="sending",
        created_at=sp(11, 10),
        updated_at=sp(11, 10),
    )
    db.add(attempt)
    db.commit()
    transport = Recording()
    clock.set(sp(11, 10, 10))

    report = run(engine, clock, transport)

    assert report.reconciled == 1
    assert transport.sent == []
    [reminder] = reminders(db)
    assert (reminder.status, reminder.message_id) == ("sent", attempt.id)
    assert reminder.note.startswith("reconciled")
    assert len(outbound(db)) == 1


def test_a_claim_left_without_a_message_is_sent_once(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    dead_claim(db, "Maria Oliveira", "24h", sp(11, 10))
    transport = Recording()
    clock.set(sp(11, 10, 10))

    first = run(engine, clock, transport)
    run(engine, clock, transport)

    assert (first.reconciled, first.sent) == (1, 1)
    assert [request.to_address for request in transport.sent] == [MARIA]
    [reminder] = reminders(db)
    assert reminder.status == "sent" and reminder.claimed_by == "w1"
    assert [m.id for m in outbound(db)] == [reminder.message_id]


def test_a_fresh_claim_of_a_live_worker_is_left_alone(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    dead_claim(db, "Maria Oliveira", "24h", sp(11, 10, 8))
    transport = Recording()
    clock.set(sp(11, 10, 10))

    report = run(engine, clock, transport)

    assert report.reconciled == 0 and transport.sent == []
    assert [r.status for r in reminders(db)] == ["claimed"]


def test_a_worker_killed_after_twilio_accepted_is_reconciled_not_resent(
    engine: Engine, db: Session, clock: FixedClock, chatting: Any
) -> None:
    killed = KilledAfterSending()
    clock.set(sp(11, 10))
    with pytest.raises(WorkerKilled):
        run(engine, clock, killed, worker="doomed")
    assert [r.status for r in reminders(db)] == ["claimed"]
    assert [m.status for m in outbound(db)] == ["sending"]  # written before the transport call

    survivor = Recording()
    clock.set(sp(11, 10, 6))
    report = run(engine, clock, survivor, worker="survivor")

    assert report.reconciled == 1
    assert survivor.sent == [] and len(killed.sent) == 1
    [reminder] = reminders(db)
    assert reminder.status == "sent" and reminder.claimed_by == "survivor"
    assert len(outbound(db)) == 1


# -- concurrency --------------------------------------------------------------------------------


def add_patients(db: Session, count: int, start: datetime, wrote: datetime) -> None:
    """`count` more patients, each with an appointment at `start` and a conversation."""
    maria = appointment_of(db, "Maria Oliveira")
    for number in range(count):
        client = Client(clinic_id=maria.clinic_id, name=f"Paciente {number}", created_at=wrote)
        db.add(client)
        db.flush()
        db.add(
            Appointment(
                clinic_id=maria.clinic_id,
                slot_id=maria.slot_id,
                client_id=client.id,
                service_id=maria.service_id,
                start=start,
                end=start + timedelta(minutes=30),
                created_at=wrote - timedelta(days=3),
                updated_at=wrote,
            )
        )
        address = f"whatsapp:+55119{number:08d}"
        db.add(
            Conversation(
                clinic_id=maria.clinic_id,
                address=address,
                client_id=client.id,
                context={},
                last_inbound_at=wrote,
                created_at=wrote,
                updated_at=wrote,
            )
        )
    db.commit()


def assert_each_reminder_once(db: Session, expected: int) -> None:
    rows = reminders(db)
    messages = outbound(db)
    assert len(rows) == expected
    assert [r.status for r in rows] == ["sent"] * expected
    assert len(messages) == expected
    assert len({m.appointment_id for m in messages}) == expected
    assert {r.message_id for r in rows} == {m.id for m in messages}


def test_two_workers_at_once_send_each_reminder_once(engine: Engine, clock: FixedClock) -> None:
    clock.set(sp(11, 10, 30))  # both demo appointments' 24h reminders are due
    with new_session(engine) as db:
        talk(db, "Maria Oliveira", MARIA, sp(11, 9))
        talk(db, "João Pereira", JOAO, sp(11, 9))
        add_patients(db, 20, start=sp(12, 9), wrote=sp(11, 9))
    transport = Recording(delay=0.01)
    barrier = threading.Barrier(2)
    reports: list[RunReport] = []

    def worker(name: str) -> None:
        barrier.wait()
        reports.append(run(engine, clock, transport, worker=name))

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads)

    assert sum(report.sent for report in reports) == 22
    assert len(transport.sent) == 22
    assert len({request.to_address for request in transport.sent}) == 22
    with new_session(engine) as db:
        assert_each_reminder_once(db, 22)


def prepare_due_database(url: str, now: datetime, extra: int) -> int:
    """Make every appointment of the database at `url` due for its 24h reminder at `now`."""
    engine = make_engine(url)
    with new_session(engine) as db:
        for appointment in db.exec(select(Appointment)).all():
            appointment.start = now + timedelta(hours=3)
            appointment.end = appointment.start + timedelta(minutes=30)
            appointment.created_at = now - timedelta(days=3)
        db.commit()
        talk(db, "Maria Oliveira", MARIA, now - timedelta(hours=1))
        talk(db, "João Pereira", JOAO, now - timedelta(hours=1))
        add_patients(db, extra, start=now + timedelta(hours=3), wrote=now - timedelta(hours=1))
        total = db.exec(select(func.count()).select_from(Appointment)).one()
    engine.dispose()
    return total


def flask_process(url: str, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OUTBOUND_TRANSPORT": "outbox",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "reminders", "run", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_reminder_processes_started_together_send_each_once(any_database_url: str) -> None:
    total = prepare_due_database(any_database_url, datetime.now(UTC), extra=40)

    processes = [flask_process(any_database_url) for _ in range(2)]
    outputs = [process.communicate(timeout=JOIN_SECONDS) for process in processes]

    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    sent = [int(re.search(r"reminders: (\d+) sent", out).group(1)) for out, _ in outputs]
    assert sum(sent) == total
    engine = make_engine(any_database_url)
    with new_session(engine) as db:
        assert_each_reminder_once(db, total)
    engine.dispose()


def test_reminders_run_prints_what_it_did(app_db: Flask, clock: FixedClock, chatting: Any) -> None:
    clock.set(sp(11, 10, 30))
    result = app_db.test_cli_runner().invoke(args=["reminders", "run"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("reminders: 2 sent, 0 failed, 0 skipped")


def test_the_worker_loop_stops_cleanly_on_sigterm(database_url: str) -> None:
    prepare_due_database(database_url, datetime.now(UTC), extra=0)
    process = flask_process(database_url, "--loop", "--interval", "1")
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout])
    reader.start()
    try:
        first = lines.get(timeout=JOIN_SECONDS)
        second = lines.get(timeout=JOIN_SECONDS)
    finally:
        process.send_signal(signal.SIGTERM)
    process.wait(JOIN_SECONDS)
    reader.join(JOIN_SECONDS)

    assert first.startswith("reminders: 2 sent")
    assert second.startswith("reminders: 0 sent")  # the next pass finds nothing new
    assert process.returncode == 0, process.stderr
    assert list(lines.queue)[-1].strip() == "reminders: stopped"
