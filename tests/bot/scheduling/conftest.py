"""The scheduling tests talk to LocalScheduling directly, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import models
from bot.clock import FixedClock
from bot.scheduling.local import LocalScheduling


@pytest.fixture
def engine(any_database_url: str) -> Iterator[Engine]:
    """The demo clinic's database, on each engine."""
    engine = models.make_engine(any_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with models.new_session(engine) as session:
        yield session


@pytest.fixture
def scheduling(session: Session, clock: FixedClock) -> LocalScheduling:
    """The local backend at the `clock` fixture's moment (the demo slots' reference)."""
    return LocalScheduling(session=session, clock=clock)
