"""Helpers the tests share that the app itself never uses: a clock that stands still, a way to
blank a reused PostgreSQL database, a second clinic with the demo's data, the demo kept on
PostgreSQL for a whole session, and Twilio's API answering from a script."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Enum, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select
from twilio.http import HttpClient
from twilio.http.response import Response

from bot import demo
from bot.messaging.channels.base import OutboundRequest, SendError, SendResult
from bot.messaging.channels.twilio import TwilioTransport
from models import Clinic, Conversation, make_engine, new_session


class FixedClock:
    """A clock that stands still until moved; for tests and demos."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self._moment

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keyword arguments (minutes=5, days=1, ...)."""
        self._moment += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        """Jump to a moment."""
        self._moment = moment.astimezone(UTC)


def drop_all(engine: Engine) -> None:
    """Drop every table, the Alembic version table and (PostgreSQL) our enum types."""
    SQLModel.metadata.drop_all(engine)
    enums = sorted(
        {
            column.type.name
            for table in SQLModel.metadata.tables.values()
            for column in table.columns
            if isinstance(column.type, Enum) and column.type.name
        }
    )
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if engine.dialect.name == "postgresql" and enums:
            connection.execute(text(f"DROP TYPE IF EXISTS {', '.join(enums)}"))


def load_clinic(session: Session, *, name: str, slug: str, today: date, now: datetime) -> Clinic:
    """Another clinic with the demo's generated data (no WhatsApp number), committed."""
    clinic = Clinic(name=name, slug=slug, settings={"ask_cpf": True})
    return demo.fill(session, clinic, today=today, now=now)


class DemoOnPostgres:
    """The demo clinic on one PostgreSQL database, for every test of a session.

    The schema and the demo are built once; each test then gets the demo back by deleting every
    row and copying the demo's rows in again, which takes a fifth of the time of dropping,
    creating and loading (measured: about 0.1 s against 0.7 s). TRUNCATE is slower than DELETE
    here: it makes new files for each of thirty small tables.
    """

    def __init__(self, url: str, load: Callable[[Session], object]) -> None:
        self.url = url
        self._load = load
        self._engine = make_engine(url)
        self._rows: dict[str, bytes] | None = None  # None: the schema is not known to be ours
        self._sequences: list[tuple[str, int | None]] = []

    def fresh(self) -> str:
        """The demo clinic, as it was just after loading; the URL to reach it."""
        if self._rows is None:
            self._build()
        else:
            self._restore()
        return self.url

    def blank(self) -> str:
        """No tables at all, for a test that builds its own; the next fresh() builds again."""
        self._rows = None
        drop_all(self._engine)
        return self.url

    def dispose(self) -> None:
        """Close the connections."""
        self._engine.dispose()

    def _build(self) -> None:
        drop_all(self._engine)
        SQLModel.metadata.create_all(self._engine)
        with new_session(self._engine) as session:
            self._load(session)
        rows: dict[str, bytes] = {}
        connection = self._engine.raw_connection()
        try:
            with connection.driver_connection.cursor() as cursor:
                for table in SQLModel.metadata.sorted_tables:
                    with cursor.copy(f'COPY "{table.name}" TO STDOUT') as copy:
                        rows[table.name] = b"".join(bytes(block) for block in copy)
                cursor.execute(
                    "SELECT sequencename, last_value FROM pg_sequences"
                    " WHERE schemaname = current_schema()"
                )
                self._sequences = cursor.fetchall()
            connection.commit()
        finally:
            connection.close()
        self._rows = rows

    def _restore(self) -> None:
        assert self._rows is not None
        connection = self._engine.raw_connection()
        try:
            with connection.driver_connection.cursor() as cursor:
                # A test that left a transaction open fails here rather than hanging the run.
                cursor.execute("SET LOCAL lock_timeout = '10s'")
                for table in reversed(SQLModel.metadata.sorted_tables):
                    cursor.execute(f'DELETE FROM "{table.name}"')
                for table in SQLModel.metadata.sorted_tables:
                    if self._rows[table.name]:
                        with cursor.copy(f'COPY "{table.name}" FROM STDIN') as copy:
                            copy.write(self._rows[table.name])
                for sequence, last_value in self._sequences:
                    # As RESTART IDENTITY would: the next id is the one after the demo's last.
                    if last_value is None:
                        cursor.execute("SELECT setval(%s, 1, false)", (sequence,))
                    else:
                        cursor.execute("SELECT setval(%s, %s)", (sequence, last_value))
            connection.commit()
        finally:
            connection.close()


# -- Twilio's API, replaced at the only seam twilio-python offers: its HttpClient -----------------

TWILIO_ACCOUNT = "ACtest"
STATUS_CALLBACK = "https://bot.example.com/webhooks/twilio/status"


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
    return {
        "sid": sid,
        "status": status,
        "account_sid": TWILIO_ACCOUNT,
        "body": "",
        "num_segments": "1",
    }


def twilio_error(code: int, status: int, message: str = "error") -> tuple[int, dict[str, Any]]:
    """Twilio's error body (legacy format, as the Messages API answers)."""
    return status, {"code": code, "message": message, "more_info": "", "status": status}


def twilio(http: FakeTwilioHttp, auth_token: str = "test-auth-token") -> TwilioTransport:
    """The real Twilio transport, talking to a FakeTwilioHttp."""
    return TwilioTransport(TWILIO_ACCOUNT, auth_token, STATUS_CALLBACK, http_client=http)


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


def conversation_with(session: Session, phone: str) -> Conversation:
    """The conversation of a WhatsApp number (+55...), read afresh from the database."""
    session.expire_all()
    address = "whatsapp:" + phone
    return session.exec(select(Conversation).where(Conversation.address == address)).one()


def set_flow_settings(session: Session, **settings: Any) -> None:
    """Give the demo clinic these flow settings (committed)."""
    clinic = session.exec(select(Clinic)).one()
    clinic.settings = settings
    session.add(clinic)
    session.commit()
