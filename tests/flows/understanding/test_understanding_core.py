"""flows.understanding.understand(): the whole reading of one message."""

from __future__ import annotations

import dataclasses
import timeit
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from flows.understanding import DateRange, Understanding, understand
from flows.understanding.intents import INTENTS

TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, tzinfo=TZ)
INSURANCES = ("Unimed", "Bradesco Saúde", "Particular")


def _read(text: str | None, options: tuple[str, ...] = ()) -> Understanding:
    return understand(text, options=options, now=NOW, tz=TZ)


def test_a_booking_request() -> None:
    u = _read("Quero marcar uma consulta amanhã")
    assert u.text == "Quero marcar uma consulta amanhã"
    assert u.normalized == "quero marcar uma consulta amanha"
    assert (u.command, u.intent, u.yes_no, u.name) == (None, "book", None, None)
    assert u.when == DateRange(datetime(2025, 12, 11, tzinfo=TZ), datetime(2025, 12, 12, tzinfo=TZ))
    assert u.at is None


def test_an_exact_moment_and_its_day() -> None:
    u = _read("amanhã às 14h")
    assert u.at == datetime(2025, 12, 11, 14, tzinfo=TZ)
    assert u.when == DateRange(datetime(2025, 12, 11, tzinfo=TZ), datetime(2025, 12, 12, tzinfo=TZ))
    assert u.name is None


def test_a_bound_narrows_the_window() -> None:
    u = _read("tem vaga amanhã depois das 18h?")
    assert (u.intent, u.at) == ("book", None)
    assert u.when == DateRange(
        datetime(2025, 12, 11, 18, tzinfo=TZ), datetime(2025, 12, 12, tzinfo=TZ)
    )


def test_a_bare_number_is_an_option_not_a_time() -> None:
    u = _read("2", INSURANCES)
    assert (u.choice, u.when, u.at) == (1, None, None)
    sentence = _read("amanhã às 2", INSURANCES)
    assert (sentence.choice, sentence.at) == (None, datetime(2025, 12, 11, 14, tzinfo=TZ))


def test_a_cancel_command_is_also_the_cancel_intent() -> None:
    assert (_read("cancelar").command, _read("cancelar").intent) == ("cancel", "cancel")
    assert (_read("canclar").command, _read("canclar").intent) == ("cancel", "cancel")
    longer = _read("quero cancelar minha consulta")
    assert (longer.command, longer.intent) == (None, "cancel")


@pytest.mark.parametrize("text", ["quero falar com alguém", "atendente humano", "humano"])
def test_a_human_request_is_a_command_and_a_handoff(text: str) -> None:
    u = _read(text)
    assert (u.command, u.intent) == ("human", "handoff")


def test_option_choice_and_number() -> None:
    assert _read("2", INSURANCES).choice == 1
    assert _read("bradesco", INSURANCES).choice == 1
    assert _read("9", INSURANCES).out_of_range is True
    assert _read("9").out_of_range is False
    assert _read("amanhã às 2", INSURANCES).choice is None


def test_ambiguous_options() -> None:
    u = _read("sao paulo", ("São Paulo - Paulista", "São Paulo - Centro"))
    assert (u.choice, u.ambiguous) == (None, (0, 1))


def test_cpf_fields() -> None:
    assert (_read("meu cpf é 529.982.247-25").cpf, _read("52998224725").cpf_invalid) == (
        "52998224725",
        False,
    )
    bad = _read("529.982.247-24")
    assert (bad.cpf, bad.cpf_invalid, bad.name) == (None, True, None)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("maria da silva", "Maria da Silva"),
        ("sim", None),
        ("Oi", None),
        ("amanhã", None),
        ("sexta", None),
        ("menu", None),
        ("não sei", None),
    ],
)
def test_name_only_when_nothing_else_was_read(text: str, name: str | None) -> None:
    assert _read(text).name == name


def test_name_is_not_an_option_pick() -> None:
    assert _read("unimed", INSURANCES).name is None


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "🙂🙂🙂", "👍" * 2000, "x" * 5000, "amanhã " * 800, "|" * 3000, "\x00\n\t"],
)
def test_odd_input_never_raises(text: str | None) -> None:
    u = _read(text, INSURANCES)
    assert len(u.text) <= 1000
    assert u.intent in INTENTS


def test_none_is_empty() -> None:
    u = _read(None)
    assert (u.text, u.normalized, u.command, u.intent) == ("", "", None, "other")
    assert (u.choice, u.ambiguous, u.out_of_range, u.yes_no) == (None, (), False, None)
    assert (u.when, u.at, u.cpf, u.cpf_invalid, u.name) == (None, None, None, False, None)


def test_understanding_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _read("oi").intent = "book"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    ["sim " * 1250, "1 " * 500, "às 2 " * 200, "14h-" * 250, "de manhã " * 120, "e meia " * 150],
)
def test_long_input_does_not_backtrack(text: str) -> None:
    # A guard against runaway regular expressions, not a speed test (see bench/understanding.py):
    # a message is cut to 1000 characters and must not take anywhere near a second.
    assert timeit.timeit(lambda: _read(text, INSURANCES), number=5) / 5 < 0.1
