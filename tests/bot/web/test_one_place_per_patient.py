"""One patient, one place of a slot: the bot answers a second booking of the same group as taken."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.core.texts import Texts
from models import Appointment, Client

MARIA = "+5511987654321"  # a demo patient
GROUP = datetime(2025, 12, 16, 18, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))  # capacity 3


def pick_the_group(p) -> str:
    """From "oi" to the confirmation of the Tuesday 18:00 Fisioterapia group."""
    for body in ("oi", "1", "unimed", "paulista", "fisioterapia"):
        reply = p.says(body)
    reply = p.says("16/12")
    for _ in range(3):  # the evening group comes after the day's single sessions
        if "18:00" in reply and "grupo" in reply:
            break
        reply = p.says("mais")
    line = next(line for line in reply.splitlines() if "18:00" in line and "grupo" in line)
    return p.says(re.match(r"(\d+) - ", line).group(1))


def test_a_patient_asking_for_a_second_place_of_their_group_is_told_it_is_taken(patient, session):
    maria = patient(MARIA)
    assert "Confirma o agendamento?" in pick_the_group(maria)
    assert "Sua consulta está agendada" in maria.says("sim")
    assert "Confirma o agendamento?" in pick_the_group(maria)  # the group still has room...
    assert Texts()("slot_taken") in maria.says("sim")  # ...but not for her twice
    client_id = session.exec(select(Client.id).where(Client.name == "Maria Oliveira")).one()
    booked = session.exec(
        select(Appointment).where(Appointment.start == GROUP, Appointment.client_id == client_id)
    ).all()
    assert len(booked) == 1
