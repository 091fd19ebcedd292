"""bot.core.zones: the one default zone, and local days turned into UTC windows at their edges."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.zones import DEFAULT_ZONE, days, local_day, today_in, window, windows, zone_of
from models import Location

MANAUS = "America/Manaus"  # UTC-4 all year
NORONHA = "America/Noronha"  # UTC-2 all year


def test_one_default_zone_for_units_and_figures():
    assert DEFAULT_ZONE == "America/Sao_Paulo"
    assert Location(clinic_id=1, name="x", address="y").timezone == DEFAULT_ZONE
    assert zone_of(None) == zone_of("") == ZoneInfo(DEFAULT_ZONE)
    assert zone_of(MANAUS) == ZoneInfo(MANAUS)


def test_an_unknown_zone_is_an_error_not_the_default():
    with pytest.raises(KeyError):
        zone_of("America/Atlantida")


@pytest.mark.parametrize(
    ("instant", "zone", "day"),
    [
        # 02:59 UTC is still the evening before in São Paulo (UTC-3), 03:00 is midnight there.
        (datetime(2025, 12, 11, 2, 59, 59, tzinfo=UTC), DEFAULT_ZONE, date(2025, 12, 10)),
        (datetime(2025, 12, 11, 3, 0, tzinfo=UTC), DEFAULT_ZONE, date(2025, 12, 11)),
        # Manaus turns the day an hour later than São Paulo.
        (datetime(2025, 12, 11, 3, 59, 59, tzinfo=UTC), MANAUS, date(2025, 12, 10)),
        (datetime(2025, 12, 11, 4, 0, tzinfo=UTC), MANAUS, date(2025, 12, 11)),
        (datetime(2025, 12, 11, 1, 59, 59, tzinfo=UTC), NORONHA, date(2025, 12, 10)),
        (datetime(2025, 12, 11, 2, 0, tzinfo=UTC), NORONHA, date(2025, 12, 11)),
    ],
)
def test_the_local_day_turns_at_local_midnight(instant: datetime, zone: str, day: date):
    assert local_day(instant, zone) == day
    assert today_in(zone, instant) == day


def test_a_naive_instant_is_read_as_utc():
    assert local_day(datetime(2025, 12, 11, 2, 59), DEFAULT_ZONE) == date(2025, 12, 10)


def test_a_window_holds_its_first_local_midnight_and_stops_before_the_next():
    low, high = window(DEFAULT_ZONE, date(2025, 12, 10), date(2025, 12, 10))
    assert (low, high) == (
        datetime(2025, 12, 10, 3, 0, tzinfo=UTC),
        datetime(2025, 12, 11, 3, 0, tzinfo=UTC),
    )
    assert local_day(low, DEFAULT_ZONE) == date(2025, 12, 10)
    assert local_day(high, DEFAULT_ZONE) == date(2025, 12, 11)


def test_the_same_local_days_are_other_instants_in_each_unit():
    found = windows({1: DEFAULT_ZONE, 2: MANAUS}, date(2025, 12, 10), date(2025, 12, 12))
    assert found[1][0] == datetime(2025, 12, 10, 3, 0, tzinfo=UTC)
    assert found[2][0] == datetime(2025, 12, 10, 4, 0, tzinfo=UTC)
    assert found[2][1] - found[2][0] == found[1][1] - found[1][0]


def test_a_window_over_sao_paulos_old_summer_time_is_23_hours_long():
    # Brazil last left summer time on 2019-02-17: that local day had 25 hours, 2018-11-04 had 23.
    low, high = window(DEFAULT_ZONE, date(2018, 11, 4), date(2018, 11, 4))
    assert (high - low).total_seconds() == 23 * 3600
    low, high = window(DEFAULT_ZONE, date(2019, 2, 16), date(2019, 2, 16))
    assert (high - low).total_seconds() == 25 * 3600


def test_days_include_both_ends():
    assert days(date(2025, 12, 30), date(2026, 1, 2)) == [
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 1, 2),
    ]
    assert days(date(2025, 12, 30), date(2025, 12, 30)) == [date(2025, 12, 30)]
    assert days(date(2025, 12, 30), date(2025, 12, 29)) == []
