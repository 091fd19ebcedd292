"""flows.understanding.intents, and every phrase of shared/fixtures/ptbr/phrases.json."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES

from flows.understanding import understand
from flows.understanding.intents import INTENTS, intent_of
from flows.understanding.text import Prepared

PHRASES: list[dict[str, str]] = json.loads(
    (FIXTURES / "ptbr" / "phrases.json").read_text(encoding="utf-8")
)["phrases"]
TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, tzinfo=TZ)


def test_every_fixture_intent_is_known() -> None:
    assert {phrase["intent"] for phrase in PHRASES} <= set(INTENTS)


@pytest.mark.parametrize(
    ("text", "intent"), [pytest.param(p["text"], p["intent"], id=p["text"]) for p in PHRASES]
)
def test_fixture_phrase_intent(text: str, intent: str) -> None:
    assert understand(text, now=NOW, tz=TZ).intent == intent


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
        ("obrigada!", "thanks"),
        ("valeu", "thanks"),
        ("obrigado, mas quero remarcar", "reschedule"),
        ("não, obrigado, quero cancelar", "cancel"),
        ("bom dia, quero marcar", "book"),
        ("quero falar com alguém", "handoff"),
        ("✅", "confirm"),
        ("👍", "confirm"),
        ("❌", "cancel"),
        ("estou sem dinheiro para a consulta", "other"),
        ("qual o valor da consulta?", "price"),
        ("quanto é?", "price"),
        ("Boa tarde, quanto fica a consulta particular?", "price"),
        ("tabela de preços", "price"),
        ("qual o endereço?", "address"),
        ("onde vocês ficam?", "address"),
        ("me manda a localização", "address"),
        ("como chego aí?", "address"),
        ("não sei onde fica", "address"),
        ("quero marcar, quanto custa?", "book"),
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


@pytest.mark.parametrize(
    "text",
    [
        "vou pensar",
        "vou pensar e te aviso",
        "estou sem cartão",
        "estou sem dinheiro agora",
        "achei caro",
        "tá caro",
        "não vou conseguir pagar",
        "não tenho o valor da consulta",
        "depois eu vejo",
        "depois entro em contato",
    ],
)
def test_objections_are_not_cancellations(text: str) -> None:
    assert _intent(text) == "other"


@pytest.mark.parametrize(
    "text",
    [
        "qual a política de cancelamento?",
        "qual a politica de cancelamento",
        "tem multa se eu cancelar",
        "tem multa se eu cancelar?",
        "quanto custa pra cancelar?",
        "posso remarcar sem pagar nada?",
        "qual o prazo para desmarcar?",
        "Como faço o cancelamento do pacote?",
        "precisa de antecedência para remarcar?",
    ],
)
def test_policy_questions_never_act(text: str) -> None:
    assert _intent(text) == "other"


@pytest.mark.parametrize(
    "text",
    ["não quero cancelar nada", "não quero cancelar", "nem pensar em cancelar", "não desmarca"],
)
def test_negated_cancel_is_not_cancel(text: str) -> None:
    assert _intent(text) != "cancel"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("desmarcar", "cancel"), ("desmarca", "cancel"), ("quero desmarcar", "cancel")],
)
def test_desmarcar_is_cancel_although_it_contains_marcar(text: str, expected: str) -> None:
    assert _intent(text) == expected


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Não vou conseguir", "cancel"),
        ("quero remarcar pra sexta de manhã", "reschedule"),
        ("tem vaga amanhã depois das 18h?", "book"),
        ("desmarcar", "cancel"),
        ("👍", "confirm"),
        ("sim", "confirm"),
        ("pode ser", "confirm"),
        ("claro", "confirm"),
        ("isso", "confirm"),
        ("beleza", "confirm"),
    ],
)
def test_what_patients_write_instead_of_pressing_1(text: str, intent: str) -> None:
    assert understand(text, now=NOW, tz=TZ).intent == intent


def test_phone_digits_are_neither_a_time_nor_a_cpf() -> None:
    u = understand("meu número é 11987654321", now=NOW, tz=TZ)
    assert (u.intent, u.when, u.at, u.cpf, u.cpf_invalid) == ("other", None, None, None, False)
    booking = understand("quero cortar amanhã, meu telefone é 71988887777", now=NOW, tz=TZ)
    assert (booking.intent, booking.at, booking.cpf, booking.cpf_invalid) == (
        "book",
        None,
        None,
        False,
    )


@pytest.mark.parametrize("text", ["sim, obrigado", "sim obrigada!", "👍 valeu"])
def test_a_yes_with_thanks_is_a_yes(text: str) -> None:
    reading = understand(text, now=datetime(2025, 12, 10, 9, 0, tzinfo=TZ), tz=TZ)
    assert (reading.yes_no, reading.intent) == (True, "confirm")
