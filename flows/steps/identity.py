"""Senders known only by a WhatsApp username: find their record by phone or CPF."""

from __future__ import annotations

from bot.brazil.phones import is_username_id, parse_typed_phone
from bot.domain.patients import addresses as patients
from flows.conversation import ConversationFlow
from flows.steps.booking import start_booking
from flows.steps.common import first_name, miss
from flows.turn import Turn
from models import Client

NEW_PATIENT_WORDS = {"novo", "nova", "nao tenho", "nao tenho cadastro", "primeira vez"}


def needs_identity(turn: Turn) -> bool:
    """A username-only sender we have not matched yet: ask once for a phone or CPF."""
    return (
        turn.client is None
        and is_username_id(turn.conversation.address)
        and not turn.ctx.get("identity_asked")
    )


def on_identify(flow: ConversationFlow, turn: Turn) -> None:
    u = turn.understanding
    if u.normalized in NEW_PATIENT_WORDS or u.yes_no is False:
        return resume_after_identity(flow, turn)
    cpf = u.cpf
    phone = None if cpf else parse_typed_phone(u.text)
    if cpf is None and phone is None:
        return miss(flow, turn, "bad_identity")
    turn.remember(typed_cpf=cpf, typed_phone=phone)
    clinic_id = turn.clinic.id
    client = (
        patients.find_by_cpf(turn.session, clinic_id=clinic_id, cpf=cpf)
        if cpf
        else patients.find_by_phone(turn.session, clinic_id=clinic_id, phone=phone)
    )
    if client is None:
        turn.say("identity_not_found")
        return resume_after_identity(flow, turn)
    turn.remember(candidate_id=client.id)
    flow.check_identity()


def on_identify_name(flow: ConversationFlow, turn: Turn) -> None:
    """Link the username to the record only when the name agrees (anyone can type a phone)."""
    u = turn.understanding
    name = u.name or u.text
    candidate = turn.session.get(Client, turn.ctx.get("candidate_id"))
    turn.forget("candidate_id")
    if candidate is None or not name or not patients.same_person(candidate.name, name):
        turn.forget("typed_cpf", "typed_phone")
        turn.say("identity_mismatch")
        return resume_after_identity(flow, turn)
    patients.link_address(turn.session, client=candidate, address=turn.conversation.address)
    turn.client = candidate
    turn.say("identity_confirmed", name=first_name(candidate.name))
    resume_after_identity(flow, turn)


def resume_after_identity(flow: ConversationFlow, turn: Turn) -> None:
    """Carry on with what the patient first asked for."""
    pending = turn.ctx.get("pending")
    turn.forget("pending")
    if pending == "book":
        return start_booking(flow, turn)
    flow.show_menu()
