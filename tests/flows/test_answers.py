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


def test_address_and_opening_hours(patient):
    reply = patient(NEW).says("onde fica a clínica?")
    assert "*Paulista*: Av. Paulista, 1000" in reply
    assert "*Manaus Centro*: Av. Eduardo Ribeiro, 620" in reply
    assert "seg–sex" in reply or "seg" in reply


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
