"""A change asked for in words while several appointments are booked keeps its meaning after the
patient says which one: "não vou poder ir" -> which? -> "a do dia 12" -> "Você quer cancelar a
consulta de …?". The appointment rows are what is asserted."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import select

from models import Appointment, AppointmentStatus, Client, Conversation

MARIA = "+5511987654321"  # a demo patient with one appointment already
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def maria_with_two_appointments(patient, session):
    p = patient(MARIA)
    for text in ["oi", "1", "unimed", "paulista", "clinica geral", "1", "sim"]:
        p.says(text)
    client = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    appointments = session.exec(
        select(Appointment).where(Appointment.client_id == client.id).order_by(Appointment.start)
    ).all()
    assert len(appointments) == 2
    return p, appointments


def local_day(appointment: Appointment) -> int:
    return appointment.start.astimezone(SAO_PAULO).day


def test_the_cancel_asked_in_words_follows_the_appointment_named_by_its_day(patient, session):
    p, (first, second) = maria_with_two_appointments(patient, session)
    assert local_day(first) != local_day(second)
    assert "Qual consulta" in p.says("não vou poder ir")
    reply = p.says(f"a do dia {local_day(second)}")
    assert "Você quer *cancelar* a consulta de" in reply
    assert f"{local_day(second):02d}/" in reply
    assert "motivo" in p.says("sim")
    p.says("viagem")
    session.expire_all()
    assert session.get(Appointment, second.id).status == AppointmentStatus.cancelled
    assert session.get(Appointment, first.id).status == AppointmentStatus.scheduled


def test_the_cancel_asked_in_words_follows_the_number_picked(patient, session):
    p, _ = maria_with_two_appointments(patient, session)
    p.says("preciso cancelar minha consulta")
    assert "Você quer *cancelar* a consulta de" in p.says("1")
    assert "Sua consulta" in p.says("não")  # declined: that appointment, nothing changed
    session.expire_all()
    assert {a.status for a in session.exec(select(Appointment)).all()} == {
        AppointmentStatus.scheduled
    }


def test_a_reschedule_asked_in_words_goes_to_the_times_of_the_one_picked(patient, session):
    p, (_, second) = maria_with_two_appointments(patient, session)
    p.says("quero remarcar")
    p.says("2")
    session.expire_all()
    conversation = session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:" + MARIA)
    ).one()
    assert conversation.state == "slot"
    assert conversation.context["mode"] == "reschedule"
    assert conversation.context["appointment_id"] == second.id


def test_a_day_matching_no_appointment_is_asked_again(patient, session):
    p, _ = maria_with_two_appointments(patient, session)
    p.says("não vou poder ir")
    assert "Qual consulta" in p.says("a do dia 28")
