"""A booking left unfinished for longer than the clinic's `flow_expiry_hours` (12 by default)
ends quietly: the patient's next message starts afresh instead of answering an old question."""

from __future__ import annotations

from support import conversation_with, set_flow_settings

from bot.core.texts import Texts

PHONE = "+5511900000071"
TEXTS = Texts()


def at_the_service_question(patient):
    p = patient(PHONE, "Jhonata Lima")
    for text in ["oi", "1", "unimed", "paulista"]:
        p.says(text)
    return p


def test_a_booking_left_overnight_starts_afresh(patient, session, clock):
    p = at_the_service_question(patient)
    assert conversation_with(session, PHONE).state == "service"
    clock.advance(hours=12, minutes=1)
    reply = p.says("2")  # would have picked a service; now it is read afresh, at the start
    stored = conversation_with(session, PHONE)
    assert stored.state == "menu"  # greeted and shown the menu, as a new exchange
    assert "Como posso ajudar?" in reply
    assert "insurance_id" not in stored.context and "location_id" not in stored.context
    assert "Qual atendimento" not in reply


def test_a_booking_taken_up_within_the_hours_carries_on(patient, session, clock):
    p = at_the_service_question(patient)
    clock.advance(hours=11, minutes=59)
    reply = p.says("oi")
    assert reply.startswith(TEXTS("hello_again")) and "Qual atendimento" in reply
    assert conversation_with(session, PHONE).context["location_id"]


def test_zero_hours_never_ends_a_booking(patient, session, clock):
    set_flow_settings(session, flow_expiry_hours=0)
    p = at_the_service_question(patient)
    clock.advance(days=3)
    assert "Qual atendimento" in p.says("qualquer coisa")
    assert conversation_with(session, PHONE).state == "service"
