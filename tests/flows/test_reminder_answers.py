"""Answers to a reminder act on the appointment the reminder was about."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    Direction,
    Message,
)

BUTTON_FORM = "07_quick_reply_button.form"  # Maria (+5511987654321) taps "Confirmar" on SMout0001


def maria_appointments(session) -> list[Appointment]:
    maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    return list(
        session.exec(
            select(Appointment).where(Appointment.client_id == maria.id).order_by(Appointment.start)
        )
    )


def reminder(session, appointment: Appointment, sid: str) -> None:
    """The outbound reminder Twilio knows as `sid`, about `appointment`."""
    now = datetime.now().astimezone()
    session.add(
        Message(
            clinic_id=appointment.clinic_id,
            direction=Direction.outbound,
            provider="twilio",
            provider_id=sid,
            appointment_id=appointment.id,
            body="Lembrete",
            status="delivered",
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()


def book_second(patient) -> None:
    p = patient("+5511987654321")
    for text in ("oi", "1", "unimed", "paulista", "clinica geral", "amanhã", "1", "sim"):
        p.says(text)


def test_the_confirm_button_confirms_the_reminded_appointment(
    post_twilio, read_form, twiml_messages, session, patient
):
    book_second(patient)  # two appointments: only the reminder tells which one
    first, second = maria_appointments(session)
    reminder(session, second, "SMout0001")
    response = post_twilio(read_form(BUTTON_FORM))
    assert "Presença confirmada" in twiml_messages(response.data)[0]
    session.expire_all()
    first, second = maria_appointments(session)
    assert second.status == AppointmentStatus.confirmed
    assert first.status == AppointmentStatus.scheduled
    event = session.exec(
        select(AppointmentEvent)
        .where(AppointmentEvent.appointment_id == second.id)
        .order_by(AppointmentEvent.id.desc())
    ).first()
    assert event.actor == "client" and event.to_status == "confirmed"


def test_without_the_reminder_the_only_upcoming_appointment_is_used(
    post_twilio, read_form, twiml_messages, session
):
    response = post_twilio(read_form(BUTTON_FORM))
    assert "Presença confirmada" in twiml_messages(response.data)[0]
    assert maria_appointments(session)[0].status == AppointmentStatus.confirmed


def test_ambiguous_without_the_reminder_asks_which(post_twilio, read_form, twiml_messages, patient):
    book_second(patient)
    response = post_twilio(read_form(BUTTON_FORM))
    assert "Qual consulta" in twiml_messages(response.data)[0]


@pytest.mark.parametrize(
    ("payload", "expected"), [("cancel", "motivo"), ("reschedule", "Vamos remarcar")]
)
def test_cancel_and_reschedule_buttons(
    post_twilio, read_form, twiml_messages, session, payload, expected
):
    form = read_form(BUTTON_FORM) | {
        "ButtonPayload": payload,
        "ButtonText": payload.title(),
        "Body": payload.title(),
        "MessageSid": f"SMbtn{payload}",
    }
    reply = twiml_messages(post_twilio(form).data)[0]
    assert expected in reply
    if payload == "reschedule":
        assert "Horários livres" in reply or "próximos horários livres" in reply


def test_a_button_in_the_middle_of_a_booking_drops_it(
    post_twilio, read_form, twiml_messages, session, patient
):
    p = patient("+5511987654321")
    p.says("oi")
    p.says("1")
    response = post_twilio(read_form(BUTTON_FORM))
    assert "Presença confirmada" in twiml_messages(response.data)[0]


def text_reminder(session, patient) -> Appointment:
    """Maria has talked to the clinic; then a numbered text reminder is her latest message."""
    from models import Conversation

    patient("+5511987654321").says("obrigada")
    conversation = session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:+5511987654321")
    ).one()
    appointment = maria_appointments(session)[0]
    now = datetime.now().astimezone()
    session.add(
        Message(
            clinic_id=appointment.clinic_id,
            conversation_id=conversation.id,
            direction=Direction.outbound,
            provider="outbox",
            provider_id="outbox-1",
            appointment_id=appointment.id,
            body="Lembrete\n\n1 - Confirmar\n2 - Remarcar\n3 - Cancelar",
            status="queued",
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()
    return appointment


def test_a_number_answers_a_text_reminder(patient, session):
    text_reminder(session, patient)
    p = patient("+5511987654321")
    p.sent = 100
    assert "Presença confirmada" in p.says("1")
    assert maria_appointments(session)[0].status == AppointmentStatus.confirmed


def test_cancelar_by_number_asks_the_reason(patient, session):
    text_reminder(session, patient)
    p = patient("+5511987654321")
    p.sent = 100
    assert "motivo" in p.says("3")
    assert "foi cancelada" in p.says("viagem")


def test_after_the_bot_said_something_else_a_number_is_a_menu_choice(patient, session):
    text_reminder(session, patient)
    p = patient("+5511987654321")
    p.sent = 100
    p.says("menu")
    assert "Qual é o seu convênio?" in p.says("1")


@pytest.mark.parametrize(
    "said", ["ok, estarei lá", "pode deixar, estarei aí", "combinado, vou sim"]
)
def test_presence_confirmed_in_words_answers_the_text_reminder(patient, session, said):
    text_reminder(session, patient)
    p = patient("+5511987654321")
    p.sent = 100
    assert "Presença confirmada" in p.says(said)
    assert maria_appointments(session)[0].status == AppointmentStatus.confirmed


def test_thanks_to_a_text_reminder_confirms_nothing(patient, session):
    text_reminder(session, patient)
    p = patient("+5511987654321")
    p.sent = 100
    assert p.says("obrigada!").startswith("Por nada")
    assert maria_appointments(session)[0].status == AppointmentStatus.scheduled
