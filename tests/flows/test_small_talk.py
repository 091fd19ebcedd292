"""Words that are no answer: thanks, a greeting mid-flow, a question the bot cannot answer, a
miss. Each gets a short reply and the pending question, counts no miss, and never echoes the
patient's sentence back."""

from __future__ import annotations

import pytest
from support import conversation_with

from bot.core.texts import Texts

PHONE = "+5511900000042"
TEXTS = Texts()


def at_the_insurance_question(patient):
    p = patient(PHONE, "Jhonata")
    p.says("oi")
    p.says("1")
    return p


@pytest.mark.parametrize(
    "said", ["obrigado", "Obrigada!", "brigadão", "valeu", "vlw", "muito obrigada 🙏", "obg"]
)
def test_thanks_mid_flow_gets_a_short_answer_and_the_question(patient, session, said):
    p = at_the_insurance_question(patient)
    reply = p.says(said)
    assert reply.startswith(TEXTS("thanks_reply"))
    assert "Qual é o seu convênio?" in reply
    assert "Não encontrei" not in reply and said not in reply
    stored = conversation_with(session, PHONE)
    assert (stored.state, stored.context.get("misses", 0)) == ("insurance", 0)


@pytest.mark.parametrize("said", ["bom dia", "Boa tarde!", "oii", "olá"])
def test_a_greeting_mid_flow_gets_a_hello_and_the_question(patient, session, said):
    p = at_the_insurance_question(patient)
    reply = p.says(said)
    assert reply.startswith(TEXTS("hello_again"))
    assert "Qual é o seu convênio?" in reply
    assert conversation_with(session, PHONE).state == "insurance"


def test_thanks_after_booking_is_one_line_not_the_menu(patient, session):
    p = patient(PHONE, "Jhonata")
    p.says("oi")
    reply = p.says("obrigado!")
    assert reply == TEXTS("thanks_reply")
    assert conversation_with(session, PHONE).state == "menu"


@pytest.mark.parametrize("said", ["tem estacionamento?", "vocês atendem criança?", "aceita pix?"])
def test_a_question_the_bot_cannot_answer_is_said_so_and_a_person_offered(patient, session, said):
    p = at_the_insurance_question(patient)
    reply = p.says(said)
    assert reply.startswith(TEXTS("cannot_answer"))
    assert "atendente" in reply and "Qual é o seu convênio?" in reply
    assert said not in reply
    assert conversation_with(session, PHONE).context.get("misses", 0) == 0


def test_a_first_message_that_is_an_unanswerable_question_gets_the_greeting_and_menu(patient):
    reply = patient(PHONE).says("tem estacionamento?")
    assert TEXTS("cannot_answer") in reply and "Como posso ajudar?" in reply


@pytest.mark.parametrize(
    "said", ["quero um horario bom pra mim", "qualquer coisa", "a do doutor que atende bem"]
)
def test_a_miss_never_echoes_the_sentence(patient, session, said):
    p = at_the_insurance_question(patient)
    reply = p.says(said)
    assert reply.startswith(TEXTS("not_understood_words"))
    assert said not in reply
    assert conversation_with(session, PHONE).context.get("misses") == 1


def test_a_number_past_the_list_is_named(patient):
    p = at_the_insurance_question(patient)
    assert p.says("9").startswith(TEXTS("not_understood_option", text="9"))
