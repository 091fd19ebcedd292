"""flows.understanding.choices: picking one of the offered options."""

from __future__ import annotations

import pytest

from flows.understanding import normalize
from flows.understanding.choices import Choice, choose

INSURANCES = ["Unimed", "Bradesco Saúde", "Particular"]
UNITS = ["São Paulo - Paulista", "São Paulo - Centro", "Campinas"]
SERVICES = ["Clínica geral (30 min)", "Cardiologia", "Cardiologia pediátrica"]
PERIODS = ["Manhã", "Tarde"]


def _choose(text: str, options: list[str]) -> Choice:
    return choose(normalize(text), options)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("1", 0),
        ("2", 1),
        ("2.", 1),
        ("2)", 1),
        ("opção 2", 1),
        ("Opcao 3", 2),
        ("2️⃣", 1),
        ("número 2", 1),
        ("a 3", 2),
        (" 3 ", 2),
        ("2 por favor", 1),
    ],
)
def test_bare_number(text: str, index: int) -> None:
    assert _choose(text, INSURANCES) == Choice(index=index)


@pytest.mark.parametrize("text", ["0", "4", "99", "opção 7"])
def test_number_out_of_range(text: str) -> None:
    assert _choose(text, INSURANCES) == Choice(out_of_range=True)


@pytest.mark.parametrize("text", ["amanhã às 2", "tenho 2 filhos", "52998224725", "2 e 3"])
def test_number_inside_a_sentence_is_not_a_pick(text: str) -> None:
    assert _choose(text, INSURANCES) == Choice()


@pytest.mark.parametrize(
    ("text", "options", "index"),
    [
        ("Unimed", INSURANCES, 0),
        ("UNIMED", INSURANCES, 0),
        ("bradesco saude", INSURANCES, 1),
        ("Particular", INSURANCES, 2),
        ("sao paulo centro", UNITS, 1),
        ("cardiologia", SERVICES, 1),
    ],
)
def test_exact_label(text: str, options: list[str], index: int) -> None:
    assert _choose(text, options) == Choice(index=index)


@pytest.mark.parametrize(
    ("text", "options", "index"),
    [
        ("bradesco", INSURANCES, 1),
        ("paulista", UNITS, 0),
        ("centro", UNITS, 1),
        ("camp", UNITS, 2),
        ("clinica geral", SERVICES, 0),
        ("pediátrica", SERVICES, 2),
        ("pelo convênio unimed", INSURANCES, 0),
        ("quero particular", INSURANCES, 2),
    ],
)
def test_word_or_prefix(text: str, options: list[str], index: int) -> None:
    assert _choose(text, options) == Choice(index=index)


@pytest.mark.parametrize(
    ("text", "options", "index"),
    [
        ("unimedi", INSURANCES, 0),
        ("unimede", INSURANCES, 0),
        ("partcular", INSURANCES, 2),
        ("particulr", INSURANCES, 2),
        ("bradeco saude", INSURANCES, 1),
        ("sao paulo cento", UNITS, 1),
        ("paulsta", UNITS, 0),
        ("campnas", UNITS, 2),
        ("cardiolgia pediatrica", SERVICES, 2),
    ],
)
def test_fuzzy_typos(text: str, options: list[str], index: int) -> None:
    assert _choose(text, options) == Choice(index=index)


@pytest.mark.parametrize(
    ("text", "options", "ambiguous"),
    [
        ("sao paulo", UNITS, (0, 1)),
        ("paulo", UNITS, (0, 1)),
        ("cardio", SERVICES, (1, 2)),
        ("unimed", ["Unimed Paulistana", "Unimed Campinas"], (0, 1)),
        ("unimed", ["Unimed", "UNIMED"], (0, 1)),
    ],
)
def test_ties_are_ambiguous(text: str, options: list[str], ambiguous: tuple[int, ...]) -> None:
    assert _choose(text, options) == Choice(ambiguous=ambiguous)


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("amil", INSURANCES),
        ("quero marcar uma consulta", INSURANCES),
        ("amanhã", PERIODS),
        ("sim", INSURANCES),
        ("", INSURANCES),
        ("🙂", INSURANCES),
        ("unimed", []),
        ("2", []),
        ("x" * 5000, INSURANCES),
    ],
)
def test_never_guesses(text: str, options: list[str]) -> None:
    assert _choose(text, options) == Choice()
