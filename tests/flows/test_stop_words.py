"""PARAR stops proactive messages, ATIVAR restarts them; "sair" leaves what is in progress and,
with nothing in progress, asks before stopping; "voltar" and "cancelar" are no opt-outs."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import ConsentChange, Conversation

PHONE = "+5511987654321"


def conversation(session) -> Conversation:
    return session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:" + PHONE)
    ).one()


@pytest.mark.parametrize("word", ["PARAR", "parar", "Parar lembretes", "STOP", "descadastrar"])
def test_stop_words_opt_out_and_are_recorded(patient, session, word):
    reply = patient(PHONE).says(word)
    assert "não vai mais receber lembretes" in reply
    assert conversation(session).opted_out_at is not None
    change = session.exec(select(ConsentChange)).one()
    assert change.opted_in is False and change.at is not None


def test_ativar_opts_back_in(patient, session):
    p = patient(PHONE)
    p.says("PARAR")
    assert "voltará a receber lembretes" in p.says("ATIVAR")
    assert conversation(session).opted_out_at is None
    assert [c.opted_in for c in session.exec(select(ConsentChange).order_by(ConsentChange.id))] == [
        False,
        True,
    ]


def test_opting_out_mid_booking_keeps_the_question(patient, session):
    p = patient(PHONE)
    p.says("oi")
    p.says("1")
    reply = p.says("parar")
    assert "não vai mais receber" in reply and "Qual é o seu convênio?" in reply
    assert conversation(session).state == "insurance"


def test_voltar_and_cancelar_are_not_opt_outs(patient, session):
    p = patient(PHONE)
    p.says("oi")
    p.says("1")
    p.says("voltar")
    p.says("cancelar")
    assert conversation(session).opted_out_at is None
    assert session.exec(select(ConsentChange)).all() == []


def test_a_typo_never_opts_out(patient, session):
    patient(PHONE).says("pagar")
    assert conversation(session).opted_out_at is None


@pytest.mark.parametrize("word", ["sair", "SAIR", "Sair."])
def test_sair_with_nothing_in_progress_asks_before_stopping(patient, session, word):
    p = patient(PHONE)
    reply = p.says(word)
    assert "Você quer parar de receber lembretes" in reply
    assert conversation(session).opted_out_at is None
    assert session.exec(select(ConsentChange)).all() == []

    assert "não vai mais receber lembretes" in p.says("sim")
    assert conversation(session).opted_out_at is not None
    assert conversation(session).state == "idle"
    [change] = session.exec(select(ConsentChange)).all()
    assert change.opted_in is False


def test_sair_then_nao_keeps_the_reminders(patient, session):
    p = patient(PHONE)
    p.says("oi")
    p.says("sair")
    reply = p.says("não")
    assert "os lembretes continuam" in reply and "Agendar consulta" in reply
    assert conversation(session).opted_out_at is None
    assert conversation(session).state == "menu"
    assert session.exec(select(ConsentChange)).all() == []


def test_sair_mid_booking_leaves_the_booking_not_the_reminders(patient, session):
    p = patient(PHONE)
    p.says("oi")
    p.says("1")
    p.says("unimed")
    reply = p.says("sair")
    assert "deixei isso de lado" in reply and "Agendar consulta" in reply
    stored = conversation(session)
    assert stored.state == "menu"
    assert stored.opted_out_at is None
    assert stored.context.get("insurance_id") is None
    assert session.exec(select(ConsentChange)).all() == []
