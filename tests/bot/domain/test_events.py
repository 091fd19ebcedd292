"""Events out: queued with the change (emit), POSTed signed to the clinic's URL, retried, logged.

The clinic's system is a real HTTP server on 127.0.0.1 in a thread (it answers 200, 500, a
redirect, or hangs past the timeout); the demo clinic is on a real database; the FixedClock walks
through the back-off.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from flask import Flask
from sqlmodel import Session, col, select
from support import FixedClock

from bot.domain.events import appointment_data, client_data, emit
from bot.integrations.deliveries import (
    BACKOFF,
    MAX_ATTEMPTS,
    TIMEOUT,
    deliver_due,
    run_forever,
    sign,
    verify_signature,
)
from models import Appointment, Client, WebhookDelivery, WebhookEndpoint, new_session

HANG = "hang"


class Receiver:
    """The clinic's system: records every request and answers from a script (then `default`)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[int | str] = []
        self.default: int | str = 200
        self.delay = 0.0
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/agendai?token=s3cr3t"

    def _next(self) -> int | str:
        with self.lock:
            return self.script.pop(0) if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                answer = receiver._next()
                time.sleep(receiver.delay)
                if answer == HANG:
                    receiver.release.wait(5)
                    answer = 200
                try:
                    self.send_response(int(answer))
                    if int(answer) in (301, 302, 307):
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if int(answer) < 300 else b"sistema fora do ar")
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def worker(app: Flask) -> Iterator[Session]:
    """A session on the app's own engine, as the `events deliver` worker opens it."""
    with new_session(app.extensions["agendai.engine"]) as session:
        yield session


def add_endpoint(session: Session, url: str, **fields: Any) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        clinic_id=fields.pop("clinic_id", 1),
        url=url,
        secret=fields.pop("secret", "whsec_test"),
        created_at=fields.pop("created_at"),
        **fields,
    )
    session.add(endpoint)
    session.commit()
    return endpoint


def emit_booking(session: Session, clock: FixedClock, clinic_id: int = 1) -> str | None:
    """Emit appointment.created for the clinic's first demo appointment, committed."""
    appointment = session.exec(
        select(Appointment).where(Appointment.clinic_id == clinic_id).order_by(col(Appointment.id))
    ).first()
    assert appointment is not None
    event_id = emit(
        session,
        clinic_id=clinic_id,
        type="appointment.created",
        data=appointment_data(appointment),
        now=clock.now(),
    )
    session.commit()
    return event_id


def deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all())


def test_an_event_is_posted_once_signed_with_its_headers(api, worker, session, clock, receiver):
    created = api.post("/api/v1/webhooks", json={"url": receiver.url})
    secret = created.json["data"]["secret"]
    event_id = emit_booking(worker, clock)
    assert event_id is not None

    report = deliver_due(worker, clock=clock)

    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    [got] = receiver.requests
    headers, body = got["headers"], got["body"]
    assert got["path"] == "/hooks/agendai?token=s3cr3t"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Agendai-Event"] == "appointment.created"
    assert headers["X-Agendai-Event-Id"] == event_id
    [row] = deliveries(session)
    assert headers["X-Agendai-Delivery"] == str(row.id)
    event = json.loads(body)
    assert event["id"] == event_id and event["type"] == "appointment.created"
    assert event["data"]["appointment"]["status"] == "scheduled"
    signature = headers["X-Agendai-Signature"]
    assert signature.startswith(f"t={int(clock.now().timestamp())},v1=")
    assert verify_signature(secret, body, signature, now=clock.now())
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "delivered",
        1,
        200,
        "",
    )
    assert row.delivered_at == clock.now()
    assert deliver_due(worker, clock=clock).delivered == 0  # never sent twice
    assert len(receiver.requests) == 1


def test_a_signature_fails_on_another_body_secret_or_an_old_time(clock):
    body = b'{"id":"evt_1","type":"client.created"}'
    now = clock.now()
    header = sign("whsec_a", body, int(now.timestamp()))
    assert verify_signature("whsec_a", body, header, now=now)
    assert verify_signature("whsec_a", body.decode(), header, now=now + timedelta(minutes=4))
    assert not verify_signature("whsec_a", body + b" ", header, now=now)
    assert not verify_signature("whsec_b", body, header, now=now)
    assert not verify_signature("whsec_a", body, header, now=now + timedelta(minutes=6))
    assert not verify_signature("whsec_a", body, header.replace("t=", "t=1"), now=now)
    for broken in ("", "v1=abc", "t=x,v1=abc", header.split(",")[0]):
        assert not verify_signature("whsec_a", body, broken, now=now)
    # A clinic rotating its secret may be sent several signatures; one matching is enough.
    other = sign("whsec_old", body, int(now.timestamp())).split(",")[1]
    assert verify_signature("whsec_a", body, f"{header},{other}", now=now)


def test_events_go_only_to_active_endpoints_that_want_them(worker, clock, receiver, other_clinic):
    now = clock.now()
    wants_all = add_endpoint(worker, receiver.url, created_at=now)
    add_endpoint(worker, receiver.url, events=["appointment.cancelled"], created_at=now)
    add_endpoint(worker, receiver.url, active=False, created_at=now)
    add_endpoint(worker, receiver.url, clinic_id=other_clinic, created_at=now)
    emit_booking(worker, clock)

    assert [d.endpoint_id for d in deliveries(worker)] == [wants_all.id]
    client = worker.exec(select(Client).order_by(col(Client.id))).first()
    assert client is not None
    emit(worker, clinic_id=1, type="client.created", data=client_data(client), now=now)
    worker.commit()
    deliver_due(worker, clock=clock)
    assert [r["headers"]["X-Agendai-Event"] for r in receiver.requests] == [
        "appointment.created",
        "client.created",
    ]


def test_a_failing_endpoint_is_retried_with_backoff_then_given_up(worker, session, clock, receiver):
    receiver.default = 500
    add_endpoint(worker, receiver.url, created_at=clock.now())
    emit_booking(worker, clock)

    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_due(worker, clock=clock)
        [row] = deliveries(session)
        assert len(receiver.requests) == attempt
        assert row.attempts == attempt and row.last_status_code == 500
        assert row.last_error == "HTTP 500: sistema fora do ar"
        if attempt == MAX_ATTEMPTS:
            assert report.failed == 1 and row.status == "failed"
            break
        wait = BACKOFF[attempt - 1]
        assert report.retrying == 1 and row.status == "pending"
        assert row.next_attempt_at == clock.now() + wait
        clock.advance(seconds=wait.total_seconds() - 1)
        assert deliver_due(worker, clock=clock).retrying == 0  # not due yet
        assert len(receiver.requests) == attempt
        clock.advance(seconds=1)

    clock.advance(days=3)
    assert deliver_due(worker, clock=clock).total == 0
    assert len(receiver.requests) == MAX_ATTEMPTS
    # Every attempt carried the same event id, so the clinic can tell repeats apart.
    assert len({r["headers"]["X-Agendai-Event-Id"] for r in receiver.requests}) == 1


def test_an_endpoint_that_recovers_gets_the_event_on_the_retry(worker, session, clock, receiver):
    receiver.script = [503]
    add_endpoint(worker, receiver.url, created_at=clock.now())
    emit_booking(worker, clock)
    deliver_due(worker, clock=clock)
    clock.advance(minutes=1)

    assert deliver_due(worker, clock=clock).delivered == 1
    [row] = deliveries(session)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    assert row.delivered_at == clock.now()


def test_an_endpoint_that_hangs_times_out_and_is_retried(worker, session, clock, receiver):
    receiver.script = [HANG]
    add_endpoint(worker, receiver.url, created_at=clock.now())
    emit_booking(worker, clock)

    started = time.monotonic()
    report = deliver_due(worker, clock=clock, timeout=0.5)

    assert time.monotonic() - started < 3
    assert report.retrying == 1
    [row] = deliveries(session)
    assert row.status == "pending" and row.last_status_code is None
    assert row.last_error == "timeout: no answer within 0.5 s"
    assert row.next_attempt_at == clock.now() + BACKOFF[0]


def test_the_post_waits_five_seconds_and_follows_no_redirect(worker, session, clock, receiver):
    class Recording:
        """requests itself (a real POST to the receiver), remembering how it was called."""

        def __init__(self) -> None:
            self.calls: list[dict[str, Any]] = []

        def post(self, url: str, **kwargs: Any) -> requests.Response:
            self.calls.append(kwargs)
            return requests.post(url, **kwargs)

    receiver.script = [302]
    add_endpoint(worker, receiver.url, created_at=clock.now())
    emit_booking(worker, clock)
    http = Recording()

    deliver_due(worker, clock=clock, http=http)

    assert TIMEOUT == 5 and http.calls[0]["timeout"] == 5
    assert len(receiver.requests) == 1  # the redirect was not followed
    [row] = deliveries(session)
    assert row.status == "pending" and row.last_status_code == 302


def test_an_unreachable_endpoint_is_retried(worker, session, clock, receiver):
    url = receiver.url
    receiver.close()  # nothing listens on that port any more
    add_endpoint(worker, url, created_at=clock.now())
    emit_booking(worker, clock)

    assert deliver_due(worker, clock=clock).retrying == 1
    [row] = deliveries(session)
    assert row.last_error.startswith("ConnectionError") and row.last_status_code is None


def test_a_deactivated_endpoint_gets_nothing_more(api, worker, session, clock, receiver):
    webhook_id = api.post("/api/v1/webhooks", json={"url": receiver.url}).json["data"]["id"]
    emit_booking(worker, clock)
    api.delete(f"/api/v1/webhooks/{webhook_id}")

    assert deliver_due(worker, clock=clock).failed == 1
    [row] = deliveries(session)
    assert (row.status, row.last_error) == ("failed", "endpoint deactivated")
    assert receiver.requests == []
    assert emit_booking(worker, clock) is None  # nothing queued for it any more
    assert len(deliveries(session)) == 1


def test_log_lines_carry_no_url_secret_or_patient_data(worker, clock, receiver, caplog):
    receiver.script = [500]
    add_endpoint(worker, receiver.url, secret="whsec_topsecret", created_at=clock.now())
    emit_booking(worker, clock)
    with caplog.at_level(logging.INFO, logger="bot.integrations.deliveries"):
        deliver_due(worker, clock=clock)
        clock.advance(minutes=1)
        deliver_due(worker, clock=clock)

    lines = [r.getMessage() for r in caplog.records if r.name == "bot.integrations.deliveries"]
    assert len(lines) == 2  # one line per attempt
    assert "attempt 1: retrying (HTTP 500)" in lines[0]
    assert "attempt 2: delivered (HTTP 200)" in lines[1]
    text = "\n".join(lines)
    for secret in ("s3cr3t", "127.0.0.1", "whsec_topsecret", "fora do ar", "Maria"):
        assert secret not in text


@pytest.mark.parametrize("database", ["sqlite", pytest.param("pg", marks=pytest.mark.postgres)])
def test_two_workers_never_send_the_same_delivery(request, make_app, clock, receiver, database):
    url = request.getfixturevalue("database_url" if database == "sqlite" else "pg_database_url")
    engine = make_app(url).extensions["agendai.engine"]
    receiver.delay = 0.01
    with new_session(engine) as session:
        add_endpoint(session, receiver.url, created_at=clock.now())
        for _ in range(30):
            emit_booking(session, clock)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with new_session(engine) as session:
                while deliver_due(session, clock=clock, limit=4).total:
                    pass
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    sent = [r["headers"]["X-Agendai-Delivery"] for r in receiver.requests]
    assert len(sent) == 30 and len(set(sent)) == 30
    with new_session(engine) as session:
        rows = session.exec(select(WebhookDelivery)).all()
        assert {(r.status, r.attempts) for r in rows} == {("delivered", 1)}


def test_the_events_deliver_command_runs_one_pass(app, worker, clock, receiver):
    add_endpoint(worker, receiver.url, created_at=clock.now())
    emit_booking(worker, clock)

    result = app.test_cli_runner().invoke(args=["events", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "events: 1 delivered, 0 to retry, 0 failed"
    assert len(receiver.requests) == 1


def test_the_worker_loop_delivers_until_sigterm(app, worker, clock, receiver):
    add_endpoint(worker, receiver.url, created_at=clock.now())
    emit_booking(worker, clock)
    said: list[str] = []

    def echo(line: str) -> None:
        said.append(line)
        if line.startswith("events: 1 delivered"):
            os.kill(os.getpid(), signal.SIGTERM)  # what `docker stop` sends the worker

    before = signal.getsignal(signal.SIGTERM)
    engine = app.extensions["agendai.engine"]
    run_forever(lambda: new_session(engine), clock=clock, interval=30, echo=echo)

    assert said == ["events: 1 delivered, 0 to retry, 0 failed", "events: stopped"]
    assert len(receiver.requests) == 1
    assert signal.getsignal(signal.SIGTERM) is before
