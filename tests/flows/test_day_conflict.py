"""A weekday written with a date it does not fall on is asked about, never guessed: no slot list
for either day, no hold, no booking (the tests' clock: Wednesday 10/12/2025, São Paulo)."""

from __future__ import annotations

import pytest
from sqlmodel import select
from support import conversation_with

from bot.core.texts import Texts
from models import SlotHold

PHONE = "+5511900000081"
TEXTS = Texts()


@pytest.mark.parametrize(
    ("said", "written", "named"),
    [
        ("sexta, 16/12", "ter, 16/12", "sex, 12/12"),
        ("quarta dia 16 às 10h", "ter, 16/12", "qua, 17/12"),
        ("pode ser sábado 19/12 de manhã?", "sex, 19/12", "sáb, 13/12"),
    ],
)
def test_at_the_times_a_disagreeing_day_is_asked_about(patient, session, said, written, named):
    p = patient(PHONE, "Jhonata Lima")
    for text in ["oi", "1", "unimed", "paulista", "clinica geral"]:
        p.says(text)
    reply = p.says(said)
    assert reply.startswith(
        TEXTS("day_conflict", day=16 if "16" in said else 19, date=written, other=named)
    )
    stored = conversation_with(session, PHONE)
    assert stored.state == "slot"
    assert stored.context.get("day") is None and stored.context.get("near") is None
    assert session.exec(select(SlotHold)).all() == []


def test_a_first_message_with_a_disagreeing_day_books_nothing(patient, session):
    reply = patient(PHONE).says("quero marcar sexta dia 16 às 10h")
    assert TEXTS("day_conflict", day=16, date="ter, 16/12", other="sex, 12/12") in reply
    assert conversation_with(session, PHONE).state == "menu"
    assert "wish" not in conversation_with(session, PHONE).context


def test_a_weekday_that_agrees_with_its_date_is_that_date(patient, session):
    p = patient(PHONE, "Jhonata Lima")
    for text in ["oi", "1", "unimed", "paulista", "clinica geral"]:
        p.says(text)
    reply = p.says("sexta, 19/12")
    assert "Fiquei em dúvida" not in reply
    assert "19/12" in reply and "12/12" not in reply
