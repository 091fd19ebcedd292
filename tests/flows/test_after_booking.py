"""The loop after booking, end to end: reminders, button answers, a reschedule from a reminder,
and a cancellation whose place goes to the first patient on the waiting list."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from support import FakeTwilioHttp, created, twilio

from bot.messaging.reminders import run_once
from models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    Clinic,
    Message,
    Reminder,
    WaitlistEntry,
    new_session,
)

SP = ZoneInfo("America/Sao_Paulo")
TEMPLATE = "HX" + "0" * 32
ANA, BIA, CAIO = "+5582912345678", "+5511955554444", "+5511966665555"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 12, day, hour, minute, tzinfo=SP)


def remind(app, clock, http) -> None:
    run_once(
        lambda: new_session(app.extensions["agendai.engine"]),
        clock=clock,
        transport=twilio(http),
        worker="test",
    )


def tap(patient_obj, payload: str, replied_to: str) -> str:
    return patient_obj.says(
        payload.title(),
        MessageType="button",
        ButtonPayload=payload,
        ButtonText=payload.title(),
        OriginalRepliedMessageSid=replied_to,
    )


def appointment_of(session, name: str) -> Appointment:
    client = session.exec(select(Client).where(Client.name == name)).one()
    return session.exec(
        select(Appointment)
        .where(Appointment.client_id == client.id)
        .order_by(col(Appointment.id).desc())
    ).first()


def test_booking_reminders_buttons_reschedule_and_the_waiting_list(app, session, clock, patient):
    clinic = session.exec(select(Clinic)).one()
    clinic.settings = {"ask_cpf": True, "reminder_content_sid": TEMPLATE}
    session.add(clinic)
    session.commit()
    ana, bia, caio = patient(ANA, "Ana Lima"), patient(BIA, "Bia Reis"), patient(CAIO, "Caio")

    # Wednesday: Ana books Friday 16:00; Bia, then Caio, join the waiting list for afternoons.
    for text in ("quero marcar sexta às 16h", "unimed", "paulista", "clinica geral", "sim", "sim"):
        ana.says(text)
    assert "Pronto, Ana!" in ana.says("111.444.777-35")
    for waiting in (bia, caio):
        for text in ("oi", "1", "unimed", "paulista", "clinica geral"):
            waiting.says(text)
        assert "período" in waiting.says("espera")
        assert "lista de espera" in waiting.says("tarde")
    entries = session.exec(select(WaitlistEntry).order_by(WaitlistEntry.id)).all()
    assert [e.part_of_day for e in entries] == ["afternoon", "afternoon"]

    # Thursday 16:00: the 24 h reminder goes out as the template; Ana taps "Confirmar".
    clock.set(at(11, 16))
    http = FakeTwilioHttp((201, created("SMremind24")), (201, created("SMremind02")))
    remind(app, clock, http)
    assert http.requests[0]["data"]["ContentSid"] == TEMPLATE
    assert "Presença confirmada" in tap(ana, "confirm", "SMremind24")
    assert appointment_of(session, "Ana Lima").status == AppointmentStatus.confirmed

    # Friday 14:00: the 2 h reminder; Ana taps "Remarcar" and moves to the first time offered.
    clock.set(at(12, 14))
    remind(app, clock, http)
    assert len(http.requests) == 2
    assert session.exec(select(Reminder.kind).where(Reminder.status == "sent")).all() == [
        "24h",
        "2h",
    ]
    assert "Vamos remarcar" in tap(ana, "reschedule", "SMremind02")
    ana.says("1")
    assert "Consulta remarcada" in ana.says("sim")
    moved = appointment_of(session, "Ana Lima")
    assert moved.start != at(12, 16)

    # Bia and Caio write again (their 24-hour window is open); Ana then cancels.
    bia.says("oi")
    caio.says("oi")
    ana.says("minhas consultas")
    ana.says("cancelar")
    assert "foi cancelada" in ana.says("imprevisto")
    offers = session.exec(
        select(Message).where(col(Message.body).contains("Abriu um horário"))
    ).all()
    assert len(offers) >= 2  # both waiting patients were told, Bia first
    assert offers[0].conversation_id < offers[-1].conversation_id

    # The first "sim" books it; the other hears it was taken and keeps waiting.
    assert "nome" in bia.says("sim")
    bia.says("sim")
    assert "Pronto, Bia!" in bia.says("529.982.247-25")
    assert "já foi preenchida" in caio.says("sim")
    bia_booking = appointment_of(session, "Bia Reis")
    assert (
        bia_booking.slot_id == moved.slot_id and bia_booking.status == AppointmentStatus.scheduled
    )
    session.expire_all()  # the test's own session cached these rows earlier
    statuses = [e.status for e in session.exec(select(WaitlistEntry).order_by(WaitlistEntry.id))]
    assert statuses == ["booked", "waiting"]
    actors = session.exec(
        select(AppointmentEvent.actor).where(AppointmentEvent.appointment_id == moved.id)
    ).all()
    assert set(actors) == {"client"}
