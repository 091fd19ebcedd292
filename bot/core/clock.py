"""Injected time: business code asks a clock, never the system directly."""

from __future__ import annotations

from datetime import UTC, datetime
from time import monotonic
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """The real time, moved to start at another instant (`flask chat --now`: replay a
    conversation on a Friday night without waiting for one)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware datetime")
        self._start = start.astimezone(UTC)
        self._began = monotonic()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._start.timestamp() + monotonic() - self._began, UTC)
