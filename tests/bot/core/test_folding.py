"""bot.core.folding: accent and case folding, and the normalised form of what people type."""

from __future__ import annotations

import pytest

from bot.core.folding import fold, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Olá!", "ola"),
        ("  São   Paulo - Centro ", "sao paulo centro"),
        ("✅ Confirmo Presença", "confirmo presenca"),
        ("2️⃣", "2"),
        ("AÇÃO, já!!", "acao ja"),
        ("👍🙂", ""),
        ("", ""),
        ("snake_case", "snake case"),
        ("2ª feira", "2a feira"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_fold_keeps_punctuation_and_digits() -> None:
    assert fold("Amanhã, 15/12 às 14:00 ✅") == "amanha, 15/12 as 14:00 ✅"
