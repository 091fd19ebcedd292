"""bot.brazil.cpf against every entry of shared/fixtures/cpf/cpf.json."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import FIXTURES

from bot.brazil.cpf import (
    CPF_PATTERN,
    FORMATTED_CPF,
    check_digits,
    cpf_digits,
    find_cpf,
    format_cpf,
    valid_cpf,
    without_cpf,
)
from bot.core.folding import fold, normalize

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


# -- boundaries ---------------------------------------------------------------------------------

VALID_DIGITS = sorted({_digits(text) for text in CPF["valid"]})


def _other(digit: str) -> str:
    return str((int(digit) + 1) % 10)


@pytest.mark.parametrize("digit", "0123456789")
def test_every_repeated_digit_cpf_is_refused(digit: str) -> None:
    repeated = digit * 11
    # They pass the check digits: it is the repeated-digit rule that refuses them.
    assert check_digits(repeated[:9]) == repeated[9:]
    assert cpf_digits(repeated) == repeated
    assert valid_cpf(repeated) is None
    assert valid_cpf(format_cpf(repeated)) is None


@pytest.mark.parametrize("digits", VALID_DIGITS)
def test_a_wrong_first_or_second_check_digit_is_refused(digits: str) -> None:
    assert valid_cpf(digits) == digits
    wrong_first = digits[:9] + _other(digits[9]) + digits[10]
    wrong_second = digits[:10] + _other(digits[10])
    assert valid_cpf(wrong_first) is None
    assert valid_cpf(wrong_second) is None
    assert valid_cpf(format_cpf(wrong_first)) is None
    assert valid_cpf(format_cpf(wrong_second)) is None


@pytest.mark.parametrize("digits", VALID_DIGITS)
def test_ten_or_twelve_digits_are_no_cpf(digits: str) -> None:
    for text in (digits[:10], digits + "0", "0" + digits, digits[1:]):
        assert cpf_digits(text) is None and valid_cpf(text) is None
    assert valid_cpf("529.982.247-2") is None
    assert valid_cpf("529.982.247-250") is None
    assert valid_cpf("0529.982.247-25") is None


@pytest.mark.parametrize(
    "text",
    [
        "5299.822.47-25",
        "52.998.224.725",
        "529.982.2472-5",
        "529.982.247.25",
        "529982.247.25",
        "529..982.247-25",
        "529.982.247--25",
        ".529.982.247-25",
        "529.982.247-25.",
        "5-2-9-9-8-2-2-4-7-2-5",
        "529-982-247-25",
        "529.982/247-25",
    ],
)
def test_dots_and_dashes_in_the_wrong_places_are_refused(text: str) -> None:
    assert cpf_digits(text) is None
    assert valid_cpf(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "52998224725",
        "529.982.247-25",
        "529982247-25",
        "529.982.24725",
        "529.98224725",
        "529982.247-25",
        "529 982 247 25",
        "529 982 247-25",
        "529.982.247/25",
        " 529.982.247-25 ",
        "\t52998224725\n",
    ],
)
def test_a_cpf_typed_bare_or_formatted(text: str) -> None:
    assert cpf_digits(text) == "52998224725"
    assert valid_cpf(text) == "52998224725"
    assert re.fullmatch(CPF_PATTERN, text)


@pytest.mark.parametrize("text", CPF["valid"] + CPF["invalid"])
def test_the_documented_pattern_is_the_typed_shape(text: str) -> None:
    """The API documents CPF_PATTERN; a text matches it exactly when cpf_digits reads it."""
    assert (re.search(CPF_PATTERN, text) is not None) is (cpf_digits(text) is not None)


@pytest.mark.parametrize("digits", VALID_DIGITS)
def test_the_formatted_form(digits: str) -> None:
    formatted = format_cpf(digits)
    assert formatted is not None and FORMATTED_CPF.match(formatted)
    assert formatted == f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    assert valid_cpf(formatted) == cpf_digits(formatted) == digits


@pytest.mark.parametrize("value", [None, "", "123", "5299822472X", "529.982.247-25"])
def test_format_cpf_leaves_what_is_not_eleven_digits(value: str | None) -> None:
    assert format_cpf(value) == value


def test_the_check_digits_of_the_fixtures() -> None:
    for digits in VALID_DIGITS:
        assert check_digits(digits[:9]) == digits[9:]


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("Maria Silva, CPF 529.982.247-25", "Maria Silva"),
        ("maria silva 52998224725", "maria silva"),
        ("Meu nome é Maria Silva e meu cpf é 529 982 247 25", "Meu nome é Maria Silva"),
        ("João Pereira - cpf: 529.982.247-25", "João Pereira"),
        ("Ana Cpfina Souza", "Ana Cpfina Souza"),
        ("Maria, telefone 11 98765-4321", "Maria telefone 11 98765-4321"),
    ],
)
def test_without_cpf_keeps_what_else_was_said(text, rest):
    assert without_cpf(text) == rest


@pytest.mark.parametrize(
    "typed", ["529 982 247 25", "529.982.247 25", "529982247-25", "529 982 247-25"]
)
def test_a_cpf_with_spaces_or_part_of_its_marks_is_found_in_a_message(typed):
    text = f"meu cpf é {typed} obrigada"
    assert find_cpf(normalize(text), fold(text)) == ("52998224725", False)


def test_a_phone_typed_with_spaces_is_no_cpf():
    text = "meu telefone é 11 98765 4321"
    assert find_cpf(normalize(text), fold(text))[0] is None
