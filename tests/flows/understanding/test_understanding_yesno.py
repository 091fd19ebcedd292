"""flows.understanding.yesno: yes / no answers in words and emoji."""

from __future__ import annotations

import pytest

from flows.understanding.text import Prepared
from flows.understanding.yesno import yes_no_of

YES = [
    "sim",
    "Sim!",
    "s",
    "ss",
    "isso",
    "isso mesmo",
    "pode ser",
    "pode",
    "claro",
    "com certeza",
    "confirmo",
    "confirma",
    "confirmar",
    "ok",
    "OK",
    "okay",
    "beleza",
    "blz",
    "certo",
    "perfeito",
    "👍",
    "✅",
    "sim, pode marcar",
    "simmm",
    "sim por favor",
    "ok obrigado",
    "👍 obrigado",
    "✅ Confirmo Presença",
    "tudo bem",
    "claro que sim",
]
NO = [
    "não",
    "nao",
    "NÃO",
    "n",
    "nops",
    "nope",
    "negativo",
    "agora não",
    "❌",
    "👎",
    "nãoo",
    "não, obrigado",
    "acho que não",
    "❌ Não Poderei Ir",
    "não vou poder ir",
]
NEITHER = [
    "não sei",
    "nao sei ainda",
    "não entendi",
    "talvez",
    "quero marcar",
    "pode me passar o endereço?",
    "não tem horário de manhã?",
    "ok, mas prefiro outro dia",
    "sim e não",
    "👍❌",
    "",
    "🙂",
    "isso é caro?",
    "sim " * 20,
]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert yes_no_of(Prepared.of(text)) is True


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert yes_no_of(Prepared.of(text)) is False


@pytest.mark.parametrize("text", NEITHER)
def test_neither(text: str) -> None:
    assert yes_no_of(Prepared.of(text)) is None
