"""bot.understanding.intents, and every phrase of shared/fixtures/ptbr/phrases.json."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.understanding import understand
from bot.understanding.intents import INTENTS, intent_of
from bot.understanding.text import Prepared

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
PHRASES: list[dict[str, str]] = json.loads(
    (FIXTURES / "ptbr" / "phrases.json").read_text(encoding="utf-8")
)["phrases"]
TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, tzinfo=TZ)
# The contract's intents have no "price"/"address": those questions are read as "other"
# (answer, never act). Adding them is a contract change for the engine and flows.
OUTSIDE_CONTRACT = "intent outside the understand() contract; read as 'other'"


def _phrase_cases() -> list[Any]:
    cases = []
    for phrase in PHRASES:
        marks: Any = ()
        if phrase["intent"] not in INTENTS:
            marks = pytest.mark.xfail(reason=OUTSIDE_CONTRACT, strict=True)
        cases.append(pytest.param(phrase["text"], phrase["intent"], marks=marks, id=phrase["text"]))
    return cases


@pytest.mark.parametrize(("text", "intent"), _phrase_cases())
def test_fixture_phrase_intent(text: str, intent: str) -> None:
    assert understand(text, now=NOW, tz=TZ).intent == intent


@pytest.mark.parametrize("text", [p["text"] for p in PHRASES if p["intent"] not in INTENTS])
def test_questions_outside_the_contract_never_act(text: str) -> None:
    assert understand(text, now=NOW, tz=TZ).intent == "other"


def _intent(text: str, *, has_day: bool = False, yes: bool | None = None) -> str:
    return intent_of(Prepared.of(text), has_day=has_day, yes=yes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("não quero cancelar", "other"),
        ("Não, quero cancelar", "cancel"),
        ("não quero remarcar, quero cancelar", "cancel"),
        ("desmarcar", "cancel"),
        ("desmarca pra mim", "cancel"),
        ("quero desmarcar minha consulta", "cancel"),
        ("não vou poder ir, pode ser outro dia?", "reschedule"),
        ("não vou conseguir pagar", "other"),
        ("tem multa se eu cancelar?", "other"),
        ("quero fazer o cancelamento", "cancel"),
        ("reagendar", "reschedule"),
        ("passar a consulta para sexta", "reschedule"),
        ("quero trocar de convênio", "other"),
        ("minhas consultas", "my_appointments"),
        ("meus agendamentos", "my_appointments"),
        ("qual o horário da minha consulta?", "my_appointments"),
        ("quero cancelar minha consulta", "cancel"),
        ("quero remarcar minha consulta", "reschedule"),
        ("quero confirmar minha consulta", "confirm"),
        ("minha consulta está confirmada?", "my_appointments"),
        ("tem vaga?", "book"),
        ("consulta", "book"),
        ("não tenho consulta marcada", "other"),
        ("não quero marcar", "other"),
        ("bom dia", "greeting"),
        ("boa noite!", "greeting"),
        ("oiii", "greeting"),
        ("bom dia, quero marcar", "book"),
        ("quero falar com alguém", "handoff"),
        ("✅", "confirm"),
        ("👍", "confirm"),
        ("❌", "cancel"),
        ("estou sem dinheiro para a consulta", "other"),
        ("menu", "other"),
        ("", "other"),
        ("🙂🙂", "other"),
    ],
)
def test_intent_rules(text: str, expected: str) -> None:
    assert _intent(text) == expected


def test_wanting_a_day_is_booking() -> None:
    assert _intent("quero amanhã", has_day=True) == "book"
    assert _intent("quero amanhã", has_day=False) == "other"


def test_a_plain_yes_confirms() -> None:
    assert _intent("beleza", yes=True) == "confirm"
    assert _intent("beleza", yes=None) == "other"
