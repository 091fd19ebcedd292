"""flows.understanding.times: times of day in minutes after midnight, before any day is chosen."""

from __future__ import annotations

import pytest

from flows.understanding.text import fold
from flows.understanding.times import DAY, NOON, PARTS, Clock, TimeItem, read_times, settle


def _clock(text: str) -> Clock | None:
    return settle([item for item in read_times(fold(text)) if item.cued])


def _hm(hour: int, minute: int = 0) -> int:
    return hour * 60 + minute


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("14h", _hm(14)),
        ("14 h", _hm(14)),
        ("14hs", _hm(14)),
        ("14hrs", _hm(14)),
        ("14:00", _hm(14)),
        ("14:00h", _hm(14)),
        ("14h30", _hm(14, 30)),
        ("14h30min", _hm(14, 30)),
        ("14 horas", _hm(14)),
        ("8 horas", _hm(8)),
        ("às 14h", _hm(14)),
        ("às 2", _hm(14)),
        ("às 2h", _hm(14)),
        ("2h", _hm(14)),
        ("às 6", _hm(6)),
        ("às 02:00", _hm(2)),
        ("às 9 e meia", _hm(9, 30)),
        ("3 da tarde", _hm(15)),
        ("8 da noite", _hm(20)),
        ("5 da manhã", _hm(5)),
        ("pelas 10", _hm(10)),
        ("umas 10h", _hm(10)),
        ("lá pelas 3", _hm(15)),
        ("por volta das 11", _hm(11)),
        ("meio-dia", NOON),
        ("meio dia e meia", _hm(12, 30)),
        ("às 2, pode ser?", _hm(14)),
        ("às 10 ou depois", _hm(10)),
    ],
)
def test_exact_times(text: str, minutes: int) -> None:
    assert _clock(text) == Clock(minutes, 0, DAY, (minutes,))


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("depois das 18h", _hm(18), DAY),
        ("a partir das 14h", _hm(14), DAY),
        ("após as 9", _hm(9), DAY),
        ("depois do meio-dia", NOON, DAY),
        ("até as 12h", 0, NOON),
        ("até 11h", 0, _hm(11)),
        ("antes das 10", 0, _hm(10)),
        ("até meia-noite", 0, DAY),
        ("entre 14h e 16h", _hm(14), _hm(16)),
        ("entre as 9 e as 11", _hm(9), _hm(11)),
        ("das 9 às 12", _hm(9), NOON),
        ("de 14h a 16h", _hm(14), _hm(16)),
        ("14h às 16h", _hm(14), _hm(16)),
        ("14-16h", _hm(14), _hm(16)),
        ("das 2 às 4", _hm(14), _hm(16)),
        ("de manhã", *PARTS["manha"]),
        ("pela manhã", *PARTS["manha"]),
        ("à tarde", *PARTS["tarde"]),
        ("de tarde", *PARTS["tarde"]),
        ("no fim da tarde", *PARTS["tarde"]),
        ("à noite", *PARTS["noite"]),
        ("de madrugada", *PARTS["madrugada"]),
        ("manhã", *PARTS["manha"]),
        ("à tarde depois das 15h", _hm(15), _hm(18)),
    ],
)
def test_windows(text: str, lo: int, hi: int) -> None:
    assert _clock(text) == Clock(None, lo, hi)


def test_parts_of_the_day() -> None:
    assert PARTS["manha"] == (0, NOON)
    assert PARTS["tarde"] == (NOON, _hm(18))
    assert PARTS["noite"] == (_hm(18), DAY)


@pytest.mark.parametrize(
    "text",
    [
        "2",
        "14",
        "2 e 3",
        "tenho 2 filhos",
        "as 2 opções",
        "as 3 primeiras",
        "a 3",
        "opção 2",
        "11987654321",
        "meu número é 11987654321",
        "(11) 98765-4321",
        "529.982.247-25",
        "R$ 150,00",
        "15/12",
        "15-12",
        "dia 15",
        "2ª feira",
        "daqui a 2h",
        "em 2h",
        "dura 2h",
        "2 horas",
        "24h",
        "25:00",
        "14:75",
        "de 2 a 3 dias",
        "boa tarde",
        "mais tarde",
    ],
)
def test_no_time(text: str) -> None:
    assert _clock(text) is None


def test_the_day_of_the_month_is_not_an_hour() -> None:
    assert _clock("dia 2 de manhã") == Clock(None, *PARTS["manha"])


def test_a_part_without_a_cue_needs_a_day_before_it() -> None:
    (item,) = read_times(fold("sexta manhã"))
    assert (item.lo, item.hi, item.cued) == (0, NOON, False)
    (greeting,) = read_times(fold("boa tarde"))
    assert greeting.cued is False


def test_refused_items_are_marked() -> None:
    items = read_times(fold("às 14h não, pode ser 16h?"))
    assert [(i.lo, i.refused) for i in items] == [(_hm(14), True), (_hm(16), False)]
    assert _clock("às 14h não, pode ser 16h?") == Clock(_hm(16), 0, DAY, (_hm(16),))


def test_two_times_are_a_doubt() -> None:
    assert _clock("14h ou 15h") == Clock(None, 0, DAY, (_hm(14), _hm(15)))


def test_a_morning_hour_moves_into_an_evening_window() -> None:
    assert _clock("à noite às 8") == Clock(_hm(20), _hm(18), DAY, (_hm(20),))


def test_a_time_outside_its_window_is_a_doubt() -> None:
    assert _clock("de manhã às 15h") == Clock(None, 0, DAY, (_hm(15),))


def test_only_refused_items_settle_to_nothing() -> None:
    assert settle([TimeItem(0, 3, 0, NOON, refused=True)]) is None
    assert settle([]) is None


def test_spans_cover_the_cue() -> None:
    (item,) = read_times(fold("amanhã depois das 18h"))
    assert (item.start, item.end) == (7, 21)
