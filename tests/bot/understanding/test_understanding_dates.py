"""bot.understanding.dates: the days patients type, and shared/fixtures/ptbr/datetimes.json."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.understanding import DateRange
from bot.understanding.dates import when_of
from bot.understanding.text import fold

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
DATETIMES: dict[str, Any] = json.loads(
    (FIXTURES / "ptbr" / "datetimes.json").read_text(encoding="utf-8")
)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
# Wednesday 2025-12-10 09:00 in São Paulo, as in the fixture.
NOW = datetime.fromisoformat(DATETIMES["now"])
# A bare time names no day: which day it means is a time-of-day rule (a later issue).
BARE_TIMES = {"às 14h30", "14h", "3 da tarde"}


def _when(text: str, now: datetime = NOW, tz: ZoneInfo = SAO_PAULO) -> DateRange | None:
    return when_of(fold(text), now=now, tz=tz)


def _span(first: str, days: int = 1, tz: ZoneInfo = SAO_PAULO) -> DateRange:
    day = date.fromisoformat(first)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end_day = day + timedelta(days=days)
    return DateRange(start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz))


def _fixture_cases() -> list[Any]:
    cases = []
    for case in DATETIMES["cases"]:
        expected = case["expected"]
        span = _span(expected[:10], 7 if expected.endswith(" week") else 1)
        marks = ()
        if case["text"] in BARE_TIMES:
            marks = pytest.mark.xfail(reason="bare time of day: no day named (later issue)")
        cases.append(pytest.param(case["text"], span, marks=marks, id=case["text"]))
    return cases


def test_fixture_is_the_one_we_think() -> None:
    assert DATETIMES["timezone"] == "America/Sao_Paulo"
    assert NOW.astimezone(SAO_PAULO).weekday() == 2


@pytest.mark.parametrize(("text", "expected"), _fixture_cases())
def test_fixture_days(text: str, expected: DateRange) -> None:
    assert _when(text) == expected


@pytest.mark.parametrize(
    ("text", "first", "days"),
    [
        ("hoje", "2025-12-10", 1),
        ("hj", "2025-12-10", 1),
        ("amanhã", "2025-12-11", 1),
        ("amanha", "2025-12-11", 1),
        ("depois de amanhã", "2025-12-12", 1),
        ("quarta", "2025-12-17", 1),
        ("qua", "2025-12-17", 1),
        ("sexta", "2025-12-12", 1),
        ("sex", "2025-12-12", 1),
        ("segunda-feira", "2025-12-15", 1),
        ("segunda feira", "2025-12-15", 1),
        ("2ª feira", "2025-12-15", 1),
        ("sáb", "2025-12-13", 1),
        ("domingo", "2025-12-14", 1),
        ("na ter", "2025-12-16", 1),
        ("terça-feira", "2025-12-16", 1),
        ("próxima sexta", "2025-12-12", 1),
        ("sexta da semana que vem", "2025-12-19", 1),
        ("15/12", "2025-12-15", 1),
        ("10/12", "2025-12-10", 1),
        ("09/12", "2026-12-09", 1),
        ("15/12/2025", "2025-12-15", 1),
        ("15/01/26", "2026-01-15", 1),
        ("15-12", "2025-12-15", 1),
        ("dia 15", "2025-12-15", 1),
        ("dia 10", "2025-12-10", 1),
        ("dia 9", "2026-01-09", 1),
        ("dia 25 de dezembro", "2025-12-25", 1),
        ("5 de janeiro", "2026-01-05", 1),
        ("semana que vem", "2025-12-15", 7),
        ("próxima semana", "2025-12-15", 7),
        ("daqui a dois dias", "2025-12-12", 1),
        ("em 3 dias", "2025-12-13", 1),
        ("remarcar de hoje para amanhã", "2025-12-11", 1),
        ("amanhã ou sexta", "2025-12-11", 1),
        ("hoje não, amanhã", "2025-12-11", 1),
        ("não posso sexta, pode ser sábado?", "2025-12-13", 1),
        ("não vou poder ir hoje", "2025-12-10", 1),
    ],
)
def test_days(text: str, first: str, days: int) -> None:
    assert _when(text) == _span(first, days)


@pytest.mark.parametrize(
    "text",
    [
        "31/02",
        "32/12",
        "15/13",
        "dia 32",
        "dia 0",
        "ter",
        "vou ter que ver",
        "a segunda opção",
        "14h",
        "R$ 150,00",
        "529.982.247-25",
        "",
        "🙂",
    ],
)
def test_no_day(text: str) -> None:
    assert _when(text) is None


def test_weekday_today_is_excluded() -> None:
    assert _when("quarta") == _span("2025-12-17")


def test_dia_31_skips_short_months() -> None:
    now = datetime(2026, 2, 10, 9, tzinfo=SAO_PAULO)
    assert _when("dia 31", now=now) == _span("2026-03-31")


def test_29_feb_waits_for_a_leap_year() -> None:
    assert _when("29/02") == _span("2028-02-29")


def test_week_from_a_sunday_starts_tomorrow() -> None:
    sunday = datetime(2025, 12, 14, 10, tzinfo=SAO_PAULO)
    assert _when("semana que vem", now=sunday) == _span("2025-12-15", 7)


def test_day_is_read_in_the_clinic_zone() -> None:
    # 00:30 on the 11th in São Paulo is still 23:30 on the 10th in Manaus.
    now = datetime.fromisoformat("2025-12-11T03:30:00+00:00")
    assert _when("amanhã", now=now, tz=SAO_PAULO) == _span("2025-12-12")
    assert _when("amanhã", now=now, tz=MANAUS) == _span("2025-12-11", tz=MANAUS)


def test_range_is_aware_midnight_to_midnight() -> None:
    found = _when("sexta")
    assert found is not None
    assert found.start.tzinfo is SAO_PAULO
    assert (found.start.hour, found.start.minute) == (0, 0)
    assert found.end - found.start == timedelta(days=1)
