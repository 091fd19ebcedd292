"""Questions answered from the clinic's data, at any step, without losing the step."""

from __future__ import annotations

from sqlmodel import select

from models import Conversation

NEW = "+5582912345678"


def state(session, phone: str) -> str:
    return (
        session.exec(select(Conversation).where(Conversation.address == "whatsapp:" + phone))
        .one()
        .state
    )


def test_price_at_the_start_lists_every_service(patient):
    reply = patient(NEW).says("quanto custa a consulta?")
    assert "Clínica geral: R$ 180,00" in reply
    assert "Dermatologia: R$ 250,00" in reply
    assert "Fisioterapia: R$ 150,00" in reply
    assert "Como posso ajudar?" in reply


def test_price_for_the_chosen_insurance_and_then_the_same_question(patient, session):
    p = patient(NEW)
    p.says("oi")
    p.says("1")
    p.says("bradesco")
    reply = p.says("qual o valor?")
    assert "Clínica geral: coberto pelo Bradesco Saúde" in reply
    assert "Fisioterapia: R$ 150,00" in reply  # Bradesco does not cover it: the patient pays
    assert "Em qual unidade" in reply
    assert state(session, NEW) == "location"


# A unit's hours are, per weekday, its earliest start to its latest end (bot/demo):
# Paulista: Dra. Ana Mon/Wed/Fri 08–12 and 13–17; Carla Mendes Mon–Fri 07–12 and 13–16,
#   Tue 18–20 (a group), Sat 08–12.
# Pinheiros: Dra. Ana Tue/Thu 08–12 and 13–17; Dr. Bruno Mon–Fri 09–12 and 13–18, Sat 08–12.
# Manaus Centro: Dr. Daniel Mon–Fri 08–12 and 14–18 (Manaus time).
HOURS = {
    "Paulista": "seg 07:00–17:00; ter 07:00–20:00; qua 07:00–17:00; qui 07:00–16:00; "
    "sex 07:00–17:00; sáb 08:00–12:00",
    "Pinheiros": "seg 09:00–18:00; ter 08:00–18:00; qua 09:00–18:00; qui 08:00–18:00; "
    "sex 09:00–18:00; sáb 08:00–12:00",
    "Manaus Centro": "seg–sex 08:00–18:00",
}
ADDRESSES = {
    "Paulista": "Av. Paulista, 1000 - Bela Vista, São Paulo - SP",
    "Pinheiros": "Rua dos Pinheiros, 500 - Pinheiros, São Paulo - SP",
    "Manaus Centro": "Av. Eduardo Ribeiro, 620 - Centro, Manaus - AM",
}


def unit_block(unit: str) -> str:
    return f"📍 *{unit}*: {ADDRESSES[unit]}\n🕒 {HOURS[unit]}"


def test_address_and_opening_hours(patient):
    reply = patient(NEW).says("onde fica a clínica?")
    assert "*Paulista*: Av. Paulista, 1000" in reply
    assert "*Manaus Centro*: Av. Eduardo Ribeiro, 620" in reply
    assert "seg–sex" in reply or "seg" in reply


def test_every_units_real_days_and_hours(patient):
    reply = patient(NEW).says("onde fica a clínica?")
    blocks = "\n\n".join(unit_block(unit) for unit in ("Paulista", "Pinheiros", "Manaus Centro"))
    assert blocks in reply
    assert "dom" not in reply  # no unit opens on Sunday


def test_the_hours_of_the_unit_being_discussed_only(patient):
    p = patient(NEW)
    for text in ("oi", "1", "unimed", "manaus"):
        p.says(text)
    reply = p.says("onde fica?")
    assert unit_block("Manaus Centro") in reply
    assert "Paulista" not in reply and "Pinheiros" not in reply


def test_address_of_the_unit_being_discussed(patient):
    p = patient(NEW)
    for text in ("oi", "1", "unimed", "pinheiros"):
        p.says(text)
    reply = p.says("qual o endereço?")
    assert "*Pinheiros*: Rua dos Pinheiros, 500" in reply
    assert "Paulista" not in reply.split("Qual atendimento")[0]
    assert "Qual atendimento" in reply


def test_accepted_insurances(patient):
    reply = patient(NEW).says("quais convênios vocês aceitam?")
    assert "Atendemos: Bradesco Saúde, SulAmérica, Unimed e Particular." in reply
