"""/api/v1/appointments: list, create, read, change, cancel and delete, through the test client on
the demo clinic (a real SQLite file, the real scheduling code)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from models import (
    Appointment,
    AppointmentEvent,
    AuditEvent,
    Client,
    Conversation,
    Direction,
    KeyKind,
    Location,
    Message,
    Professional,
    Reminder,
    Service,
    Slot,
    SlotHold,
)

BASE = "/api/v1/appointments"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=SAO_PAULO)


@pytest.fixture
def app(make_app, database_url):
    """Links are signed with SECRET_KEY; a high default limit keeps long tests under it."""
    return make_app(database_url, SECRET_KEY="test-secret", API_RATE_LIMIT=100_000)


def named(session: Session, model: type, name: str, clinic_id: int = 1) -> int:
    return session.exec(
        select(model.id).where(model.name == name, model.clinic_id == clinic_id)
    ).one()


def slots(session: Session, professional: str, unit: str, after: datetime = NOW) -> list[Slot]:
    return list(
        session.exec(
            select(Slot)
            .where(
                Slot.professional_id == named(session, Professional, professional),
                Slot.location_id == named(session, Location, unit),
                Slot.start > after,
            )
            .order_by(col(Slot.start))
        )
    )


def appointment_of(session: Session, client: str) -> Appointment:
    session.expire_all()
    return session.exec(
        select(Appointment)
        .where(Appointment.client_id == named(session, Client, client))
        .order_by(col(Appointment.id))
    ).first()


def booking(session: Session, slot: Slot, service: str = "Clínica geral", **extra) -> dict:
    return {
        "client_id": str(named(session, Client, "João Pereira")),
        "service_id": str(named(session, Service, service)),
        "slot_id": str(slot.id),
    } | extra


def error_of(response, status: int, code: str) -> list[dict]:
    assert response.status_code == status, response.json
    assert response.json["code"] == code, response.json
    return response.json["details"]


# -- list ---------------------------------------------------------------------------------------


def test_list_shows_the_demo_appointments_in_the_units_zone(api):
    response = api.get(BASE)
    assert response.status_code == 200
    body = response.json
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 2, "total_pages": 1}
    maria, joao = body["data"]
    assert maria["client_name"] == "Maria Oliveira"
    assert maria["start"] == "2025-12-12T10:00:00-03:00"
    assert maria["timezone"] == "America/Sao_Paulo"
    assert maria["status"] == "scheduled"
    assert maria["service_name"] == "Clínica geral"
    assert maria["professional_name"] == "Dra. Ana Souza"
    assert maria["location_name"] == "Paulista"
    assert maria["calendar_id"] == f"{maria['professional_id']}-{maria['location_id']}"
    assert joao["duration_minutes"] == 45 and joao["end"] == "2025-12-12T11:15:00-03:00"


def test_list_filters(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    joao = appointment_of(session, "João Pereira")
    ana = named(session, Professional, "Dra. Ana Souza")
    paulista = named(session, Location, "Paulista")

    def ids(query: str) -> list[str]:
        response = api.get(f"{BASE}?{query}")
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["data"]]

    assert ids(f"client_id={joao.client_id}") == [str(joao.id)]
    assert ids(f"professional_id={ana}") == [str(maria.id)]
    assert ids(f"location_id={paulista}") == [str(maria.id)]
    assert ids(f"service_id={joao.service_id}") == [str(joao.id)]
    assert ids(f"calendar_id={ana}-{paulista}") == [str(maria.id)]
    assert ids("status=scheduled") == [str(maria.id), str(joao.id)]
    assert ids("status=cancelled") == []
    assert ids("date_from=2025-12-12&date_to=2025-12-12") == [str(maria.id), str(joao.id)]
    assert ids("date_to=2025-12-11") == []
    assert ids("date_from=2025-12-12T10:15:00-03:00") == [str(joao.id)]
    assert ids("date_to=2025-12-12T10:00:00") == [str(maria.id)]  # local time of each unit


def test_list_sorts_and_pages(api):
    def ids(query: str) -> list[str]:
        return [item["id"] for item in api.get(f"{BASE}?{query}").json["data"]]

    ascending = ids("sort_by=start")
    assert ids("sort_by=start&sort_order=desc") == ascending[::-1]
    page = api.get(f"{BASE}?per_page=1&page=2").json
    assert page["meta"] == {"page": 2, "per_page": 1, "total": 2, "total_pages": 2}
    assert [item["id"] for item in page["data"]] == ascending[1:]
    assert ids("sort_by=created_at") and ids("sort_by=updated_at") and ids("sort_by=status")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("date_from=12/12/2025", "INVALID_DATE_FORMAT"),
        ("date_to=2025-13-01", "INVALID_DATE_FORMAT"),
        ("date_from=0999-01-01", "INVALID_DATE_FORMAT"),
        ("client_id=abc", "INVALID_PARAMETER"),
        ("client_id=%C2%B9", "INVALID_PARAMETER"),  # "¹" is a digit to str.isdigit()
        ("client_id=999999", "INVALID_PARAMETER"),  # no such client: a 400, as in bodies
        ("calendar_id=nonsense", "INVALID_PARAMETER"),
        ("calendar_id=1-999999", "INVALID_PARAMETER"),
        ("status=pending", "INVALID_PARAMETER"),
        ("sort_by=name", "INVALID_PARAMETER"),
        ("per_page=1001", "INVALID_PARAMETER"),
    ],
)
def test_list_refuses_bad_filters(api, query, code):
    error_of(api.get(f"{BASE}?{query}"), 400, code)


def test_a_local_day_is_each_units_own_day(api, session):
    """23:30 in Manaus on the 11th is 03:30 UTC on the 12th: it belongs to the 11th."""
    daniel = named(session, Professional, "Dr. Daniel Rocha")
    manaus = named(session, Location, "Manaus Centro")
    start = datetime(2025, 12, 11, 23, 30, tzinfo=MANAUS)
    slot = Slot(
        clinic_id=1,
        location_id=manaus,
        professional_id=daniel,
        start=start,
        end=start + timedelta(minutes=30),
    )
    session.add(slot)
    session.commit()
    created = api.post(BASE, json=booking(session, slot)).json["data"]
    assert created["start"] == "2025-12-11T23:30:00-04:00"
    on_11th = api.get(f"{BASE}?date_from=2025-12-11&date_to=2025-12-11").json["data"]
    assert [item["id"] for item in on_11th] == [created["id"]]
    on_12th = api.get(f"{BASE}?date_from=2025-12-12&date_to=2025-12-12").json["data"]
    assert created["id"] not in [item["id"] for item in on_12th]


def test_list_as_csv_and_xml(api):
    response = api.get(f"{BASE}?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row["client_name"] for row in rows] == ["Maria Oliveira", "João Pereira"]
    assert rows[0]["start"] == "2025-12-12T10:00:00-03:00"
    response = api.get(BASE, headers={"Accept": "application/xml"})
    root = ET.fromstring(response.data)
    assert [e.text for e in root.iter("client_name")] == ["Maria Oliveira", "João Pereira"]


# -- create -------------------------------------------------------------------------------------


def test_create_by_slot_id(api, session):
    slot = slots(session, "Dr. Bruno Lima", "Pinheiros")[0]
    response = api.post(BASE, json=booking(session, slot, service="Dermatologia", notes="Retorno"))
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert data["slot_id"] == str(slot.id) and data["status"] == "scheduled"
    assert data["start"] == slot.start.astimezone(SAO_PAULO).isoformat()
    assert data["notes"] == "Retorno"
    joao = session.get(Client, named(session, Client, "João Pereira"))
    assert data["insurance_id"] == str(joao.health_insurance_id)  # the client's, by default
    [event] = session.exec(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == int(data["id"]))
    ).all()
    assert event.actor == "api_key" and event.actor_ref.startswith("agd_live_")
    [audit] = session.exec(select(AuditEvent).where(AuditEvent.action == "appointment.create"))
    assert audit.resource_id == data["id"] and audit.before is None
    assert audit.after["slot_id"] == str(slot.id) and "cancel_url" not in audit.after


@pytest.mark.parametrize(
    "start", ["2025-12-11T10:00:00", "2025-12-11T10:00:00-03:00", "2025-12-11T13:00:00Z"]
)
def test_create_by_professional_unit_and_start(api, session, start):
    body = {
        "client_id": str(named(session, Client, "João Pereira")),
        "service_id": str(named(session, Service, "Clínica geral")),
        "professional_id": str(named(session, Professional, "Dra. Ana Souza")),
        "location_id": str(named(session, Location, "Pinheiros")),
        "start": start,
    }
    response = api.post(BASE, json=body)
    assert response.status_code == 201, response.json
    assert response.json["data"]["start"] == "2025-12-11T10:00:00-03:00"


def test_create_with_a_time_zone_for_a_naive_start(api, session):
    body = {
        "client_id": str(named(session, Client, "João Pereira")),
        "service_id": str(named(session, Service, "Clínica geral")),
        "professional_id": str(named(session, Professional, "Dr. Daniel Rocha")),
        "location_id": str(named(session, Location, "Manaus Centro")),
        "start": "2025-12-11T10:00:00",  # 10:00 in São Paulo is 09:00 in Manaus
        "timezone": "America/Sao_Paulo",
    }
    response = api.post(BASE, json=body)
    assert response.status_code == 201, response.json
    assert response.json["data"]["start"] == "2025-12-11T09:00:00-04:00"
    for bad in ("Mars/Olympus", "America", "a" * 64, "../etc/passwd"):
        error_of(api.post(BASE, json=body | {"timezone": bad}), 400, "INVALID_PARAMETER")


def test_create_into_a_full_slot_is_slot_unavailable(api, session):
    taken = session.get(Slot, appointment_of(session, "Maria Oliveira").slot_id)
    error_of(api.post(BASE, json=booking(session, taken)), 409, "SLOT_UNAVAILABLE")


def new_client(api, name: str, phone: str) -> str:
    response = api.post("/api/v1/clients", json={"name": name, "phone": phone})
    assert response.status_code == 201, response.json
    return response.json["data"]["id"]


def group_slot(session: Session) -> Slot:
    """The demo's Fisioterapia group: Carla Mendes, Tuesday 18:00, capacity 3."""
    group = next(s for s in slots(session, "Carla Mendes", "Paulista") if s.capacity == 3)
    assert group.start == datetime(2025, 12, 16, 18, 0, tzinfo=SAO_PAULO)
    return group


def test_create_into_a_group_slot_until_it_is_full(api, session):
    body = booking(session, group_slot(session), service="Fisioterapia")
    others = [new_client(api, f"Paciente {n}", f"55119000000{n}{n}") for n in range(3)]
    for client_id in [body["client_id"], *others[:2]]:
        assert api.post(BASE, json=body | {"client_id": client_id}).status_code == 201
    error_of(api.post(BASE, json=body | {"client_id": others[2]}), 409, "SLOT_UNAVAILABLE")


def test_one_patient_cannot_take_two_places_of_a_group_slot(api, session):
    body = booking(session, group_slot(session), service="Fisioterapia")
    first = api.post(BASE, json=body)
    assert first.status_code == 201, first.json
    [detail] = error_of(api.post(BASE, json=body), 409, "SLOT_ALREADY_BOOKED")
    assert detail["path"] == ["client_id"]
    # The places left are for other patients; a cancelled place frees the patient to book again.
    other = new_client(api, "Paciente Outra", "5511900000011")
    assert api.post(BASE, json=body | {"client_id": other}).status_code == 201
    assert api.post(f"{BASE}/{first.json['data']['id']}/cancel", json={}).status_code == 200
    assert api.post(BASE, json=body).status_code == 201


def test_moving_a_patients_other_appointment_into_their_group_slot_is_refused(api, session):
    group = group_slot(session)
    body = booking(session, group, service="Fisioterapia")
    assert api.post(BASE, json=body).status_code == 201
    later = next(s for s in slots(session, "Carla Mendes", "Paulista", after=group.start))
    moved = api.post(BASE, json=booking(session, later, service="Fisioterapia"))
    assert moved.status_code == 201, moved.json
    patch = api.patch(f"{BASE}/{moved.json['data']['id']}", json={"slot_id": str(group.id)})
    error_of(patch, 409, "SLOT_ALREADY_BOOKED")


def test_a_patient_holding_the_slot_in_whatsapp_makes_it_unavailable(api, session):
    slot = slots(session, "Dra. Ana Souza", "Paulista")[0]
    conversation = Conversation(
        clinic_id=1, address="whatsapp:+5511911112222", created_at=NOW, updated_at=NOW
    )
    session.add(conversation)
    session.commit()
    session.add(
        SlotHold(
            slot_id=slot.id, conversation_id=conversation.id, expires_at=NOW + timedelta(minutes=5)
        )
    )
    session.commit()
    error_of(api.post(BASE, json=booking(session, slot)), 409, "SLOT_UNAVAILABLE")


def test_create_in_a_started_slot_is_slot_in_past(api, session):
    started = slots(session, "Dra. Ana Souza", "Paulista", after=NOW - timedelta(hours=1))[0]
    assert started.start <= NOW
    error_of(api.post(BASE, json=booking(session, started)), 409, "SLOT_IN_PAST")


def test_create_for_a_busy_professional_is_a_conflict_with_details(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    start = maria.start + timedelta(minutes=15)
    # Dra. Ana also has a slot at Pinheiros overlapping Maria's Paulista appointment.
    slot = Slot(
        clinic_id=1,
        location_id=named(session, Location, "Pinheiros"),
        professional_id=named(session, Professional, "Dra. Ana Souza"),
        start=start,
        end=start + timedelta(minutes=30),
    )
    session.add(slot)
    session.commit()
    [detail] = error_of(api.post(BASE, json=booking(session, slot)), 409, "CONFLICT")
    assert detail["appointment_id"] == str(maria.id)
    assert detail["code"] == "professional_busy"


def test_create_refusals(api, session):
    slot = slots(session, "Dra. Ana Souza", "Paulista")[0]
    body = booking(session, slot)
    error_of(api.post(BASE, json=body | {"slot_id": "999999"}), 404, "SLOT_NOT_FOUND")
    [detail] = error_of(
        api.post(BASE, json=booking(session, slot, service="Dermatologia")),
        400,
        "INVALID_PARAMETER",
    )
    assert detail["path"] == ["service_id"]
    [detail] = error_of(
        api.post(BASE, json=body | {"client_id": "999999"}), 400, "INVALID_PARAMETER"
    )
    assert detail["path"] == ["client_id"] and detail["code"] == "unknown_id"
    error_of(api.post(BASE, json=body | {"insurance_id": "999999"}), 400, "INVALID_PARAMETER")
    error_of(api.post(BASE, json=body | {"start": "2025-12-11T10:00:00"}), 400, "INVALID_PARAMETER")
    error_of(api.post(BASE, json=body | {"user_id": "1"}), 400, "INVALID_PARAMETER")
    without = {k: v for k, v in body.items() if k != "slot_id"}
    error_of(api.post(BASE, json=without), 400, "MISSING_REQUIRED_FIELD")
    details = error_of(
        api.post(BASE, json=without | {"start": "2025-12-11T10:00:00"}),
        400,
        "MISSING_REQUIRED_FIELD",
    )
    assert [d["path"] for d in details] == [["professional_id"], ["location_id"]]
    error_of(api.post(BASE, json={"service_id": "1"}), 400, "MISSING_REQUIRED_FIELD")
    error_of(
        api.post(BASE, data="{not json", headers={"Content-Type": "application/json"}),
        400,
        "INVALID_JSON",
    )
    error_of(api.post(BASE, json=without | {"start": "amanhã"}), 400, "INVALID_DATE_FORMAT")
    nowhere = without | {
        "start": "2025-12-11T10:10:00",
        "professional_id": str(named(session, Professional, "Dra. Ana Souza")),
        "location_id": str(named(session, Location, "Paulista")),
    }
    error_of(api.post(BASE, json=nowhere), 404, "SLOT_NOT_FOUND")
    assert api.get(BASE).json["meta"]["total"] == 2  # nothing was booked


def test_ids_may_come_as_numbers(api, session):
    slot = slots(session, "Dra. Ana Souza", "Paulista")[0]
    body = {k: int(v) for k, v in booking(session, slot).items()}
    assert api.post(BASE, json=body).status_code == 201


# -- read ---------------------------------------------------------------------------------------


def test_get_has_signed_patient_links(api, client, session):
    maria = appointment_of(session, "Maria Oliveira")
    data = api.get(f"{BASE}/{maria.id}").json["data"]
    assert data["cancel_url"].startswith("https://bot.example.com/a/cancel/")
    assert data["reschedule_url"].startswith("https://bot.example.com/a/reschedule/")
    page = client.get(data["cancel_url"].removeprefix("https://bot.example.com"))
    assert page.status_code == 200 and "Clínica geral com Dra. Ana Souza" in page.text


def test_links_use_the_request_host_without_public_base_url(make_app, database_url, make_key):
    app = make_app(database_url, SECRET_KEY="k", PUBLIC_BASE_URL="")
    key = make_key()
    data = app.test_client().get(f"{BASE}/1", headers={"x-api-key": key}).json["data"]
    assert data["cancel_url"].startswith("http://localhost/a/cancel/")


def test_no_links_without_a_secret_key(make_app, database_url, make_key, caplog):
    app = make_app(database_url, SECRET_KEY="")
    client, key = app.test_client(), make_key()
    for _ in range(2):
        data = client.get(f"{BASE}/1", headers={"x-api-key": key}).json["data"]
        assert data["cancel_url"] is None and data["reschedule_url"] is None
    warnings = [r for r in caplog.records if "SECRET_KEY" in r.getMessage()]
    assert len(warnings) == 1  # once, not per request


def test_closed_appointments_have_no_links(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    data = api.delete(f"{BASE}/{maria.id}").json["data"]
    assert data["cancel_url"] is None and data["reschedule_url"] is None


@pytest.mark.parametrize("bad", ["999999", "abc", "1.0", "-1", "%C2%B9"])
def test_unknown_ids_are_404(api, bad):
    error_of(api.get(f"{BASE}/{bad}"), 404, "RESOURCE_NOT_FOUND")


# -- change -------------------------------------------------------------------------------------


def test_patch_reschedules_by_start_and_frees_the_old_place(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    old_slot = session.get(Slot, maria.slot_id)
    api.post(f"{BASE}/{maria.id}/confirm")
    response = api.patch(f"{BASE}/{maria.id}", json={"start": "2025-12-12T11:00:00-03:00"})
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["start"] == "2025-12-12T11:00:00-03:00"
    assert data["status"] == "scheduled"  # a new time is confirmed again
    assert data["slot_id"] != str(old_slot.id)
    assert api.post(BASE, json=booking(session, old_slot)).status_code == 201
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "appointment.update")).one()
    assert audit.before["start"] == "2025-12-12T10:00:00-03:00"
    assert audit.after["start"] == "2025-12-12T11:00:00-03:00"


def test_patch_by_slot_id_and_put_does_the_same(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    first, second = slots(session, "Dra. Ana Souza", "Paulista")[:2]
    assert api.patch(f"{BASE}/{maria.id}", json={"slot_id": str(first.id)}).status_code == 200
    data = api.put(f"{BASE}/{maria.id}", json={"slot_id": str(second.id)}).json["data"]
    assert data["slot_id"] == str(second.id)


def test_patch_changes_professional_and_unit(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    bruno = named(session, Professional, "Dr. Bruno Lima")
    pinheiros = named(session, Location, "Pinheiros")
    # Dr. Bruno has no slot at 10:00 (his start at 09:00 and last 45 minutes).
    error_of(
        api.patch(
            f"{BASE}/{maria.id}",
            json={"professional_id": str(bruno), "location_id": str(pinheiros)},
        ),
        404,
        "SLOT_NOT_FOUND",
    )
    response = api.patch(
        f"{BASE}/{maria.id}",
        json={
            "professional_id": str(bruno),
            "location_id": str(pinheiros),
            "start": "2025-12-12T09:45:00",
        },
    )
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["professional_name"] == "Dr. Bruno Lima" and data["location_name"] == "Pinheiros"
    assert data["start"] == "2025-12-12T09:45:00-03:00"


def test_patch_changes_the_service(api, session):
    joao = appointment_of(session, "João Pereira")
    geral = named(session, Service, "Clínica geral")
    data = api.patch(f"{BASE}/{joao.id}", json={"service_id": str(geral)}).json["data"]
    assert data["service_name"] == "Clínica geral" and data["duration_minutes"] == 30
    maria = appointment_of(session, "Maria Oliveira")
    derma = named(session, Service, "Dermatologia")
    error_of(
        api.patch(f"{BASE}/{maria.id}", json={"service_id": str(derma)}), 400, "INVALID_PARAMETER"
    )


def test_patch_into_a_taken_slot_changes_nothing(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    slot = slots(session, "Dra. Ana Souza", "Paulista")[0]
    assert api.post(BASE, json=booking(session, slot)).status_code == 201
    error_of(
        api.patch(f"{BASE}/{maria.id}", json={"slot_id": str(slot.id), "notes": "x"}),
        409,
        "SLOT_UNAVAILABLE",
    )
    assert appointment_of(session, "Maria Oliveira").slot_id == maria.slot_id
    assert appointment_of(session, "Maria Oliveira").notes is None  # one transaction


def test_patch_notes_and_status(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    data = api.patch(f"{BASE}/{maria.id}", json={"notes": "Trazer exames"}).json["data"]
    assert data["notes"] == "Trazer exames"
    data = api.patch(f"{BASE}/{maria.id}", json={"status": "confirmed"}).json["data"]
    assert data["status"] == "confirmed" and data["notes"] == "Trazer exames"
    data = api.patch(f"{BASE}/{maria.id}", json={"notes": None}).json["data"]
    assert data["notes"] is None
    data = api.patch(f"{BASE}/{maria.id}", json={"status": "cancelled", "reason": "viagem"}).json[
        "data"
    ]
    assert data["status"] == "cancelled" and data["cancel_reason"] == "viagem"
    [detail] = error_of(
        api.patch(f"{BASE}/{maria.id}", json={"start": "2025-12-12T11:00:00"}), 409, "CONFLICT"
    )
    assert (detail["from"], detail["path"]) == ("cancelled", ["status"])
    error_of(api.patch(f"{BASE}/{maria.id}", json={"status": "pending"}), 400, "INVALID_PARAMETER")


def test_an_empty_patch_changes_nothing(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    before = api.get(f"{BASE}/{maria.id}").json["data"]
    assert api.patch(f"{BASE}/{maria.id}", json={}).json["data"] == before


# -- cancel and delete --------------------------------------------------------------------------


def test_delete_cancels_and_keeps_the_record(api, session):
    maria = appointment_of(session, "Maria Oliveira")
    response = api.delete(f"{BASE}/{maria.id}?reason=Imprevisto")
    assert response.status_code == 200
    assert response.json["data"]["status"] == "cancelled"
    assert response.json["data"]["cancel_reason"] == "Imprevisto"
    assert api.get(f"{BASE}/{maria.id}").json["data"]["status"] == "cancelled"
    [detail] = error_of(api.delete(f"{BASE}/{maria.id}"), 409, "CONFLICT")
    assert (detail["from"], detail["to"]) == ("cancelled", "cancelled")
    # The place is free again.
    slot = session.get(Slot, maria.slot_id)
    assert api.post(BASE, json=booking(session, slot)).status_code == 201


def test_permanent_delete_needs_an_admin_key(api, client, make_key, session):
    maria = appointment_of(session, "Maria Oliveira")
    maria_id = maria.id
    session.add(
        Message(
            clinic_id=1,
            direction=Direction.outbound,
            provider="chat",
            appointment_id=maria_id,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.add(
        Reminder(clinic_id=1, appointment_id=maria_id, kind="24h", due_at=NOW, claimed_at=NOW)
    )
    session.commit()
    error_of(api.delete(f"{BASE}/{maria_id}?delete=true"), 403, "FORBIDDEN")
    admin = {"x-admin-api-key": make_key(kind=KeyKind.admin, rate_limit=1000)}
    error_of(
        client.delete(f"{BASE}/{maria_id}?delete=true", headers=admin),
        400,
        "MISSING_REQUIRED_FIELD",
    )  # an admin key names the clinic
    response = client.delete(f"{BASE}/{maria_id}?delete=true", headers=admin | {"X-Clinic-Id": "1"})
    assert response.status_code == 200, response.json
    assert response.json["data"] == {"id": str(maria_id), "deleted": True}
    error_of(api.get(f"{BASE}/{maria_id}"), 404, "RESOURCE_NOT_FOUND")
    session.expire_all()
    assert session.get(Appointment, maria_id) is None
    assert session.exec(select(Reminder)).all() == []
    assert [m.appointment_id for m in session.exec(select(Message))] == [None]
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "appointment.delete")).one()
    assert audit.before["client_name"] == "Maria Oliveira" and audit.after is None
