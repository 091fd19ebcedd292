"""A new patient's name: a WhatsApp profile name is offered only when it is shaped like a name,
and a first name alone gets one request for the surname. The stored Client is what is asserted."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from support import set_flow_settings

from bot.core.texts import Texts
from models import Client, Conversation

PHONE = "+5511900000051"
TEXTS = Texts()


@pytest.fixture(autouse=True)
def no_cpf_step(session: Session) -> None:
    set_flow_settings(session, ask_cpf=False)


def at_the_name_question(patient, profile: str = ""):
    """A new patient who picked the first slot and said "sim": asked for the name."""
    p = patient(PHONE, profile)
    for text in ["oi", "1", "unimed", "paulista", "clinica geral", "1"]:
        p.says(text)
    return p, p.says("sim")


def booked_name(session: Session) -> str:
    session.expire_all()
    address = "whatsapp:" + PHONE
    conversation = session.exec(select(Conversation).where(Conversation.address == address)).one()
    return session.get(Client, conversation.client_id).name


@pytest.mark.parametrize(
    "profile", ["Mãe do Pedro 💙", "Paciente7", '=HYPERLINK("http://x")', "+55 11 9999", "🙂"]
)
def test_a_profile_name_that_is_no_name_is_not_offered(patient, profile):
    _, question = at_the_name_question(patient, profile)
    assert question.endswith(TEXTS("ask_name"))
    assert profile not in question


def test_a_profile_name_shaped_like_a_name_is_offered_and_taken(patient, session):
    p, question = at_the_name_question(patient, "joana d'arc silva")
    assert "*Joana d'Arc Silva*" in question
    p.says("sim")
    assert booked_name(session) == "Joana d'Arc Silva"


def test_a_first_name_alone_gets_one_request_for_the_surname(patient, session):
    p, _ = at_the_name_question(patient)
    assert p.says("maria") == TEXTS("ask_surname", name="Maria")
    p.says("Oliveira Santos")
    assert booked_name(session) == "Maria Oliveira Santos"


def test_the_whole_name_after_the_surname_request_is_taken_as_it_is(patient, session):
    p, _ = at_the_name_question(patient)
    p.says("Maria")
    p.says("Maria Aparecida Souza")
    assert booked_name(session) == "Maria Aparecida Souza"


def test_a_first_name_given_twice_is_accepted(patient, session):
    p, _ = at_the_name_question(patient)
    p.says("Xuxa")
    p.says("Xuxa")
    assert booked_name(session) == "Xuxa"


def test_a_first_name_profile_accepted_with_sim_gets_the_surname_request(patient, session):
    p, question = at_the_name_question(patient, "Ana")
    assert "*Ana*" in question
    assert p.says("sim") == TEXTS("ask_surname", name="Ana")
    p.says("Lima")
    assert booked_name(session) == "Ana Lima"


@pytest.mark.parametrize(
    "said",
    [
        "Maria Silva, CPF 529.982.247-25",
        "maria silva 52998224725",
        "Meu nome é Maria Silva e meu cpf é 529 982 247 25",
    ],
)
def test_name_and_cpf_in_one_message_are_both_taken(patient, session, said):
    set_flow_settings(session, ask_cpf=True)
    p, _ = at_the_name_question(patient)
    reply = p.says(said)
    assert TEXTS("ask_cpf") not in reply
    session.expire_all()
    address = "whatsapp:" + PHONE
    conversation = session.exec(select(Conversation).where(Conversation.address == address)).one()
    client = session.get(Client, conversation.client_id)
    assert (client.name, client.cpf) == ("Maria Silva", "52998224725")


@pytest.mark.parametrize("typed", ["529 982 247 25", "529.982.247 25", "cpf 529982247-25"])
def test_a_cpf_typed_with_spaces_is_a_cpf(patient, session, typed):
    set_flow_settings(session, ask_cpf=True)
    p, _ = at_the_name_question(patient)
    assert TEXTS("ask_cpf") in p.says("Maria Silva")
    p.says(typed)
    session.expire_all()
    address = "whatsapp:" + PHONE
    conversation = session.exec(select(Conversation).where(Conversation.address == address)).one()
    assert session.get(Client, conversation.client_id).cpf == "52998224725"
