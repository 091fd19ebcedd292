"""Invariants 1-3 through the real webhook, under real concurrency.

Threads post signed Twilio forms, each through its own Flask test client (so each request has its
own database session, as under a server), all released at once by a barrier; the last test does
the same over HTTP against a real multi-worker gunicorn server in a subprocess. Every test runs on
a SQLite file and on PostgreSQL (with TEST_DATABASE_URL).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from string import ascii_lowercase, ascii_uppercase
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import AUTH_TOKEN, PUBLIC_BASE_URL, REPO, Patient, messages_of, sign
from flask import Flask
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, select

import models
from bot.brazil.cpf import valid_cpf
from bot.demo import load_demo
from models import (
    Appointment,
    Conversation,
    Direction,
    Message,
    Slot,
    SlotHold,
)

WEBHOOK = "/webhooks/twilio"
RACERS = 20
JOIN_SECONDS = 60  # far above the expected few seconds: a hang fails the test, not the run
CONFIRM = "Confirma o agendamento?"
TAKEN = "acabou de ser reservado"
ERROR = "tive um problema"  # the fail-safe apology of flows.engine
SLOT_OPTION = re.compile(r"^\d+ - \d{2}:\d{2} · ", re.MULTILINE)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


# -- helpers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a webhook POST returned, whatever carried it (Flask test client or http.client)."""

    status_code: int
    data: bytes


Post = Callable[[dict[str, str]], Answer]


def flask_post(app: Flask) -> Post:
    """POST signed forms through a test client of its own (one per patient, one per thread)."""
    client = app.test_client()

    def post(form: dict[str, str]) -> Answer:
        signature = sign(PUBLIC_BASE_URL + WEBHOOK, form)
        response = client.post(WEBHOOK, data=form, headers={"X-Twilio-Signature": signature})
        return Answer(response.status_code, response.data)

    return post


def http_post(port: int) -> Post:
    """POST signed, form-encoded bodies to a live server (a new connection each time)."""
    url = f"http://127.0.0.1:{port}{WEBHOOK}"

    def post(form: dict[str, str]) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=JOIN_SECONDS)
        try:
            connection.request(
                "POST",
                WEBHOOK,
                body=urllib.parse.urlencode(form),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": sign(url, form),
                },
            )
            response = connection.getresponse()
            return Answer(response.status, response.read())
        finally:
            connection.close()

    return post


def joined(answer: Answer) -> str:
    """The bot's replies joined by blank lines."""
    assert answer.status_code == 200, answer.data
    return "\n\n".join(messages_of(answer.data))


def phone(tag: int, i: int) -> str:
    """A São Paulo mobile number no demo patient has."""
    return f"+55119{tag}{i:07d}"


def cpf(n: int) -> str:
    """A distinct valid CPF for each n: nine digits, then the two check digits."""
    digits = f"{234567000 + 137 * n:09d}"
    for _ in range(2):
        weights = range(len(digits) + 1, 1, -1)
        total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
        digits += str(total * 10 % 11 % 10)
    return digits


def option_number(reply: str, *labels: str) -> str:
    """The number of the option whose line contains every label."""
    for line in reply.splitlines():
        match = re.match(r"(\d+) - ", line)
        if match and all(label in line for label in labels):
            return match.group(1)
    raise AssertionError(f"no option with {labels!r} in:\n{reply}")


def deliver(app: Flask, form: dict[str, str]) -> Callable[[], Answer]:
    """A job that posts this very form through a test client of its own."""
    post = flask_post(app)
    return lambda: post(form)


def racer_name(index: int) -> str:
    """A profile name the bot offers as a full name (no digits: "Paciente7" is not offered)."""
    return f"Paciente {ascii_uppercase[index]}{ascii_lowercase[index]}"  # "Ee", never a particle


def race(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run each job in its own thread, all released together by a barrier; their results.

    Anything a job raises fails the test here, with every such error listed.
    """
    barrier = threading.Barrier(len(jobs), timeout=JOIN_SECONDS)
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as error:  # reported below, in the test's thread
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, f"{len(errors)} racer(s) failed: {errors!r}"
    return results


def walk(p: Patient, service: str) -> str:
    """From "oi" to the list of free slots (Unimed, Paulista); the list."""
    reply = ""
    for body in ("oi", "1", "unimed", "paulista", service):
        reply = p.says(body)
    assert SLOT_OPTION.search(reply), reply
    return reply


@dataclass
class Outcome:
    """One racer: the reply to its pick and, when it got the place, to its last message."""

    pick: Answer
    final: str = ""


def booker(p: Patient, choice: str, n: int) -> Callable[[], Outcome]:
    """Pick the option; when asked to confirm: yes, the profile name, a valid CPF."""

    def job() -> Outcome:
        answer = p.post(p.form(choice))
        if answer.status_code != 200 or CONFIRM not in joined(answer):
            return Outcome(answer)
        assert f"*{p.profile_name}*" in p.says("sim")  # may the profile name be used?
        assert "CPF" in p.says("sim")
        return Outcome(answer, p.says(cpf(n)))

    return job


def conversation_of(observer: Engine, p: Patient) -> Conversation:
    with models.new_session(observer) as session:
        return session.exec(
            select(Conversation).where(Conversation.address == "whatsapp:" + p.phone)
        ).one()


def chosen_slot(observer: Engine, patients: list[Patient], choice: str) -> int:
    """The slot behind option `choice`: the same one for every patient (they saw one list)."""
    index = int(choice) - 1
    slots = {conversation_of(observer, p).context["option_values"][index] for p in patients}
    assert len(slots) == 1, f"the patients were offered different slots: {slots}"
    return slots.pop()


def appointments_on(observer: Engine, slot_id: int) -> int:
    """Every appointment on the slot, whatever its status: a race may only ever add some."""
    with models.new_session(observer) as session:
        return session.exec(
            select(func.count()).select_from(Appointment).where(Appointment.slot_id == slot_id)
        ).one()


def holds_on(observer: Engine, slot_id: int) -> int:
    with models.new_session(observer) as session:
        return session.exec(
            select(func.count()).select_from(SlotHold).where(SlotHold.slot_id == slot_id)
        ).one()


def check_booking_race(
    observer: Engine,
    patients: list[Patient],
    outcomes: list[Outcome],
    slot_id: int,
    capacity: int,
) -> None:
    """`capacity` racers booked the slot; every other one was told kindly and offered others."""
    assert [o.pick.status_code for o in outcomes] == [200] * len(outcomes)
    picks = [joined(o.pick) for o in outcomes]
    assert not [reply for reply in picks + [o.final for o in outcomes] if ERROR in reply]
    assert appointments_on(observer, slot_id) == capacity  # Invariant 1 itself
    assert holds_on(observer, slot_id) == 0  # the winners' holds became appointments
    winners = [o for o, reply in zip(outcomes, picks, strict=True) if CONFIRM in reply]
    losers = [(p, reply) for p, reply in zip(patients, picks, strict=True) if CONFIRM not in reply]
    assert len(winners) == capacity, [reply.splitlines()[0] for reply in picks]
    assert all("Pronto, " in o.final for o in winners), [o.final for o in winners]
    assert len(losers) == len(patients) - capacity
    for p, reply in losers:
        assert TAKEN in reply, reply
        assert SLOT_OPTION.search(reply), f"no other times offered:\n{reply}"
        # The refreshed list no longer offers the full slot.
        assert slot_id not in conversation_of(observer, p).context["option_values"]


@pytest.fixture
def observer(any_database_url: str) -> Iterator[Engine]:
    """An engine for looking at what the app wrote: every statement commits by itself."""
    engine = models.make_engine(any_database_url, autocommit=True)
    yield engine
    engine.dispose()


@pytest.fixture
def app(make_app: Callable[[str], Flask], any_database_url: str) -> Flask:
    return make_app(any_database_url)


# -- Invariant 1: many patients, few places -----------------------------------------------------


def test_twenty_patients_race_for_one_place(app: Flask, observer: Engine) -> None:
    patients = [Patient(flask_post(app), phone(1, i), racer_name(i)) for i in range(RACERS)]
    lists = {walk(p, "clinica geral") for p in patients}
    assert len(lists) == 1  # everybody sees the same times
    assert "1 - 09:30 · Dra. Ana Souza" in lists.pop()
    slot_id = chosen_slot(observer, patients, "1")

    outcomes = race([booker(p, "1", i) for i, p in enumerate(patients)])

    check_booking_race(observer, patients, outcomes, slot_id, capacity=1)
    lost = [joined(o.pick) for o in outcomes if CONFIRM not in joined(o.pick)]
    assert not [reply for reply in lost if "09:30 · Dra. Ana Souza" in reply]


def test_twenty_patients_race_for_a_group_of_three(app: Flask, observer: Engine) -> None:
    patients = [Patient(flask_post(app), phone(2, i), racer_name(i)) for i in range(RACERS)]
    choices = set()
    for p in patients:
        walk(p, "fisioterapia")
        reply = p.says("16/12")
        for _ in range(3):  # the evening group comes after the day's single sessions
            if "18:00" in reply and "grupo" in reply:
                break
            reply = p.says("mais")
        choices.add(option_number(reply, "18:00", "Carla Mendes", "grupo, 3 vagas"))
    assert len(choices) == 1
    choice = choices.pop()
    slot_id = chosen_slot(observer, patients, choice)
    with models.new_session(observer) as session:
        slot = session.get(Slot, slot_id)
        assert slot is not None and slot.capacity == 3
        assert slot.start.astimezone(SAO_PAULO) == datetime(2025, 12, 16, 18, tzinfo=SAO_PAULO)

    outcomes = race([booker(p, choice, i) for i, p in enumerate(patients)])

    check_booking_race(observer, patients, outcomes, slot_id, capacity=3)


# -- Invariant 2: one provider message id, processed once ---------------------------------------


def test_one_message_delivered_ten_times_at_once_is_one_turn(app: Flask, observer: Engine) -> None:
    reference = Patient(flask_post(app), phone(3, 0))
    expected = reference.post(reference.form("oi"))
    p = Patient(flask_post(app), phone(3, 1), "Bia")
    form = p.form("oi")
    sid = form["MessageSid"]

    answers = race([deliver(app, form) for _ in range(10)])

    assert [a.status_code for a in answers] == [200] * 10
    assert len({a.data for a in answers}) == 1  # every delivery got the same TwiML
    replies = messages_of(answers[0].data)
    assert replies == messages_of(expected.data)  # ...which is what one "oi" gets
    with models.new_session(observer) as session:
        inbound = session.exec(select(Message).where(Message.provider_id == sid)).all()
        assert len(inbound) == 1 and inbound[0].direction == Direction.inbound
        outbound = session.exec(
            select(Message.body)
            .where(Message.reply_to_id == inbound[0].id)
            .order_by(col(Message.id))
        ).all()
        assert list(outbound) == replies  # stored once, not ten times
        conversations = session.exec(
            select(Conversation).where(Conversation.address == "whatsapp:" + p.phone)
        ).all()
        assert len(conversations) == 1
        [conversation] = conversations
        assert session.exec(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation.id)
        ).one() == 1 + len(replies)
    one_turn = conversation_of(observer, reference)
    assert (conversation.state, conversation.context) == (one_turn.state, one_turn.context)
    assert conversation.state == "menu"


# -- Invariant 3: one conversation, one message at a time ---------------------------------------


def test_two_messages_of_one_conversation_at_once_run_one_after_the_other(
    app: Flask, observer: Engine
) -> None:
    p = Patient(flask_post(app), phone(4, 0))
    p.says("oi")
    assert "Unimed" in p.says("1")  # the insurance question
    forms = [p.form("unimed"), p.form("bradesco")]

    answers = race([deliver(app, form) for form in forms])

    assert [a.status_code for a in answers] == [200, 200]
    by_sid = {form["MessageSid"]: answer for form, answer in zip(forms, answers, strict=True)}
    replies = {form["Body"]: joined(by_sid[form["MessageSid"]]) for form in forms}
    assert not [reply for reply in replies.values() if ERROR in reply]
    conversation = conversation_of(observer, p)
    with models.new_session(observer) as session:
        inbound = session.exec(
            select(Message)
            .where(col(Message.provider_id).in_(list(by_sid)))
            .order_by(col(Message.id))
        ).all()
        assert [m.conversation_id for m in inbound] == [conversation.id] * 2
        for message in inbound:
            stored = session.exec(
                select(Message.body)
                .where(Message.reply_to_id == message.id)
                .order_by(col(Message.id))
            ).all()
            assert list(stored) == messages_of(by_sid[message.provider_id].data)
    first, second = (message.body for message in inbound)  # in the order they were handled
    # The first turn answered the insurance question; the second found the unit question and
    # did not understand an insurance there. Two turns at once would both have moved on.
    assert "Em qual unidade" in replies[first] and "Não encontrei" not in replies[first]
    assert "Não encontrei essa opção" in replies[second] and "Em qual unidade" in replies[second]
    assert conversation.state == "location"
    units = ["Paulista", "Pinheiros"] + (["Manaus Centro"] if first == "unimed" else [])
    assert conversation.context["option_labels"] == units  # Bradesco is not taken in Manaus


# -- all of it against a real multi-worker server ------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with the demo clinic dated from the real today: the server's clock is real."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
    else:
        url = request.getfixturevalue("pg_blank_url")
    engine = models.make_engine(url)
    try:
        SQLModel.metadata.create_all(engine)
        now = datetime.now(UTC)
        with models.new_session(engine) as session:
            load_demo(session, today=now.astimezone(SAO_PAULO).date(), now=now)
    finally:
        engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within 15 s:\n{log.read_text()}")


def test_twenty_patients_race_through_a_multi_worker_gunicorn(
    live_database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "DATABASE_URL": live_database_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "warning",
    }
    for name in ("TWILIO_SKIP_SIGNATURE", "PROXY_COUNT"):
        env.pop(name, None)
    log = tmp_path / "gunicorn.log"
    observer = models.make_engine(live_database_url, autocommit=True)
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:app"],
            cwd=REPO,
            env=env,
            stdout=stderr,
            stderr=stderr,
        )
    try:
        wait_until_healthy(server, port, log)
        patients = [Patient(http_post(port), phone(5, i), racer_name(i)) for i in range(RACERS)]
        for p in patients:
            walk(p, "clinica geral")
        # The real clock: take the first time offered, unless it is about to start.
        choice = "1"
        with models.new_session(observer) as session:
            first = session.get(Slot, chosen_slot(observer, patients, "1"))
            assert first is not None
            if first.start - datetime.now(UTC) < timedelta(minutes=2):
                choice = "2"
        slot_id = chosen_slot(observer, patients, choice)

        outcomes = race([booker(p, choice, i) for i, p in enumerate(patients)])

        check_booking_race(observer, patients, outcomes, slot_id, capacity=1)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        observer.dispose()
    assert "Traceback" not in log.read_text(), log.read_text()


def test_the_generated_cpfs_are_valid_and_distinct() -> None:
    numbers = [cpf(n) for n in range(RACERS)]
    assert len(set(numbers)) == RACERS
    assert all(valid_cpf(number) == number for number in numbers)
