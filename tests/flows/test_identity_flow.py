"""Senders known only by a WhatsApp username: asked once for a phone or CPF, then recognised."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from models import Appointment, Client, ClientPhone, Conversation

USERNAME_ID = "whatsapp:US.13491208655302741918"
_sids = itertools.count(1)


@pytest.fixture
def username_says(post_twilio, twiml_messages):
    """Send a message as a username-only WhatsApp user (no WaId, no phone)."""

    def says(body: str, sender: str = USERNAME_ID) -> str:
        form = {
            "MessageSid": f"SMuser{next(_sids):06d}",
            "From": sender,
            "To": "whatsapp:+14155238886",
            "Body": body,
            "ExternalUserId": sender.removeprefix("whatsapp:"),
            "ProfileUsername": "ana.costa",
            "ProfileName": "Ana Costa",
            "NumMedia": "0",
        }
        response = post_twilio(form)
        assert response.status_code == 200
        return "\n\n".join(twiml_messages(response.data))

    return says


def test_username_sender_books_and_is_recognised_next_time(username_says, session):
    reply = username_says("oi, quero marcar uma consulta")
    assert "celular com DDD" in reply and "CPF" in reply
    reply = username_says("(11) 91234-5678")
    assert "Não encontrei cadastro" in reply
    assert "Qual é o seu convênio?" in reply  # carries on with the booking asked for
    username_says("particular")
    username_says("paulista")
    username_says("clinica geral")
    username_says("1")
    assert "Ana Costa" in username_says("sim")
    assert "CPF" in username_says("sim")
    assert "Pronto, Ana!" in username_says("111.444.777-35")

    client = session.exec(select(Client).where(Client.cpf == "11144477735")).one()
    keys = {
        row.key
        for row in session.exec(select(ClientPhone).where(ClientPhone.client_id == client.id))
    }
    assert keys == {"US.13491208655302741918", "5511912345678"}
    assert session.exec(select(Appointment).where(Appointment.client_id == client.id)).one()

    # A new conversation from the same username (another clinic number would be another row):
    row = session.exec(select(Conversation).where(Conversation.address == USERNAME_ID)).one()
    row.client_id = None
    row.context = {}
    session.add(row)
    session.commit()
    assert "Olá, Ana!" in username_says("oi")


def test_username_sender_is_linked_to_an_existing_patient_after_confirming_the_name(
    username_says, session
):
    username_says("oi")
    reply = username_says("11 98765-4321")  # Maria's phone
    assert "qual é o seu nome completo" in reply
    assert "Maria" not in reply  # nothing about the record is shown before the name matches
    reply = username_says("Maria Oliveira")
    assert "Obrigado, Maria!" in reply and "Como posso ajudar?" in reply
    maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    keys = {
        row.key
        for row in session.exec(select(ClientPhone).where(ClientPhone.client_id == maria.id))
    }
    assert "US.13491208655302741918" in keys
    assert "Sua consulta" in username_says("minhas consultas")


def test_a_stranger_typing_someone_elses_phone_is_not_linked(username_says, session):
    username_says("oi")
    username_says("11 98765-4321")  # Maria's phone
    reply = username_says("Fulano de Tal")
    assert "Não consegui confirmar" in reply
    assert "Não encontrei consultas" in username_says("minhas consultas")
    keys = {row.key for row in session.exec(select(ClientPhone))}
    assert "US.13491208655302741918" not in keys


def test_a_cpf_finds_the_record_too_and_bad_input_is_asked_again(username_says):
    username_says("oi")
    assert "Não reconheci" in username_says("não sei")
    assert "nome completo" in username_says("529.982.247-25")  # Maria's CPF
    assert "Obrigado, Maria!" in username_says("maria oliveira")


def test_novo_skips_identification(username_says):
    username_says("oi")
    assert "Como posso ajudar?" in username_says("novo")
    # asked once per conversation
    assert "celular com DDD" not in username_says("oi")
