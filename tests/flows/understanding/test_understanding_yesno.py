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


# -- boundaries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "long", "answer"),
    [
        # Six words after "sim" / "não" still answer; a seventh makes it a sentence to read.
        (
            "sim, pode marcar esse horário pra mim",
            "sim, pode marcar esse horário pra mim hoje",
            True,
        ),
        (
            "não, vou estar viajando toda essa semana",
            "não, vou estar viajando toda essa semana inteira",
            False,
        ),
        ("sim a b c d e f", "sim a b c d e f g", True),
    ],
)
def test_how_long_a_tail_after_the_answer_still_counts(short: str, long: str, answer: bool):
    assert yes_no_of(Prepared.of(short)) is answer
    assert yes_no_of(Prepared.of(long)) is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("sim 👍", True),
        ("👍 sim", True),
        ("sim!! 👍👍", True),
        ("👍 pode marcar", True),
        ("não ❌", False),
        ("👎 não", False),
        # An emoji with a few words carries the answer; with more, the words must say it.
        ("👍 muito obrigado", True),
        ("👍 obrigado pela ajuda", None),
        # Words and emoji that disagree are no answer.
        ("não 👍", None),
        ("sim ❌", None),
        ("👍❌", None),
    ],
)
def test_emoji_together_with_words(text: str, answer: bool | None):
    assert yes_no_of(Prepared.of(text)) is answer


@pytest.mark.parametrize(
    "text",
    ["sim… não", "sim... não", "sim, não", "sim não", "não, sim", "não... sim", "isso, não",
     "sim, quer dizer, não", "sim mas não amanhã"],
)  # fmt: skip
def test_yes_and_no_together_are_no_answer(text: str):
    assert yes_no_of(Prepared.of(text)) is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("sim, por favor", True),
        ("Sim, por favor!", True),
        ("por favor, sim", True),
        ("claro, por favor", True),
        ("sim, obrigado", True),
        ("pode sim, obrigada", True),
        ("não, obrigado", False),
        ("Não, obrigada!", False),
        ("não, muito obrigado", False),
        ("agora não, obrigado", False),
    ],
)
def test_politeness_around_the_answer(text: str, answer: bool):
    assert yes_no_of(Prepared.of(text)) is answer
