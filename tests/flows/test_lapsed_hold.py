"""A hold that lapsed while the patient thought: at "sim", before the name and CPF are asked, the
place is held afresh, or the patient hears at once that it was taken and sees the times again."""

from __future__ import annotations

from sqlmodel import select

from bot.core.texts import Texts
from models import Appointment, Conversation, SlotHold

NEW = "+5511900000061"
MARIA = "+5511987654321"  # a known demo patient: "sim" books at once
BOOKING = ["oi", "1", "unimed", "paulista", "clinica geral", "1"]
TEXTS = Texts()


def state_of(session, phone: str) -> str:
    session.expire_all()
    address = "whatsapp:" + phone
    return session.exec(select(Conversation).where(Conversation.address == address)).one().state


def test_a_lapsed_hold_whose_place_was_taken_is_said_at_sim(patient, session, clock):
    newcomer = patient(NEW, "Jhonata Lima")
    for text in BOOKING:
        newcomer.says(text)
    clock.advance(minutes=11)  # the demo holds a place for 10 minutes
    maria = patient(MARIA)
    for text in BOOKING:
        maria.says(text)
    maria.says("sim")  # Maria books the place the newcomer's hold no longer keeps
    assert len(session.exec(select(Appointment)).all()) == 3  # two demo ones and Maria's

    reply = newcomer.says("sim")
    assert reply.startswith(TEXTS("slot_taken"))
    assert "nome" not in reply.split("\n")[0]
    assert state_of(session, NEW) == "slot"


def test_a_lapsed_hold_whose_place_is_still_free_is_held_again(patient, session, clock):
    newcomer = patient(NEW, "Jhonata Lima")
    for text in BOOKING:
        newcomer.says(text)
    clock.advance(minutes=11)
    reply = newcomer.says("sim")
    assert "*Jhonata Lima*" in reply  # asked for the name: the place is held again
    assert state_of(session, NEW) == "name"
    session.expire_all()
    [hold] = session.exec(select(SlotHold)).all()
    assert hold.expires_at.replace(tzinfo=clock.now().tzinfo) > clock.now()
