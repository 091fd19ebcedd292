"""Bookings made by the WhatsApp bot send the same webhook events as the REST API's (every change
passes through bot/domain/scheduling)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from models import WebhookDelivery, WebhookEndpoint

NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


def option(reply: str, label: str) -> str:
    """The number of the option whose line contains `label`."""
    match = re.search(rf"^(\d+) - .*{re.escape(label)}", reply, re.MULTILINE)
    assert match, f"no option {label!r} in:\n{reply}"
    return match.group(1)


def test_a_whatsapp_booking_queues_appointment_created(patient, session):
    session.add(
        WebhookEndpoint(
            clinic_id=1,
            url="https://erp.example.com/h",
            secret="s",
            events=["appointment.created"],
            created_at=NOW,
        )
    )
    session.commit()
    maria = patient("+5511987654321")
    reply = maria.says("oi")
    reply = maria.says(option(reply, "Agendar consulta"))
    reply = maria.says(option(reply, "Unimed"))
    if "Em qual unidade" in reply:
        reply = maria.says(option(reply, "Paulista"))
    if "Qual atendimento" in reply:
        reply = maria.says(option(reply, "Clínica geral"))
    maria.says("1")
    assert "Pronto, Maria!" in maria.says("sim")
    deliveries = session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all()
    assert [d.event_type for d in deliveries] == ["appointment.created"]
    assert deliveries[0].payload["data"]["appointment"]["status"] == "scheduled"
