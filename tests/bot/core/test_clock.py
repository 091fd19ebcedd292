"""bot.core.clock: the real clock, and the real clock moved to start at another instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ShiftedClock, SystemClock


def test_the_system_clock_is_aware_utc():
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_shifted_clock_starts_at_its_instant_and_runs_on():
    start = datetime(2025, 12, 12, 22, 30, tzinfo=ZoneInfo("America/Manaus"))
    clock = ShiftedClock(start)
    first, second = clock.now(), clock.now()
    assert first.tzinfo is UTC
    assert timedelta(0) <= first - start < timedelta(seconds=5)
    assert second >= first


def test_a_shifted_clock_needs_an_offset():
    with pytest.raises(ValueError, match="timezone-aware"):
        ShiftedClock(datetime(2025, 12, 12, 22, 30))
