"""flows.understanding.text: the matching keys (folding itself: tests/bot/core/test_folding.py)."""

from __future__ import annotations

import re

import pytest

from flows.understanding.text import MAX_CHARS, Prepared, clause_key, fold, has_unnegated, squeeze


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("simmm", "sim"),
        ("oii", "oi"),
        ("naoo", "nao"),
        ("ss", "ss"),
        ("isso", "isso"),
        ("111", "111"),
    ],
)
def test_squeeze_undoes_stretching(text: str, expected: str) -> None:
    assert squeeze(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Não, quero cancelar", "nao | quero cancelar"),
        ("ok mas amanhã não", "ok | amanha nao"),
        ("oii, tudo bem?", "oi | tudo bem"),
        ("|,|", ""),
    ],
)
def test_clause_key_marks_clause_breaks(text: str, expected: str) -> None:
    assert clause_key(fold(text)) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("quero cancelar", True),
        ("nao quero cancelar", False),
        ("nao | quero cancelar", True),
        ("nao sei se vou querer cancelar", True),
        ("nem pensar em cancelar", False),
    ],
)
def test_has_unnegated(key: str, expected: bool) -> None:
    assert has_unnegated(re.compile(r"\bcancelar\b"), key) is expected


def test_prepared_strips_and_cuts() -> None:
    prepared = Prepared.of("  " + "a" * (MAX_CHARS + 500) + "  ")
    assert len(prepared.raw) == MAX_CHARS
    assert Prepared.of(None).raw == ""
    assert Prepared.of(None).key == ""
