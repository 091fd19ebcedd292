"""Shared fixtures: an app on a real SQLite file, the demo clinic, a signed Twilio webhook."""

from __future__ import annotations

import os
import shutil
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select
from support import DemoOnPostgres, FixedClock, load_clinic
from twilio.request_validator import RequestValidator

from app import create_app
from bot.api import keys
from bot.demo import load_demo
from models import (
    Appointment,
    Client,
    KeyKind,
    Location,
    ScheduleException,
    Slot,
    WorkingHours,
    make_engine,
    new_session,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures"
AUTH_TOKEN = "test-auth-token"
PUBLIC_BASE_URL = "https://bot.example.com"
# A Wednesday morning in São Paulo: the "now" of shared/fixtures/ptbr/datetimes.json.
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
SANDBOX = "whatsapp:+14155238886"


def load_form(name: str) -> dict[str, str]:
    """A Twilio fixture as the dict Flask would parse from its body."""
    body = (FIXTURES / "twilio" / name).read_text().strip()
    return dict(urllib.parse.parse_qsl(body, keep_blank_values=True))


@pytest.fixture(scope="session")
def read_form() -> Callable[[str], dict[str, str]]:
    """read_form("02_....form"): a Twilio fixture as a dict."""
    return load_form


@pytest.fixture(scope="session")
def twiml_messages() -> Callable[[bytes | str], list[str]]:
    """twiml_messages(response.data): the texts of the <Message> elements."""
    return messages_of


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the schema and the demo clinic, built once and copied per test."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with new_session(engine) as session:
        load_demo(session, today=NOW.date(), now=NOW)
    engine.dispose()
    return path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def database_url(tmp_path: Path, demo_template: Path) -> str:
    path = tmp_path / "agendai.db"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(clock: FixedClock, tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    """make_app(url, **settings): a test app on a database (disposed of after the test)."""
    apps: list[Flask] = []

    def make(database_url: str, **settings: Any) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_SKIP_SIGNATURE": False,
                "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "PROXY_COUNT": 0,
                "CLOCK": clock,
            }
            | settings
        )
        app.instance_path = str(tmp_path / "instance")
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["agendai.engine"].dispose()


@pytest.fixture
def app(make_app: Callable[[str], Flask], database_url: str) -> Flask:
    """The app on a copy of the demo database (SQLite file)."""
    return make_app(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test database, for looking at what the app wrote.

    Every statement commits by itself: reads see what the last request wrote, and the test never
    holds a lock the app's next turn needs.
    """
    engine = make_engine(app.config["DATABASE_URL"], autocommit=True)
    with new_session(engine) as session:
        yield session
    engine.dispose()


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this POST."""
    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def post_twilio(client: FlaskClient) -> Callable[..., object]:
    """POST a form to a Twilio webhook path, signed for the public URL."""

    def post(form: dict[str, str], path: str = "/webhooks/twilio", signature: str | None = None):
        signature = signature if signature is not None else sign(PUBLIC_BASE_URL + path, form)
        return client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    return post


def messages_of(body: bytes | str) -> list[str]:
    """The texts of the <Message> elements of a TwiML answer."""
    root = ET.fromstring(body)
    return [element.text or "" for element in root.iter("Message")]


class Patient:
    """A WhatsApp user talking to the demo clinic through the signed webhook."""

    def __init__(self, post: Callable[..., object], phone: str, profile_name: str = "") -> None:
        self.post = post
        self.phone = phone
        self.profile_name = profile_name
        self.sent = 0

    def form(self, body: str | None, **extra: str) -> dict[str, str]:
        self.sent += 1
        digits = self.phone.lstrip("+")
        form = {
            "MessageSid": f"SM{digits}{self.sent:06d}",
            "From": f"whatsapp:+{digits}",
            "To": SANDBOX,
            "WaId": digits,
            "NumMedia": "0",
            "ProfileName": self.profile_name,
            "AccountSid": "ACtest",
        }
        if body is not None:
            form["Body"] = body
        form.update(extra)
        return form

    def says(self, body: str | None, **extra: str) -> str:
        """Send one message; return the bot's replies joined by blank lines."""
        response = self.post(self.form(body, **extra))
        assert response.status_code == 200, response.data
        return "\n\n".join(messages_of(response.data))


@pytest.fixture
def patient(post_twilio: Callable[..., object]) -> Callable[..., Patient]:
    """Make a patient: patient("+5582912345678", "Jhonata")."""

    def make(phone: str = "+5582912345678", profile_name: str = "") -> Patient:
        return Patient(post_twilio, phone, profile_name)

    return make


# -- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_url() -> str:
    """TEST_DATABASE_URL, reachable; skip (or fail, with AGENDAI_REQUIRE_SERVICES=1) otherwise."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    required = os.environ.get("AGENDAI_REQUIRE_SERVICES") == "1"
    if not url:
        if required:
            pytest.fail("AGENDAI_REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set")
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        if required:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error}")
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error.orig}")
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def pg_demo(pg_url: str) -> Iterator[DemoOnPostgres]:
    """The session's PostgreSQL database: the schema and the demo built once, restored per test."""
    demo = DemoOnPostgres(pg_url, lambda session: load_demo(session, today=NOW.date(), now=NOW))
    yield demo
    demo.dispose()


@pytest.fixture
def pg_database_url(pg_demo: DemoOnPostgres) -> str:
    """PostgreSQL with the demo clinic just as loaded, whatever the previous test did to it."""
    return pg_demo.fresh()


@pytest.fixture
def pg_blank_url(pg_demo: DemoOnPostgres) -> str:
    """PostgreSQL without a table, for a test that builds its own schema (migrations, servers)."""
    return pg_demo.blank()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database_url(request: pytest.FixtureRequest) -> str:
    """Run a test on a SQLite file and on PostgreSQL (skipped without TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        return request.getfixturevalue("database_url")
    return request.getfixturevalue("pg_database_url")


# -- REST API -----------------------------------------------------------------------------------


class Api:
    """The test client with an API key: api.get("/api/v1/clients"), api.post(path, json={...})."""

    def __init__(self, client: FlaskClient, key: str, header: str = "x-api-key") -> None:
        self.client = client
        self.key = key
        self.header = header

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {self.header: self.key} | (extra or {})

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kw):
        return self.client.open(path, method=method, headers=self.headers(headers), **kw)

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw):
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def make_key(app: Flask, clock: FixedClock) -> Callable[..., str]:
    """make_key(clinic_id=1, kind=KeyKind.live, rate_limit=None): a new API key (the key itself)."""

    def make(clinic_id: int | None = 1, kind: KeyKind = KeyKind.live, **options: Any) -> str:
        engine = app.extensions["agendai.engine"]
        with new_session(engine) as session:
            _row, key = keys.create(
                session,
                clinic_id=None if kind is KeyKind.admin else clinic_id,
                name="test",
                kind=kind,
                now=clock.now(),
                **options,
            )
        return key

    return make


@pytest.fixture
def api(client: FlaskClient, make_key: Callable[..., str]) -> Api:
    """An API client with a live key of the demo clinic (id 1)."""
    return Api(client, make_key())


@pytest.fixture
def other_clinic(app: Flask, clock: FixedClock) -> int:
    """A second clinic with the demo's kind of data; returns its id."""
    with new_session(app.extensions["agendai.engine"]) as session:
        clinic = load_clinic(
            session, name="Clínica Outra", slug="outra", today=NOW.date(), now=clock.now()
        )
        return clinic.id


@pytest.fixture
def other_api(client: FlaskClient, make_key: Callable[..., str], other_clinic: int) -> Api:
    """An API client with a live key of the second clinic."""
    return Api(client, make_key(other_clinic))


@pytest.fixture(scope="session")
def redis_url() -> str:
    """TEST_REDIS_URL, reachable; skip (or fail, with AGENDAI_REQUIRE_SERVICES=1) otherwise."""
    import redis  # only the Redis tests need the client

    url = os.environ.get("TEST_REDIS_URL", "")
    required = os.environ.get("AGENDAI_REQUIRE_SERVICES") == "1"
    if not url:
        if required:
            pytest.fail("AGENDAI_REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set")
        pytest.skip("Redis tests need TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        if required:
            pytest.fail(f"Redis at TEST_REDIS_URL is unreachable: {error}")
        pytest.skip(f"Redis at TEST_REDIS_URL is unreachable: {error}")
    return url


@pytest.fixture
def demo_ids(api, patient, session) -> dict[str, str]:
    """An id of the demo clinic (1) for each kind of resource the paths name."""
    patient("+5511987654321").says("oi")  # a conversation of the demo clinic
    hook = api.post("/api/v1/webhooks", json={"url": "https://erp.example.com/hook"})
    assert hook.status_code == 201, hook.json
    hours = session.exec(select(WorkingHours).order_by(WorkingHours.id)).first()
    calendar = f"{hours.professional_id}-{hours.location_id}"

    def first(model) -> str:
        row = session.exec(select(model).where(model.clinic_id == 1).order_by(model.id)).first()
        return str(row.id)

    conversation = api.get("/api/v1/conversations").json["data"][0]["id"]
    return {
        "appointments": first(Appointment),
        "clients": first(Client),
        "calendars": calendar,
        "slots": first(Slot),
        "units": first(Location),
        "insurances": "1",
        "services": "1",
        "professionals": str(hours.professional_id),
        "working-hours": str(hours.id),
        "exceptions": first(ScheduleException),
        "webhooks": hook.json["data"]["id"],
        "conversations": conversation,
    }
