"""flows.understanding.dates: the days patients type (times of day: see test_understanding_when)."""

from __future__ import annotations

from datetime import date

import pytest

from flows.understanding.dates import FoundDay, find_day
from flows.understanding.text import fold

# Wednesday 2025-12-10, as in shared/fixtures/ptbr/datetimes.json.
TODAY = date(2025, 12, 10)


def _day(text: str, today: date = TODAY) -> FoundDay | None:
    return find_day(fold(text), today)


def _first_and_days(text: str, today: date = TODAY) -> tuple[date, int] | None:
    found = _day(text, today)
    return None if found is None else (found.first, found.days)


@pytest.mark.parametrize(
    ("text", "first", "days"),
    [
        ("hoje", "2025-12-10", 1),
        ("hj", "2025-12-10", 1),
        ("amanhã", "2025-12-11", 1),
        ("amanha", "2025-12-11", 1),
        ("depois de amanhã", "2025-12-12", 1),
        ("dps de amanhã", "2025-12-12", 1),
        ("dpois d amanha", "2025-12-12", 1),
        ("depois amanhã", "2025-12-12", 1),
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
        ("essa semana", "2025-12-10", 5),
        ("tem vaga nesta semana?", "2025-12-10", 5),
    ],
)
def test_days(text: str, first: str, days: int) -> None:
    assert _first_and_days(text) == (date.fromisoformat(first), days)


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
    assert _day(text) is None


def test_weekday_today_is_excluded() -> None:
    assert _first_and_days("quarta") == (date(2025, 12, 17), 1)


def test_dia_31_skips_short_months() -> None:
    assert _first_and_days("dia 31", date(2026, 2, 10)) == (date(2026, 3, 31), 1)


def test_29_feb_waits_for_a_leap_year() -> None:
    assert _first_and_days("29/02") == (date(2028, 2, 29), 1)


def test_week_from_a_sunday_starts_tomorrow() -> None:
    assert _first_and_days("semana que vem", date(2025, 12, 14)) == (date(2025, 12, 15), 7)


def test_the_span_of_the_day_in_the_text_is_reported() -> None:
    assert _day("quero sexta de manhã") == FoundDay(6, 11, date(2025, 12, 12), 1, "weekday")
