"""Appointment actions (confirm, cancel, complete, no-show), CliniPlus's confirm, the conflict
check, the history, and the webhook events each change queues."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from models import (
    Appointment,
    AppointmentEvent,
    AuditEvent,
    Client,
    Location,
    Professional,
    Service,
    Slot,
    WebhookDelivery,
    WebhookEndpoint,
)

BASE = "/api/v1/appointments"
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def app(make_app, database_url):
    return make_app(database_url, SECRET_KEY="test-secret", API_RATE_LIMIT=100_000)


def named(session: Session, model: type, name: str) -> int:
    return session.exec(select(model.id).where(model.name == name, model.clinic_id == 1)).one()


def maria(session: Session) -> Appointment:
    session.expire_all()
    client_id = named(session, Client, "Maria Oliveira")
    return session.exec(select(Appointment).where(Appointment.client_id == client_id)).one()


def history(session: Session, appointment_id: int) -> list[AppointmentEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AppointmentEvent)
            .where(AppointmentEvent.appointment_id == appointment_id)
            .order_by(col(AppointmentEvent.id))
        )
    )


def error_of(response, status: int, code: str) -> list[dict]:
    assert response.status_code == status, response.json
    assert response.json["code"] == code, response.json
    return response.json["details"]


# -- the lifecycle ------------------------------------------------------------------------------


def test_confirm_is_recorded_once(api, session):
    appointment = maria(session)
    for _ in range(2):
        response = api.post(f"{BASE}/{appointment.id}/confirm")
        assert response.status_code == 200
        assert response.json["data"]["status"] == "confirmed"
    events = history(session, appointment.id)
    assert [(e.from_status, e.to_status) for e in events[1:]] == [("scheduled", "confirmed")]
    assert events[-1].actor == "api_key" and events[-1].actor_ref.startswith("agd_live_")


def test_cancel_with_a_reason_without_a_body_and_with_a_bad_body(api, session):
    appointment = maria(session)
    error_of(
        api.post(
            f"{BASE}/{appointment.id}/cancel",
            data="reason=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        400,
        "INVALID_JSON",
    )
    assert maria(session).status == "scheduled"
    response = api.post(f"{BASE}/{appointment.id}/cancel", json={"reason": "Vou viajar"})
    assert response.json["data"]["status"] == "cancelled"
    assert response.json["data"]["cancel_reason"] == "Vou viajar"
    [detail] = error_of(api.post(f"{BASE}/{appointment.id}/cancel"), 409, "CONFLICT")
    assert (detail["from"], detail["to"]) == ("cancelled", "cancelled")
    joao_id = named(session, Client, "João Pereira")
    joao = session.exec(select(Appointment).where(Appointment.client_id == joao_id)).one()
    response = api.post(f"{BASE}/{joao.id}/cancel")  # no body at all
    assert response.status_code == 200 and response.json["data"]["cancel_reason"] is None


@pytest.mark.parametrize(("action", "status"), [("complete", "completed"), ("no-show", "no_show")])
def test_outcomes_need_the_appointment_to_have_started(api, session, clock, action, status):
    appointment = maria(session)
    [detail] = error_of(api.post(f"{BASE}/{appointment.id}/{action}"), 409, "CONFLICT")
    assert (detail["from"], detail["to"]) == ("scheduled", status)
    clock.advance(days=2, hours=1, minutes=5)  # Friday 10:05, five minutes into it
    response = api.post(f"{BASE}/{appointment.id}/{action}")
    assert response.status_code == 200 and response.json["data"]["status"] == status
    [detail] = error_of(api.post(f"{BASE}/{appointment.id}/confirm"), 409, "CONFLICT")
    assert (detail["from"], detail["to"]) == (status, "confirmed")
    audit = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert audit.action == f"appointment.{action.replace('-', '_')}"
    assert (audit.before["status"], audit.after["status"]) == ("scheduled", status)


def test_history_is_oldest_first_and_exports(api, session):
    appointment = maria(session)
    api.post(f"{BASE}/{appointment.id}/confirm")
    api.post(f"{BASE}/{appointment.id}/cancel", json={"reason": "Imprevisto"})
    body = api.get(f"{BASE}/{appointment.id}/history").json
    assert body["meta"]["total"] == 3
    assert [(e["from_status"], e["to_status"]) for e in body["data"]] == [
        (None, "scheduled"),
        ("scheduled", "confirmed"),
        ("confirmed", "cancelled"),
    ]
    assert [e["actor"] for e in body["data"]] == ["system", "api_key", "api_key"]
    assert body["data"][-1]["note"] == "Imprevisto"
    response = api.get(f"{BASE}/{appointment.id}/history?format=csv&per_page=1&page=3")
    [row] = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    assert row["to_status"] == "cancelled"


# -- CliniPlus ----------------------------------------------------------------------------------


def test_cliniplus_confirm(api, session):
    appointment = maria(session)
    body = {
        "appointmentId": str(appointment.id),
        "confirmedBy": "professional",
        "notes": "Confirmado via integração",
    }
    response = api.post(f"{BASE}/confirm", json=body)
    assert response.status_code == 200, response.json
    assert response.json["message"] == "agendamento confirmado com sucesso"
    assert response.json["data"]["status"] == "confirmed"
    last = history(session, appointment.id)[-1]
    assert last.actor == "professional" and last.note == "Confirmado via integração"
    assert last.actor_ref.startswith("agd_live_")


def test_cliniplus_validation_errors(api, session):
    appointment = maria(session)
    [detail] = error_of(
        api.post(
            f"{BASE}/confirm", json={"appointmentId": str(appointment.id), "confirmedBy": "x"}
        ),
        400,
        "INVALID_PARAMETER",
    )
    assert detail["path"] == ["confirmedBy"]
    error_of(
        api.post(f"{BASE}/confirm", json={"confirmedBy": "system"}), 400, "MISSING_REQUIRED_FIELD"
    )
    error_of(
        api.post(
            f"{BASE}/confirm",
            json={"appointmentId": "uuid-da-agendamento", "confirmedBy": "system"},
        ),
        404,
        "RESOURCE_NOT_FOUND",
    )
    assert maria(session).status == "scheduled"


# -- conflicts ----------------------------------------------------------------------------------


def test_conflict_check(api, session):
    appointment = maria(session)
    ana = named(session, Professional, "Dra. Ana Souza")

    def check(query: str) -> dict:
        response = api.get(f"{BASE}/conflicts?professional_id={ana}&{query}")
        assert response.status_code == 200, response.json
        return response.json["data"]

    found = check("start=2025-12-12T10:15:00-03:00")
    assert found["has_conflicts"] is True
    assert [a["id"] for a in found["conflicts"]] == [str(appointment.id)]
    assert check("start=2025-12-12T09:30:00-03:00") == {"has_conflicts": False, "conflicts": []}
    assert check("start=2025-12-12T09:30:00-03:00&duration_minutes=31")["has_conflicts"]
    assert check("start=2025-12-12T10:00:00")["has_conflicts"]  # São Paulo by default
    assert not check("start=2025-12-12T10:00:00&timezone=America/Manaus")["has_conflicts"]
    assert not check(f"start=2025-12-12T10:00:00&exclude_id={appointment.id}")["has_conflicts"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("start=2025-12-12T10:00:00", "MISSING_REQUIRED_FIELD"),
        ("professional_id={ana}", "MISSING_REQUIRED_FIELD"),
        ("professional_id={ana}&start=amanhã", "INVALID_DATE_FORMAT"),
        ("professional_id={ana}&start=2025-12-12", "INVALID_DATE_FORMAT"),
        ("professional_id={ana}&start=2025-12-12T10:00:00&duration_minutes=0", "INVALID_PARAMETER"),
        ("professional_id=999999&start=2025-12-12T10:00:00", "INVALID_PARAMETER"),
        ("professional_id=x&start=2025-12-12T10:00:00", "INVALID_PARAMETER"),
    ],
)
def test_conflict_check_refusals(api, session, query, code):
    ana = named(session, Professional, "Dra. Ana Souza")
    error_of(api.get(f"{BASE}/conflicts?{query.format(ana=ana)}"), 400, code)


# -- events out ---------------------------------------------------------------------------------


def test_every_change_queues_its_event(api, session, clock):
    session.add(
        WebhookEndpoint(clinic_id=1, url="https://erp.example.com/h", secret="s", created_at=NOW)
    )
    session.commit()
    slot = session.exec(
        select(Slot)
        .where(
            Slot.professional_id == named(session, Professional, "Dra. Ana Souza"),
            Slot.location_id == named(session, Location, "Paulista"),
            Slot.start > NOW,
        )
        .order_by(col(Slot.start))
    ).first()
    created = api.post(
        BASE,
        json={
            "client_id": str(named(session, Client, "João Pereira")),
            "service_id": str(named(session, Service, "Clínica geral")),
            "slot_id": str(slot.id),
        },
    ).json["data"]
    new_id = created["id"]
    api.post(f"{BASE}/{new_id}/confirm")
    api.patch(f"{BASE}/{new_id}", json={"start": "2025-12-10T11:00:00"})
    api.post(f"{BASE}/{new_id}/cancel")
    appointment = maria(session)
    clock.advance(days=2, hours=2)
    api.post(f"{BASE}/{appointment.id}/complete")
    joao = session.exec(
        select(Appointment).where(Appointment.client_id == named(session, Client, "João Pereira"))
    ).first()
    api.post(f"{BASE}/{joao.id}/no-show")
    deliveries = session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all()
    assert [d.event_type for d in deliveries] == [
        "appointment.created",
        "appointment.confirmed",
        "appointment.rescheduled",
        "appointment.cancelled",
        "appointment.completed",
        "appointment.no_show",
    ]
    assert deliveries[0].payload["data"]["appointment"]["id"] == new_id
    assert deliveries[2].payload["data"]["appointment"]["status"] == "scheduled"


def test_no_endpoint_no_event(api, session):
    api.post(f"{BASE}/{maria(session).id}/confirm")
    assert session.exec(select(WebhookDelivery)).all() == []
