"""flows.understanding.commands: whole-message navigation commands and human requests."""

from __future__ import annotations

import pytest

from flows.understanding.commands import asks_for_human, command_of
from flows.understanding.text import Prepared


def _command(text: str) -> str | None:
    return command_of(Prepared.of(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("menu", "menu"),
        ("MENU", "menu"),
        ("Menu por favor", "menu"),
        ("início", "menu"),
        ("começar de novo", "menu"),
        ("voltar ao menu", "menu"),
        ("voltar", "back"),
        ("Volta", "back"),
        ("anterior", "back"),
        ("humano", "human"),
        ("atendente", "human"),
        ("falar com atendente", "human"),
        ("falar com uma pessoa", "human"),
        ("pessoa", "human"),
        ("cancelar", "cancel"),
        ("cancela", "cancel"),
        ("CANCELAR!", "cancel"),
        ("sair do agendamento", "cancel"),
        ("mais", "more"),
        ("ver mais", "more"),
        ("mais horários", "more"),
        ("outros horários", "more"),
        ("próximos", "more"),
        ("maisss", "more"),
    ],
)
def test_commands(text: str, expected: str) -> None:
    assert _command(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("canclar", "cancel"),
        ("cancelr", "cancel"),
        ("voltr", "back"),
        ("atendnete", "human"),
        ("humnao", "human"),
        ("inico", "menu"),
        ("proxmos", "more"),
    ],
)
def test_commands_forgive_small_typos(text: str, expected: str) -> None:
    assert _command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "quero cancelar minha consulta",
        "mas",
        "meu",
        "menos",
        "volto amanhã para marcar",
        "sim",
        "",
        "🙂",
        "a" * 500,
    ],
)
def test_not_commands(text: str) -> None:
    assert _command(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "quero falar com alguém",
        "falar com atendente",
        "atendente humano",
        "quero uma pessoa",
        "me passa pra um atendente",
        "preciso de um atendente por favor",
        "não quero falar com robô",
        "posso conversar com a recepção?",
    ],
)
def test_asks_for_human(text: str) -> None:
    assert asks_for_human(Prepared.of(text).key)


@pytest.mark.parametrize(
    "text",
    ["não quero falar com atendente", "a atendente disse que era amanhã", "quero marcar", ""],
)
def test_does_not_ask_for_human(text: str) -> None:
    assert not asks_for_human(Prepared.of(text).key)
