"""Patients who write days and times instead of picking numbers."""

from __future__ import annotations

import re

from sqlmodel import select

from models import Appointment, Client

MARIA = "+5511987654321"
NEW = "+5582912345678"


def local_hour(appointment: Appointment) -> str:
    # São Paulo is UTC-3 all year.
    return f"{(appointment.start.hour - 3) % 24:02d}:{appointment.start.minute:02d}"


def test_a_known_patient_books_with_free_text_only(patient, session):
    p = patient(MARIA)
    reply = p.says("quero marcar uma consulta sexta às 16h")
    assert "Olá, Maria!" in reply and "Qual é o seu convênio?" in reply
    p.says("unimed")
    p.says("paulista")
    reply = p.says("clínica geral")
    # The time she named was free: held at once, no list.
    assert "Confirma o agendamento?" in reply and "sex, 12/12 às 16:00" in reply
    assert "Pronto, Maria!" in p.says("pode ser")
    maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    booked = session.exec(
        select(Appointment).where(Appointment.client_id == maria.id).order_by(Appointment.id.desc())
    ).first()
    assert booked.start.day == 12 and local_hour(booked) == "16:00"


def test_a_part_of_the_day_lists_only_that_part(patient):
    p = patient(NEW)
    for text in ("oi", "1", "unimed", "pinheiros", "clinica geral"):
        reply = p.says(text)
    reply = p.says("amanhã de manhã")
    assert "Horários livres em *qui, 11/12, de manhã*" in reply
    times = re.findall(r"^\d+ - (\d{2}):\d{2}", reply, re.MULTILINE)
    assert times and all(int(hour) < 12 for hour in times)
    assert "*qui, 11/12*" in reply and "sex" not in reply.split("Horários")[1].split("Responda")[0]


def test_a_named_time_that_is_taken_offers_the_nearest(patient):
    first, second = patient(MARIA), patient(NEW)
    for text in ("oi", "1", "unimed", "paulista", "clinica geral"):
        first.says(text)
        second.says(text)
    assert "Confirma o agendamento?" in first.says("sexta às 16h")
    reply = second.says("sexta às 16h")
    assert "Não tenho horário livre exatamente em *sex, 12/12 às 16:00*" in reply
    assert "mais próximos de *sex, 12/12 às 16:00*" in reply
    times = re.findall(r"^\d+ - (\d{2}:\d{2})", reply, re.MULTILINE)
    assert "16:00" not in times
    assert {"15:30", "16:30"} <= set(times)


def test_reschedule_to_the_day_named_in_the_request(patient):
    p = patient(MARIA)
    reply = p.says("quero remarcar pra sexta de manhã")
    assert "Sua consulta" in reply
    reply = p.says("remarcar")
    assert "Horários livres em *sex, 12/12, de manhã*" in reply
    times = re.findall(r"^\d+ - (\d{2}):\d{2}", reply, re.MULTILINE)
    assert times and all(int(hour) < 12 for hour in times)
