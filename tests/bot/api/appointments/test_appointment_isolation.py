"""Invariant 6 on every appointment endpoint: another clinic's key gets 404 for the demo clinic's
appointments (and cannot reach its slots, clients or professionals), and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Appointment, AppointmentEvent, KeyKind, Professional, Slot

BASE = "/api/v1/appointments"


@pytest.fixture
def app(make_app, database_url):
    return make_app(database_url, SECRET_KEY="test-secret", API_RATE_LIMIT=100_000)


@pytest.fixture
def demo(session):
    """The demo clinic's first appointment, its professional and a free slot."""
    appointment = session.exec(
        select(Appointment).where(Appointment.clinic_id == 1).order_by(Appointment.id)
    ).first()
    slot = session.get(Slot, appointment.slot_id)
    free = session.exec(
        select(Slot).where(Slot.clinic_id == 1, Slot.id != slot.id).order_by(Slot.start.desc())
    ).first()
    return {
        "id": appointment.id,
        "professional": slot.professional_id,
        "free": free.id,
        "client": appointment.client_id,
        "service": appointment.service_id,
    }


ENDPOINTS = [
    ("GET", "/{id}", None),
    ("PATCH", "/{id}", {"notes": "x"}),
    ("PUT", "/{id}", {"notes": "x"}),
    ("DELETE", "/{id}", None),
    ("POST", "/{id}/confirm", None),
    ("POST", "/{id}/cancel", {"reason": "x"}),
    ("POST", "/{id}/complete", None),
    ("POST", "/{id}/no-show", None),
    ("GET", "/{id}/history", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_another_clinics_appointment_is_not_found(other_api, demo, session, method, path, body):
    response = other_api.request(method, BASE + path.format(id=demo["id"]), json=body)
    assert response.status_code == 404, response.json
    assert response.json["code"] == "RESOURCE_NOT_FOUND"
    session.expire_all()
    appointment = session.get(Appointment, demo["id"])
    assert appointment.status == "scheduled" and appointment.notes is None
    events = session.exec(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == demo["id"])
    ).all()
    assert len(events) == 1


def test_cliniplus_confirm_of_another_clinics_appointment(other_api, demo, session):
    body = {"appointmentId": str(demo["id"]), "confirmedBy": "system"}
    response = other_api.post(f"{BASE}/confirm", json=body)
    assert response.status_code == 404
    assert session.get(Appointment, demo["id"]).status == "scheduled"


def test_an_admin_key_on_another_clinic_cannot_delete(
    client, make_key, demo, other_clinic, session
):
    headers = {"x-admin-api-key": make_key(kind=KeyKind.admin), "X-Clinic-Id": str(other_clinic)}
    response = client.delete(f"{BASE}/{demo['id']}?delete=true", headers=headers)
    assert response.status_code == 404
    assert session.get(Appointment, demo["id"]) is not None


def test_lists_and_checks_show_nothing_of_the_other_clinic(other_api, demo, other_clinic):
    listed = other_api.get(BASE).json
    assert listed["meta"]["total"] == 2  # its own two demo-like appointments
    assert str(demo["id"]) not in [item["id"] for item in listed["data"]]
    theirs = other_api.get(f"{BASE}?client_id={demo['client']}")  # a 400, as in bodies
    assert theirs.status_code == 400 and theirs.json["details"][0]["path"] == ["client_id"]
    response = other_api.get(
        f"{BASE}/conflicts?professional_id={demo['professional']}&start=2025-12-12T10:00:00"
    )
    assert response.status_code == 400 and response.json["details"][0]["path"] == [
        "professional_id"
    ]


def test_another_clinics_slot_client_and_service_cannot_be_booked(
    other_api, demo, session, other_clinic
):
    own = session.exec(select(Professional).where(Professional.clinic_id == other_clinic)).first()
    assert own is not None
    body = {
        "client_id": str(demo["client"]),
        "service_id": str(demo["service"]),
        "slot_id": str(demo["free"]),
    }
    response = other_api.post(BASE, json=body)
    assert response.status_code == 404 and response.json["code"] == "SLOT_NOT_FOUND"
    own_slot = session.exec(
        select(Slot).where(Slot.clinic_id == other_clinic).order_by(Slot.start.desc())
    ).first()
    response = other_api.post(BASE, json=body | {"slot_id": str(own_slot.id)})
    assert response.status_code == 400 and response.json["details"][0]["path"] == ["client_id"]
