"""Senders known only by a WhatsApp username: find their record by phone or CPF."""

from __future__ import annotations

from bot.brazil.phones import is_username_id, parse_typed_phone
from flows.machine import ConversationFlow
from flows.steps.booking import start_booking
from flows.steps.moves import first_name, miss
from flows.turn import Turn

NEW_PATIENT_WORDS = {"novo", "nova", "nao tenho", "nao tenho cadastro", "primeira vez"}


def needs_identity(turn: Turn) -> bool:
    """A username-only sender we have not matched yet: ask once for a phone or CPF."""
    return (
        turn.client is None
        and is_username_id(turn.conversation.address)
        and not turn.ctx.identity_asked
    )


@ConversationFlow.identify.asks
def ask_identify(turn: Turn) -> None:
    """A phone with DDD or a CPF, to find the patient's record ("novo" if there is none)."""
    turn.ask(turn.texts("ask_identity"), [])


@ConversationFlow.identify.reads
def on_identify(flow: ConversationFlow, turn: Turn) -> None:
    """Look the record up; nothing of it is shown before the name agrees."""
    u = turn.understanding
    if u.normalized in NEW_PATIENT_WORDS or u.yes_no is False:
        return resume_after_identity(flow, turn)
    cpf = u.cpf
    phone = None if cpf else parse_typed_phone(u.text)
    if cpf is None and phone is None:
        return miss(flow, turn, "bad_identity")
    turn.ctx.typed_cpf, turn.ctx.typed_phone = cpf, phone
    clinic_id = turn.clinic.id
    client = (
        turn.patients.find_by_cpf(clinic_id=clinic_id, cpf=cpf)
        if cpf
        else turn.patients.find_by_phone(clinic_id=clinic_id, phone=phone)
    )
    if client is None:
        turn.say("identity_not_found")
        return resume_after_identity(flow, turn)
    turn.ctx.candidate_id = client.id
    flow.check_identity()


@ConversationFlow.identify_name.asks
def ask_identify_name(turn: Turn) -> None:
    """The full name of the record found."""
    turn.ask(turn.texts("ask_identity_name"), [])


@ConversationFlow.identify_name.reads
def on_identify_name(flow: ConversationFlow, turn: Turn) -> None:
    """Link the username to the record only when the name agrees (anyone can type a phone)."""
    u = turn.understanding
    name = u.name or u.text
    candidate = turn.patients.get(clinic_id=turn.clinic.id, client_id=turn.ctx.candidate_id)
    turn.ctx.candidate_id = None
    if candidate is None or not name or not turn.patients.same_person(candidate.name, name):
        turn.ctx.typed_cpf, turn.ctx.typed_phone = None, None
        turn.say("identity_mismatch")
        return resume_after_identity(flow, turn)
    turn.patients.link_address(candidate, turn.conversation.address)
    turn.client = candidate
    turn.say("identity_confirmed", name=first_name(candidate.name))
    resume_after_identity(flow, turn)


def resume_after_identity(flow: ConversationFlow, turn: Turn) -> None:
    """Carry on with what the patient first asked for."""
    pending = turn.ctx.pending
    turn.ctx.pending = None
    if pending == "book":
        return start_booking(flow, turn)
    flow.show_menu()
