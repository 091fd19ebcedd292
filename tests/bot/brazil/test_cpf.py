"""bot.brazil.cpf against every entry of shared/fixtures/cpf/cpf.json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES

from bot.brazil.cpf import find_cpf
from bot.core.folding import fold, normalize
from flows.understanding import valid_cpf

CPF: dict[str, Any] = json.loads((FIXTURES / "cpf" / "cpf.json").read_text(encoding="utf-8"))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@pytest.mark.parametrize("text", CPF["valid"])
def test_valid_fixture_cpfs(text: str) -> None:
    assert valid_cpf(text) == _digits(text)
    assert find_cpf(normalize(text), fold(text)) == (_digits(text), False)


@pytest.mark.parametrize("text", CPF["invalid"])
def test_invalid_fixture_cpfs(text: str) -> None:
    assert valid_cpf(text) is None
    found, _ = find_cpf(normalize(text), fold(text))
    assert found is None


@pytest.mark.parametrize(
    ("text", "looks_like_cpf"),
    [
        ("529.982.247-24", True),
        ("111.111.111-11", True),
        ("00000000000", True),
        ("1234567890", False),
        ("123.456.789-0", False),
        ("5299822472500", False),
        ("abc.def.ghi-jk", False),
        ("", False),
    ],
)
def test_invalid_flag_only_for_cpf_shaped_text(text: str, looks_like_cpf: bool) -> None:
    assert find_cpf(normalize(text), fold(text)) == (None, looks_like_cpf)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meu cpf é 529.982.247-25", ("52998224725", False)),
        ("CPF: 52998224725.", ("52998224725", False)),
        ("cpf 529.982.247-24 obrigado", (None, True)),
        # A mobile number after "telefone" is not a CPF, valid or not.
        ("meu telefone é 71988887777", (None, False)),
        ("meu whats é 71988887777 e o cpf 52998224725", ("52998224725", False)),
        ("(71) 98888-7777", (None, False)),
        ("pedido 1529.982.247-25", (None, False)),
        # "meu número é" usually gives a phone: not flagged as a bad CPF, but a valid CPF counts.
        ("meu número é 11987654321", (None, False)),
        ("meu número é 52998224725", ("52998224725", False)),
        ("número do cpf 529.982.247-24", (None, True)),
    ],
)
def test_find_cpf_in_a_message(text: str, expected: tuple[str | None, bool]) -> None:
    assert find_cpf(normalize(text), fold(text)) == expected


@pytest.mark.parametrize("text", ["529 982 247 25", " 529.982.247-25 ", "529982247/25"])
def test_valid_cpf_strips_formatting(text: str) -> None:
    assert valid_cpf(text) == "52998224725"


def test_valid_cpf_rejects_non_ascii_digits() -> None:
    assert valid_cpf("５２９９８２２４７２５") is None
