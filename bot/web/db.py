"""The request's database session and clock, in one place (as Flask's tutorial keeps `db.py`):
views call `db()` and `clock()`; the app closes the session on teardown."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import Clock
from models import new_session


def db() -> Session:
    """The request's database session (opened on first use, closed on teardown)."""
    if "db_session" not in g:
        g.db_session = new_session(engine())
    return g.db_session


def engine() -> Engine:
    """The app's database engine."""
    return current_app.extensions["agendai.engine"]


def clock() -> Clock:
    """The app's clock (tests may replace it)."""
    return current_app.extensions["agendai.clock"]


def close_db(_exc: BaseException | None = None) -> None:
    """Teardown: close the request's session."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
