"""What works from any step: "menu", "voltar", "cancelar", "atendente".

Every state the machine asks from is tried, the list taken from the machine itself: a state
added without a way to reach it here fails these tests until it gets one.
"""

from __future__ import annotations

import pytest
from conftest import Patient
from sqlmodel import Session, select

from flows.machine import ConversationFlow
from models import Conversation, SlotHold

NEW = "+5582912345678"  # nobody the clinic knows; WhatsApp profile "Jhonata"
MARIA = "+5511987654321"  # the demo's Maria Oliveira, one appointment booked
USERNAME = "US.13491208655302741918"  # a WhatsApp username, no phone number

STATES = {state.value: state for state in ConversationFlow.states}
ASKING = [value for value, state in STATES.items() if not state.initial]

BOOKING = ["oi", "1", "unimed", "paulista", "clinica geral"]
# Who says what to get the conversation into each state.
REACH: dict[str, tuple[str, list[str]]] = {
    "menu": (NEW, ["oi"]),
    "insurance": (NEW, BOOKING[:2]),
    "location": (NEW, BOOKING[:3]),
    "service": (NEW, BOOKING[:4]),
    "slot": (NEW, BOOKING),
    "confirm_booking": (NEW, [*BOOKING, "1"]),
    "name": (NEW, [*BOOKING, "1", "sim"]),
    "cpf": (NEW, [*BOOKING, "1", "sim", "sim", "Silva"]),
    "waitlist_period": (NEW, [*BOOKING, "espera"]),
    "appointments": (MARIA, [*BOOKING, "1", "sim", "minhas consultas"]),
    "appointment_action": (MARIA, ["minhas consultas"]),
    "confirm_action": (MARIA, ["minhas consultas", "não vou poder ir"]),
    "cancel_reason": (MARIA, ["minhas consultas", "não vou poder ir", "sim"]),
    "identify": (USERNAME, ["oi"]),
    "identify_name": (USERNAME, ["oi", "11 98765-4321"]),
    "confirm_stop": (NEW, ["oi", "sair"]),
}
BACK_TO = {
    "menu": "menu",
    "insurance": "menu",
    "location": "insurance",
    "service": "location",
    "slot": "service",
    "confirm_booking": "slot",
    "name": "confirm_booking",
    "cpf": "name",
    "waitlist_period": "slot",
    "appointments": "menu",
    "appointment_action": "menu",  # Maria has one appointment: there was no list
    "confirm_action": "appointment_action",
    "cancel_reason": "appointment_action",
    "identify": "menu",
    "identify_name": "identify",
    "confirm_stop": "menu",
}
# Where "cancelar" is an answer to the state's own question, where it leads.
CANCEL_ANSWERED = {
    "menu": "menu",  # "cancel an appointment": a new number has none, so the menu again
    "appointment_action": "cancel_reason",  # the option "Cancelar", named: why?
    "cancel_reason": "idle",  # the reason given is "cancelar"
}


class Username(Patient):
    """A sender known only by a WhatsApp username."""

    def form(self, body: str | None, **extra: str) -> dict[str, str]:
        form = super().form(body, **extra)
        del form["WaId"]
        return form | {"From": "whatsapp:" + USERNAME, "ExternalUserId": USERNAME}


def conversation(session: Session, sender: str) -> Conversation:
    session.expire_all()
    address = "whatsapp:" + sender
    return session.exec(select(Conversation).where(Conversation.address == address)).one()


def reach(post_twilio, session: Session, state: str) -> tuple[Patient, str]:
    """A patient whose conversation is at `state`, and who that patient is."""
    assert state in REACH, f"tests/flows/test_escapes.py: add a way to reach {state!r}"
    sender, texts = REACH[state]
    kind = Username if sender == USERNAME else Patient
    patient = kind(post_twilio, sender, "Jhonata")
    for text in texts:
        patient.says(text)
    assert conversation(session, sender).state == state
    return patient, sender


def test_every_asking_state_is_tried():
    assert sorted(REACH) == sorted(ASKING)
    assert sorted(BACK_TO) == sorted(ASKING)
    answered = sorted(value for value in ASKING if STATES[value].cancel_is_answer)
    assert sorted(CANCEL_ANSWERED) == answered


@pytest.mark.parametrize("state", ASKING)
def test_menu_from_any_step(post_twilio, session, state):
    p, sender = reach(post_twilio, session, state)
    assert "Como posso ajudar?" in p.says("menu")
    assert conversation(session, sender).state == "menu"
    assert session.exec(select(SlotHold)).all() == []


@pytest.mark.parametrize("state", ASKING)
def test_back_from_any_step(post_twilio, session, state):
    p, sender = reach(post_twilio, session, state)
    reply = p.says("voltar")
    assert "Desculpe" not in reply  # not the apology of a turn that failed
    assert conversation(session, sender).state == BACK_TO[state]


@pytest.mark.parametrize("state", ASKING)
def test_cancel_from_any_step_drops_what_was_in_progress(post_twilio, session, state):
    p, sender = reach(post_twilio, session, state)
    reply = p.says("cancelar")
    if STATES[state].cancel_is_answer:
        assert "deixei isso de lado" not in reply
        assert conversation(session, sender).state == CANCEL_ANSWERED[state]
        return
    assert "deixei isso de lado" in reply and "Como posso ajudar?" in reply
    assert conversation(session, sender).state == "menu"
    assert session.exec(select(SlotHold)).all() == []


@pytest.mark.parametrize("state", ASKING)
def test_human_from_any_step_then_the_bot_is_silent(post_twilio, session, state):
    p, sender = reach(post_twilio, session, state)
    assert "alguém da nossa equipe" in p.says("atendente")
    assert conversation(session, sender).handoff_at is not None
    assert p.says("oi?") == ""
    assert conversation(session, sender).state == state  # kept for when it is handed back
    assert session.exec(select(SlotHold)).all() == []


def test_voltar_in_reschedule_returns_to_the_appointment(patient, session):
    p = patient(MARIA)
    p.says("minhas consultas")
    p.says("remarcar")
    p.says("voltar")
    assert conversation(session, MARIA).state == "appointment_action"
