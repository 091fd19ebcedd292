"""The conversation end to end, through the signed Twilio webhook and the real state machine."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    ClientPhone,
    Clinic,
    Conversation,
    Slot,
    SlotHold,
)

NEW = "+5582912345678"
MARIA_13 = "+5511987654321"  # stored with the 9th digit
MARIA_12 = "+551187654321"
JOAO_12 = "+558282136275"  # stored without the 9th digit
JOAO_13 = "+5582982136275"


def conversation(session: Session, phone: str) -> Conversation:
    session.expire_all()
    return session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:" + phone)
    ).one()


def option_number(reply: str, label: str) -> str:
    """The number of the option whose line contains `label`."""
    match = re.search(rf"^(\d+) - .*{re.escape(label)}", reply, re.MULTILINE)
    assert match, f"no option {label!r} in:\n{reply}"
    return match.group(1)


def book_until_slots(
    p, insurance: str = "Unimed", unit: str = "Paulista", service: str = "Clínica geral"
) -> str:
    reply = p.says("oi")
    reply = p.says(option_number(reply, "Agendar consulta"))
    reply = p.says(option_number(reply, insurance))
    if "Em qual unidade" in reply:
        reply = p.says(option_number(reply, unit))
    if "Qual atendimento" in reply:
        reply = p.says(option_number(reply, service))
    return reply


# -- greeting and recognition -------------------------------------------------------------------


def test_unknown_number_gets_greeting_and_menu(patient):
    reply = patient(NEW).says("oi")
    assert "Clínica Demo" in reply
    assert "1 - Agendar consulta" in reply
    assert "2 - Minhas consultas" in reply


@pytest.mark.parametrize(
    ("phone", "name"),
    [(MARIA_13, "Maria"), (MARIA_12, "Maria"), (JOAO_12, "João"), (JOAO_13, "João")],
)
def test_known_patient_is_greeted_by_name_with_or_without_9th_digit(patient, session, phone, name):
    reply = patient(phone).says("Olá")
    assert f"Olá, {name}!" in reply
    # The conversation answers exactly the address that wrote.
    assert conversation(session, phone).address == "whatsapp:" + phone


def test_the_real_sandbox_payload_is_recognised_as_joao(post_twilio, read_form, twiml_messages):
    response = post_twilio(read_form("02_br_sandbox_text_ddd82_12digit_waid.form"))
    assert "Olá, João!" in twiml_messages(response.data)[0]


# -- booking ------------------------------------------------------------------------------------


def test_new_patient_books_from_oi_to_rows(patient, session):
    p = patient(NEW, "Jhonata")
    reply = book_until_slots(p)
    assert "*qua, 10/12*" in reply and "09:30 · Dra. Ana Souza" in reply
    assert "09:00" not in reply  # 09:00 is now: only later slots are offered
    reply = p.says(option_number(reply, "09:30"))
    assert "Confirma o agendamento?" in reply and "qua, 10/12 às 09:30" in reply
    reply = p.says("sim")
    assert "*Jhonata*" in reply  # the WhatsApp profile name is offered
    reply = p.says("não, é Jhonata Santos")
    assert "Não consegui entender seu nome" in reply  # not a name: asked again
    reply = p.says("Jhonata Santos")
    assert "CPF" in reply
    assert "não parece válido" in p.says("529.982.247-24")
    reply = p.says("111.444.777-35")
    assert "Pronto, Jhonata!" in reply
    assert "Av. Paulista, 1000" in reply and "Dra. Ana Souza" in reply
    assert "qua, 10/12 às 09:30" in reply

    client = session.exec(select(Client).where(Client.cpf == "11144477735")).one()
    assert client.name == "Jhonata Santos"
    phone = session.exec(select(ClientPhone).where(ClientPhone.client_id == client.id)).one()
    assert phone.key == "5582912345678"
    appointment = session.exec(select(Appointment).where(Appointment.client_id == client.id)).one()
    assert appointment.status == AppointmentStatus.scheduled
    assert appointment.start.hour == 12 and appointment.start.minute == 30  # 09:30 in São Paulo
    assert (appointment.end - appointment.start).total_seconds() == 30 * 60
    event = session.exec(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
    ).one()
    assert event.actor == "client" and event.to_status == "scheduled"
    assert session.exec(select(SlotHold)).all() == []
    assert conversation(session, NEW).state == "idle"


def test_known_patient_books_in_at_most_eight_messages(patient, session):
    p = patient(MARIA_12)
    reply = book_until_slots(p)
    reply = p.says("1")
    reply = p.says("sim")
    assert "Pronto, Maria!" in reply
    assert p.sent <= 8
    maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    count = session.exec(select(Appointment).where(Appointment.client_id == maria.id)).all()
    assert len(count) == 2  # the demo one and this one


def test_clinic_without_cpf_step_books_after_the_name(patient, session, app):
    clinic = session.exec(select(Clinic)).one()
    clinic.settings = {"ask_cpf": False}
    session.add(clinic)
    session.commit()
    p = patient(NEW, "Ana Lima")
    book_until_slots(p)
    p.says("1")
    p.says("sim")
    assert "Pronto, Ana!" in p.says("sim")


def test_units_and_services_follow_the_insurance(patient):
    p = patient(NEW)
    reply = p.says("oi")
    reply = p.says("1")
    # SulAmérica: only Paulista and only Clínica geral, so both questions are skipped.
    reply = p.says("sulamerica")
    assert "Em qual unidade" not in reply and "Qual atendimento" not in reply
    assert "*Clínica geral* na unidade *Paulista*" in reply


def test_bradesco_is_not_offered_in_manaus(patient):
    p = patient(NEW)
    p.says("oi")
    p.says("1")
    reply = p.says("bradesco")
    assert "Paulista" in reply and "Pinheiros" in reply and "Manaus" not in reply


def test_manaus_times_are_shown_in_manaus_time(patient):
    reply = book_until_slots(patient(NEW), unit="Manaus Centro")
    # now is 09:00 in São Paulo = 08:00 in Manaus: the 08:00 slot has started, 08:30 is next.
    assert "1 - 08:30 · Dr. Daniel Rocha" in reply


def test_option_names_with_typos_and_without_accents(patient):
    p = patient(NEW)
    p.says("oi")
    reply = p.says("agendar")
    reply = p.says("unimedi")
    assert "Em qual unidade" in reply
    reply = p.says("pinheros")
    assert "Qual atendimento" in reply
    reply = p.says("dermatologia")
    assert "Dermatologia* na unidade *Pinheiros*" in reply


def test_more_pages_and_typed_days(patient):
    p = patient(NEW)
    first = book_until_slots(p)
    more = p.says("mais")
    first_times = set(re.findall(r"\d{2}:\d{2} · ", first))
    assert not first_times & set(re.findall(r"\d{2}:\d{2} · ", more.split("*qua, 10/12*")[-1])) or (
        "*qui, 11/12*" in more or "*sex, 12/12*" in more
    )
    assert more != first
    assert "Horários livres em *sex, 12/12*" in p.says("sexta")
    assert "*seg, 15/12*" in p.says("15/12")
    reply = p.says("amanhã")
    assert "*qui, 11/12*" in reply


def test_a_day_without_slots_offers_the_next_ones(patient):
    # Sunday: nobody works.
    p = patient(NEW)
    book_until_slots(p)
    reply = p.says("domingo")
    assert "Não há horários livres em *dom, 14/12*" in reply
    assert "*seg, 15/12*" in reply


def test_saying_no_at_confirmation_releases_the_hold(patient, session):
    p = patient(NEW)
    book_until_slots(p)
    p.says("1")
    assert len(session.exec(select(SlotHold)).all()) == 1
    reply = p.says("não")
    assert "próximos horários livres" in reply
    session.expire_all()
    assert session.exec(select(SlotHold)).all() == []


def test_a_slot_taken_meanwhile_is_explained_and_the_list_refreshed(patient, session):
    slow, fast = patient(NEW), patient("+5511955554444")
    first_list = book_until_slots(slow)
    book_until_slots(fast)
    fast.says("1")  # fast holds the first slot
    reply = slow.says("1")
    assert "acabou de ser reservado" in reply
    assert reply.count("09:30 · Dra. Ana Souza") == 0
    assert "09:30 · Dra. Ana Souza" in first_list


def test_an_expired_hold_still_books_when_the_place_is_free(patient, clock):
    p = patient(MARIA_13)
    book_until_slots(p)
    p.says("amanhã")
    p.says("1")
    clock.advance(minutes=30)
    assert "Pronto, Maria!" in p.says("sim")


def test_an_expired_hold_whose_place_was_taken_offers_other_slots(patient, clock, session):
    slow, fast = patient(MARIA_13), patient(JOAO_13)
    book_until_slots(slow)
    slow.says("1")
    clock.advance(minutes=11)
    book_until_slots(fast)
    fast.says("1")
    assert "Pronto, João!" in fast.says("sim")
    reply = slow.says("sim")
    assert "acabou de ser reservado" in reply
    assert conversation(session, MARIA_13).state == "slot"


# -- managing appointments ----------------------------------------------------------------------


def test_my_appointments_confirm(patient, session):
    p = patient(MARIA_13)
    p.says("oi")
    reply = p.says("minhas consultas")
    assert "Sua consulta" in reply and "Situação: agendada" in reply
    reply = p.says(option_number(reply, "Confirmar presença"))
    assert "Presença confirmada" in reply
    maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    appointment = session.exec(select(Appointment).where(Appointment.client_id == maria.id)).one()
    assert appointment.status == AppointmentStatus.confirmed
    events = session.exec(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
    ).all()
    assert [e.to_status for e in events] == ["scheduled", "confirmed"]


def test_my_appointments_reschedule_moves_in_one_step(patient, session):
    p = patient(JOAO_12)
    p.says("oi")
    p.says("2")
    joao = session.exec(select(Client).where(Client.name == "João Pereira")).one()
    before = session.exec(select(Appointment).where(Appointment.client_id == joao.id)).one()
    old_slot = before.slot_id
    reply = p.says("remarcar")
    assert "Vamos remarcar" in reply and "Dermatologia* na unidade *Pinheiros*" in reply
    p.says("1")
    reply = p.says("sim")
    assert "Consulta remarcada" in reply
    session.expire_all()
    after = session.exec(select(Appointment).where(Appointment.client_id == joao.id)).one()
    assert after.id == before.id and after.slot_id != old_slot
    assert after.status == AppointmentStatus.scheduled
    taken = session.exec(
        select(Appointment).where(
            Appointment.slot_id == old_slot, col(Appointment.status).in_(["scheduled", "confirmed"])
        )
    ).all()
    assert taken == []


def test_my_appointments_cancel_asks_and_stores_the_reason(patient, session):
    p = patient(MARIA_13)
    p.says("minhas consultas")
    reply = p.says("cancelar")
    assert "motivo" in reply
    reply = p.says("Vou viajar")
    assert "foi cancelada" in reply
    appointment = session.exec(
        select(Appointment).where(Appointment.cancel_reason.is_not(None))
    ).one()
    assert appointment.status == AppointmentStatus.cancelled
    assert appointment.cancel_reason == "Vou viajar"
    slot = session.get(Slot, appointment.slot_id)
    assert slot is not None
    assert "Você não tem consultas" in p.says("minhas consultas")


def test_several_appointments_are_listed_to_choose_from(patient):
    p = patient(MARIA_13)
    book_until_slots(p)
    p.says("1")
    p.says("sim")
    reply = p.says("minhas consultas")
    assert "Qual consulta" in reply
    assert "Sua consulta" in p.says("2")


def test_unknown_number_has_no_appointments(patient):
    assert "Não encontrei consultas" in patient(NEW).says("minhas consultas")


# -- escapes from any step: tests/flows/test_escapes.py ----------------------------------------

BOOKING_AT = {"insurance": 2, "location": 3, "service": 4, "slot": 5}


def reach(patient, session, state: str):
    """A new patient part of the way through booking: at `state`."""
    p = patient(NEW, "Jhonata")
    for text in ["oi", "1", "unimed", "paulista", "clinica geral"][: BOOKING_AT[state]]:
        p.says(text)
    assert conversation(session, NEW).state == state
    return p


# -- what is not understood ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("9", "Não encontrei a opção *9*"),
        ("🙂🙂🙂", "não entendi"),
        ("x" * 5000, "bem longa"),
        ("qualquer coisa", "Não encontrei essa opção"),
    ],
)
def test_odd_answers_get_a_helpful_reask(patient, session, body, expected):
    p = reach(patient, session, "insurance")
    reply = p.says(body)
    assert expected in reply
    assert "Qual é o seu convênio?" in reply
    assert conversation(session, NEW).state == "insurance"


def test_no_body_at_all_is_answered(patient, session):
    p = reach(patient, session, "slot")
    reply = p.says(None, NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://x/a")
    assert "áudios" in reply and "horários livres" in reply


def test_three_misses_in_a_row_offer_a_human(patient, session):
    p = reach(patient, session, "insurance")
    assert "atendente" not in p.says("blá")
    assert "atendente" not in p.says("blé")
    assert "digite *atendente*" in p.says("bli")
    assert "digite *atendente*" not in p.says("unimed")


def test_a_state_that_no_longer_exists_starts_over(patient, session):
    p = patient(NEW)
    p.says("oi")
    row = conversation(session, NEW)
    row.state = "removed_in_an_upgrade"
    session.add(row)
    session.commit()
    assert "Como posso ajudar?" in p.says("oi")


def test_invalid_clinic_settings_fall_back_to_defaults(patient, session, caplog):
    clinic = session.exec(select(Clinic)).one()
    clinic.settings = {"hold_minutes": 0}
    session.add(clinic)
    session.commit()
    assert "Como posso ajudar?" in patient(NEW).says("oi")
    assert "hold_minutes" in caplog.text


def test_a_change_read_from_free_text_is_confirmed_before_it_is_made(patient, session):
    p = patient(MARIA_13)
    reply = p.says("não vou conseguir ir")
    assert "Sua consulta" in reply  # shown, nothing changed yet
    reply = p.says("não vou poder ir")
    assert "Você quer *cancelar* a consulta de" in reply
    assert "Sua consulta" in p.says("não")  # declined: back to the appointment, still booked
    p.says("não vou poder ir")
    assert "motivo" in p.says("sim")
    assert "foi cancelada" in p.says("imprevisto no trabalho")
    appointment = session.exec(
        select(Appointment).where(Appointment.cancel_reason.is_not(None))
    ).one()
    assert appointment.cancel_reason == "imprevisto no trabalho"


def test_confirming_presence_in_words_asks_first(patient, session):
    p = patient(MARIA_13)
    p.says("minhas consultas")
    assert "Você confirma presença" in p.says("pode deixar, vou sim")
    assert "Presença confirmada" in p.says("sim")
    assert session.exec(select(Appointment).where(Appointment.status == "confirmed")).one()


def test_a_handoff_with_no_word_from_staff_comes_back_to_the_bot(patient, session, clock):
    p = reach(patient, session, "service")
    p.says("atendente")
    clock.advance(minutes=119)
    assert p.says("alguém aí?") == ""
    clock.advance(minutes=2)
    reply = p.says("oi?")
    assert "Continuando de onde paramos" in reply and "Qual atendimento" in reply
    assert conversation(session, NEW).handoff_at is None


def test_handoff_timeout_can_be_switched_off(patient, session, clock):
    clinic = session.exec(select(Clinic)).one()
    clinic.settings = {"ask_cpf": True, "handoff_idle_minutes": 0}
    session.add(clinic)
    session.commit()
    p = reach(patient, session, "service")
    p.says("atendente")
    clock.advance(days=3)
    assert p.says("oi?") == ""
