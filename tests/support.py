"""Helpers the tests share that the app itself never uses: a clock that stands still, and a way
to blank a reused PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Enum, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel


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
