"""PARAR and SAIR stop proactive messages, ATIVAR restarts them; "voltar" and "cancelar" do not."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import ConsentChange, Conversation

PHONE = "+5511987654321"


def conversation(session) -> Conversation:
    return session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:" + PHONE)
    ).one()


@pytest.mark.parametrize("word", ["PARAR", "SAIR", "parar", "Sair"])
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
