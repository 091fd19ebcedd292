"""flows.understanding.when: day + time of day, and every case of fixtures/ptbr/datetimes.json.

The fixture's notation maps onto When as: an exact moment -> `at`, with its whole day as the
window; a day -> the whole day; "morning"/"afternoon" -> that part; "week" -> Monday to Monday;
"from"/"until" HH:MM -> the day from / up to that time.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES

from flows.understanding import DateRange
from flows.understanding.text import fold
from flows.understanding.when import When, read_when

DATETIMES: dict[str, Any] = json.loads(
    (FIXTURES / "ptbr" / "datetimes.json").read_text(encoding="utf-8")
)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
# Wednesday 2025-12-10 09:00 in São Paulo, as in the fixture.
NOW = datetime.fromisoformat(DATETIMES["now"])
# The fixture's parts of the day: morning before 12:00, afternoon 12:00-18:00.
PARTS = {"morning": (time(0), time(12)), "afternoon": (time(12), time(18))}


def _read(text: str, now: datetime = NOW, tz: ZoneInfo = SAO_PAULO) -> When:
    return read_when(fold(text), now=now, tz=tz)


def _at(day: date, moment: time = time(0), tz: ZoneInfo = SAO_PAULO) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz)


def _whole(day: date, days: int = 1, tz: ZoneInfo = SAO_PAULO) -> DateRange:
    return DateRange(_at(day, tz=tz), _at(day + timedelta(days=days), tz=tz))


def _expected(expected: str) -> When:
    """The fixture's notation as a When: exact, day, part of day, week, from / until a bound."""
    if "T" in expected:
        moment = datetime.fromisoformat(expected).replace(tzinfo=SAO_PAULO)
        return When(_whole(moment.date()), moment)
    day, _, rest = expected.partition(" ")
    first = date.fromisoformat(day)
    kind, _, bound = rest.partition(" ")
    if not kind:
        return When(_whole(first))
    if kind == "week":
        return When(_whole(first, 7))
    if kind in PARTS:
        start, end = PARTS[kind]
        return When(DateRange(_at(first, start), _at(first, end)))
    limit = _at(first, time.fromisoformat(bound))
    if kind == "from":
        return When(DateRange(limit, _at(first + timedelta(days=1))))
    assert kind == "until", expected
    return When(DateRange(_at(first), limit))


def test_fixture_is_the_one_we_think() -> None:
    assert DATETIMES["timezone"] == "America/Sao_Paulo"
    assert NOW.astimezone(SAO_PAULO).weekday() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(c["text"], c["expected"], id=c["text"]) for c in DATETIMES["cases"]],
)
def test_fixture_case(text: str, expected: str) -> None:
    assert _read(text) == _expected(expected)


@pytest.mark.parametrize("case", [c for c in DATETIMES["cases"] if c["expected"].endswith("week")])
def test_fixture_weeks_start_on_monday(case: dict[str, str]) -> None:
    window = _read(case["text"]).window
    assert window is not None
    assert window.start.weekday() == 0


@pytest.mark.parametrize(
    ("text", "day", "start", "end"),
    [
        ("sexta à noite", "2025-12-12", "18:00", None),
        ("amanhã de madrugada", "2025-12-11", "00:00", "06:00"),
        ("amanhã cedo", "2025-12-11", "00:00", "12:00"),
        ("sexta manhã", "2025-12-12", "00:00", "12:00"),
        ("quinta entre 14h e 16h", "2025-12-11", "14:00", "16:00"),
        ("sexta das 9 às 12", "2025-12-12", "09:00", "12:00"),
        ("sexta 14h-16h", "2025-12-12", "14:00", "16:00"),
        ("sexta 10-12h", "2025-12-12", "10:00", "12:00"),
        ("amanhã a partir das 15h", "2025-12-11", "15:00", None),
        ("amanhã antes das 10", "2025-12-11", "00:00", "10:00"),
        ("amanhã depois do meio-dia", "2025-12-11", "12:00", None),
        ("amanhã à tarde depois das 15h", "2025-12-11", "15:00", "18:00"),
        ("quero remarcar pra sexta de manhã", "2025-12-12", "00:00", "12:00"),
        ("tem vaga amanhã depois das 18h?", "2025-12-11", "18:00", None),
        ("hoje não, amanhã à tarde", "2025-12-11", "12:00", "18:00"),
        ("de manhã não, à tarde", "2025-12-10", "12:00", "18:00"),
    ],
)
def test_windows(text: str, day: str, start: str, end: str | None) -> None:
    first = date.fromisoformat(day)
    stop = _at(first, time.fromisoformat(end)) if end else _at(first + timedelta(days=1))
    assert _read(text) == When(DateRange(_at(first, time.fromisoformat(start)), stop))


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("amanhã às 2", "2025-12-11T14:00"),
        ("quinta 9h", "2025-12-11T09:00"),
        ("amanhã às 8 da noite", "2025-12-11T20:00"),
        ("amanhã à noite, às 8", "2025-12-11T20:00"),
        ("amanhã ao meio-dia", "2025-12-11T12:00"),
        ("amanhã às 14h não, pode ser 16h?", "2025-12-11T16:00"),
        ("15/12 às 9 e meia", "2025-12-15T09:30"),
        ("sexta às 14hs", "2025-12-12T14:00"),
        ("sexta 14h30min", "2025-12-12T14:30"),
        ("sexta às 14 horas", "2025-12-12T14:00"),
    ],
)
def test_exact_moments(text: str, moment: str) -> None:
    assert _read(text) == _expected(moment)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        ("2025-12-10T09:00", "14h", "2025-12-10T14:00"),
        ("2025-12-10T15:00", "14h", "2025-12-11T14:00"),
        ("2025-12-10T14:00", "14h", "2025-12-11T14:00"),
        ("2025-12-10T09:00", "8h", "2025-12-11T08:00"),
        ("2025-12-10T09:00", "às 2", "2025-12-10T14:00"),
        ("2025-12-10T19:00", "à tarde", "2025-12-11 afternoon"),
        ("2025-12-10T13:00", "à tarde", "2025-12-10 afternoon"),
        ("2025-12-10T13:00", "até as 12h", "2025-12-11 until 12:00"),
        ("2025-12-10T09:00", "depois das 18h", "2025-12-10 from 18:00"),
    ],
)
def test_a_time_without_a_day_is_today_if_still_ahead(now: str, text: str, expected: str) -> None:
    moment = datetime.fromisoformat(now).replace(tzinfo=SAO_PAULO)
    assert _read(text, now=moment) == _expected(expected)


def test_an_explicit_today_stays_today_even_if_past() -> None:
    assert _read("hoje às 8h") == _expected("2025-12-10T08:00")


@pytest.mark.parametrize(
    "text",
    ["amanhã às 14h ou 15h", "amanhã de manhã às 15h", "amanhã de manhã ou à noite"],
)
def test_doubt_gives_the_whole_day_and_no_moment(text: str) -> None:
    assert _read(text) == When(_whole(date(2025, 12, 11)))


def test_a_week_keeps_its_window_whatever_the_time() -> None:
    assert _read("semana que vem às 14h") == When(_whole(date(2025, 12, 15), 7))
    assert _read("semana que vem de manhã") == When(_whole(date(2025, 12, 15), 7))


def test_a_refused_time_alone_is_no_time() -> None:
    assert _read("não posso de manhã") == When()


@pytest.mark.parametrize(
    "text",
    [
        "2",
        "14",
        "tenho 2 filhos",
        "as 2 opções",
        "a 3",
        "meu número é 11987654321",
        "meu telefone é (71) 98888-7777",
        "71 98888-7777",
        "529.982.247-25",
        "52998224725",
        "R$ 150,00",
        "a consulta dura 2h?",
        "daqui a 2 horas",
        "2 horas",
        "atendimento 24h",
        "de 2 a 3 dias",
        "boa tarde",
        "boa noite!",
        "mais tarde",
        "cheguei tarde",
        "2️⃣",
        "",
        "🙂",
    ],
)
def test_never_a_time(text: str) -> None:
    assert _read(text) == When()


def test_a_date_is_not_read_inside_a_time_range() -> None:
    # "10-12h" is ten to twelve o'clock, not the 10th of December.
    today = date(2025, 12, 10)
    assert _read("10-12h") == When(DateRange(_at(today, time(10)), _at(today, time(12))))


def test_day_is_read_in_the_clinic_zone() -> None:
    # 00:30 on the 11th in São Paulo is still 23:30 on the 10th in Manaus.
    now = datetime.fromisoformat("2025-12-11T03:30:00+00:00")
    assert _read("amanhã", now=now, tz=SAO_PAULO) == When(_whole(date(2025, 12, 12)))
    assert _read("amanhã", now=now, tz=MANAUS) == When(_whole(date(2025, 12, 11), tz=MANAUS))


def test_moments_are_aware_in_the_clinic_zone() -> None:
    found = _read("amanhã às 14h", tz=MANAUS)
    assert found.at is not None and found.window is not None
    assert found.at.tzinfo is MANAUS
    assert found.at.isoformat() == "2025-12-11T14:00:00-04:00"
    assert found.window.end - found.window.start == timedelta(days=1)


def test_a_naive_now_is_taken_in_the_clinic_zone() -> None:
    assert _read("14h", now=datetime(2025, 12, 10, 15)) == _expected("2025-12-11T14:00")
