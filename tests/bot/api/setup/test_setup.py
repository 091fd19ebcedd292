"""Clinic setup through /api/v1: units, services, insurances, professionals, working hours and
exceptions, with the slots regenerating after each change (now: Wed 2025-12-10 09:00 São Paulo).

Dra. Ana Souza works at Paulista Mon/Wed/Fri 8-12 and 13-17 in 30-minute slots; Maria holds her
Fri 12/12 10:00 slot. The demo's slots run 30 days, to Thu 2026-01-08.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.domain.scheduling import scheduling_for
from models import (
    Actor,
    AuditEvent,
    Client,
    Conversation,
    HealthInsurance,
    Location,
    Professional,
    ScheduleException,
    Service,
    Slot,
    WorkingHours,
    new_session,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 12, 0, tzinfo=UTC)


def demo_id(session: Session, model, name: str) -> int:
    return session.exec(select(model.id).where(model.clinic_id == 1, model.name == name)).one()


@pytest.fixture
def ana(session: Session) -> int:
    return demo_id(session, Professional, "Dra. Ana Souza")


@pytest.fixture
def paulista(session: Session) -> int:
    return demo_id(session, Location, "Paulista")


def rule(session: Session, professional: int, weekday: int, start: str) -> int:
    """The id of a demo working-hours rule."""
    return session.exec(
        select(WorkingHours.id).where(
            WorkingHours.professional_id == professional,
            WorkingHours.weekday == weekday,
            WorkingHours.start == datetime.strptime(start, "%H:%M").time(),
        )
    ).one()


def local_starts(session: Session, professional: int, day: str) -> list[str]:
    """HH:MM (São Paulo) of the professional's slots on a day."""
    session.expire_all()
    low = datetime.fromisoformat(f"{day}T00:00:00-03:00")
    high = datetime.fromisoformat(f"{day}T23:59:59-03:00")
    starts = session.exec(
        select(Slot.start)
        .where(Slot.professional_id == professional, Slot.start >= low, Slot.start <= high)
        .order_by(col(Slot.start))
    ).all()
    return [s.astimezone(SAO_PAULO).strftime("%H:%M") for s in starts]


def audited(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


MORNING = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
AFTERNOON = ["13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]


# -- units --------------------------------------------------------------------------------------


def test_units_are_listed_created_read_and_changed_with_an_audit_trail(api, session):
    units = api.get("/api/v1/units").get_json()
    assert [u["name"] for u in units["data"]] == ["Paulista", "Pinheiros", "Manaus Centro"]
    created = api.post(
        "/api/v1/units",
        json={
            "name": "Recife Boa Viagem",
            "address": "Av. Boa Viagem, 1",
            "timezone": "America/Recife",
        },
    )
    assert created.status_code == 201
    unit = created.get_json()["data"]
    assert unit == unit | {
        "name": "Recife Boa Viagem",
        "timezone": "America/Recife",
        "active": True,
    }
    assert api.get(f"/api/v1/units/{unit['id']}").get_json()["data"] == unit
    changed = api.patch(f"/api/v1/units/{unit['id']}", json={"phone": "+55 81 3333-4444"})
    assert changed.status_code == 200
    assert changed.get_json()["data"]["phone"] == "+55 81 3333-4444"
    assert "slots" not in changed.get_json()  # nothing about slots changed
    [create] = audited(session, "unit.create")
    [update] = audited(session, "unit.update")
    assert create.after["name"] == "Recife Boa Viagem" and create.before is None
    assert (update.before["phone"], update.after["phone"]) == (None, "+55 81 3333-4444")
    inactive = api.get("/api/v1/units?active=false").get_json()
    assert inactive["meta"]["total"] == 0


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"address": "Rua A, 1"}, "MISSING_REQUIRED_FIELD", ["name"]),
        (
            {"name": "X", "address": "Rua A, 1", "timezone": "Mars/Olympus"},
            "INVALID_PARAMETER",
            ["timezone"],
        ),
        (
            {"name": "X", "address": "Rua A, 1", "timezone": "../../etc/passwd"},
            "INVALID_PARAMETER",
            ["timezone"],
        ),
        ({"name": "", "address": "Rua A, 1"}, "INVALID_PARAMETER", ["name"]),
        ({"name": "X", "address": "Rua A, 1", "phone": "call me"}, "INVALID_PARAMETER", ["phone"]),
    ],
)
def test_unit_bodies_are_checked(api, body, code, path):
    response = api.post("/api/v1/units", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == code
    assert response.get_json()["details"][0]["path"] == path


def test_a_null_for_a_required_field_is_refused_on_patch(api, paulista):
    response = api.patch(f"/api/v1/units/{paulista}", json={"name": None})
    assert response.status_code == 400
    assert response.get_json()["details"][0]["path"] == ["name"]
    assert api.get(f"/api/v1/units/{paulista}").get_json()["data"]["name"] == "Paulista"


def test_moving_a_unit_to_another_zone_moves_its_slots(api, session, ana, paulista):
    response = api.patch(f"/api/v1/units/{paulista}", json={"timezone": "America/Manaus"})
    assert response.status_code == 200
    assert response.get_json()["slots"]["created"] > 0
    slots = api.get(f"/api/v1/slots?calendar_id={ana}-{paulista}&date_from=2025-12-15").get_json()[
        "data"
    ]
    assert slots[0]["start"] == "2025-12-15T08:00:00-04:00"
    assert len(slots) == 16


def test_deactivating_a_unit_removes_its_free_slots_and_keeps_booked_ones(api, session, paulista):
    response = api.patch(f"/api/v1/units/{paulista}", json={"active": False})
    body = response.get_json()
    assert body["data"]["active"] is False
    kept = body["slots"]["kept_slots"]
    assert [(k["start"], k["booked"], k["reason"]) for k in kept] == [
        ("2025-12-12T10:00:00-03:00", 1, "outside_hours")  # Maria's
    ]
    session.expire_all()
    future = session.exec(select(Slot).where(Slot.location_id == paulista, Slot.start > NOW)).all()
    assert [s.id for s in future] == [int(kept[0]["id"])]
    calendars = {c["id"]: c for c in api.get("/api/v1/calendars").get_json()["data"]}
    assert calendars[f"{kept[0]['calendar_id']}"]["active"] is False


# -- services -----------------------------------------------------------------------------------


def test_services_are_created_changed_and_deactivated_not_deleted(api, session):
    created = api.post(
        "/api/v1/services", json={"name": "Nutrição", "duration_minutes": 40, "price_cents": 20000}
    )
    assert created.status_code == 201
    service = created.get_json()["data"]
    assert service == service | {"duration_minutes": 40, "price_cents": 20000, "active": True}
    off = api.patch(f"/api/v1/services/{service['id']}", json={"active": False})
    assert off.get_json()["data"]["active"] is False
    assert api.delete(f"/api/v1/services/{service['id']}").status_code == 405
    active = api.get("/api/v1/services?active=true").get_json()["data"]
    assert "Nutrição" not in [s["name"] for s in active]
    assert len(audited(session, "service.update")) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "duration_minutes": 4},
        {"name": "X", "duration_minutes": 481},
        {"name": "X", "duration_minutes": 30, "price_cents": -1},
        {"name": "X", "duration_minutes": "meia hora"},
    ],
)
def test_service_limits(api, body):
    response = api.post("/api/v1/services", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == "INVALID_PARAMETER"


# -- insurances ---------------------------------------------------------------------------------


def test_insurances_with_units_and_services(api, session, paulista):
    geral = demo_id(session, Service, "Clínica geral")
    created = api.post(
        "/api/v1/insurances",
        json={"name": "Amil", "location_ids": [str(paulista)], "service_ids": [str(geral)]},
    )
    assert created.status_code == 201
    amil = created.get_json()["data"]
    assert (amil["location_ids"], amil["service_ids"], amil["self_pay"]) == (
        [str(paulista)],
        [str(geral)],
        False,
    )
    pinheiros = demo_id(session, Location, "Pinheiros")
    changed = api.patch(
        f"/api/v1/insurances/{amil['id']}",
        json={"location_ids": [str(paulista), str(pinheiros)], "name": "Amil Saúde"},
    ).get_json()["data"]
    assert changed["location_ids"] == [str(paulista), str(pinheiros)]
    assert changed["service_ids"] == [str(geral)]  # not sent: kept
    assert changed["name"] == "Amil Saúde"
    listed = api.get("/api/v1/insurances?format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(listed))}
    assert rows["Amil Saúde"]["location_ids"] == f"{paulista};{pinheiros}"
    assert rows["Particular"]["self_pay"] == "True"
    [update] = audited(session, "insurance.update")
    assert update.before["location_ids"] == [str(paulista)]


def test_references_to_another_clinics_rows_are_refused(api, other_clinic, session):
    theirs = session.exec(select(Location.id).where(Location.clinic_id == other_clinic)).first()
    response = api.post(
        "/api/v1/insurances", json={"name": "X", "location_ids": ["1", str(theirs)]}
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "INVALID_PARAMETER"
    assert body["details"][0]["path"] == ["location_ids", 1]
    for wrong in ("abc", "³"):
        bad = api.post("/api/v1/professionals", json={"name": "Dr. X", "service_ids": [wrong]})
        assert bad.status_code == 400
        assert bad.get_json()["details"][0]["path"] == ["service_ids", 0]
    assert api.get("/api/v1/insurances").get_json()["meta"]["total"] == 4


# -- professionals ------------------------------------------------------------------------------


def test_professionals_are_created_with_services(api, session, ana, paulista):
    derma = demo_id(session, Service, "Dermatologia")
    created = api.post(
        "/api/v1/professionals", json={"name": "Dra. Beatriz Nunes", "service_ids": [str(derma)]}
    )
    assert created.status_code == 201
    data = created.get_json()["data"]
    assert (data["service_ids"], data["calendar_ids"], data["active"]) == ([str(derma)], [], True)
    ana_data = api.get(f"/api/v1/professionals/{ana}").get_json()["data"]
    assert f"{ana}-{paulista}" in ana_data["calendar_ids"]
    changed = api.patch(f"/api/v1/professionals/{data['id']}", json={"service_ids": []})
    assert changed.get_json()["data"]["service_ids"] == []
    assert "slots" not in changed.get_json()


def test_deactivating_a_professional_removes_free_future_slots_and_back(api, session, ana):
    before = local_starts(session, ana, "2025-12-12")
    off = api.patch(f"/api/v1/professionals/{ana}", json={"active": False}).get_json()
    assert off["slots"]["removed"] > 100
    assert [k["start"] for k in off["slots"]["kept_slots"]] == ["2025-12-12T10:00:00-03:00"]
    assert local_starts(session, ana, "2025-12-12") == ["10:00"]
    # Slots that have started stay: they are the record of the day.
    assert local_starts(session, ana, "2025-12-10") == ["08:00", "08:30", "09:00"]
    on = api.patch(f"/api/v1/professionals/{ana}", json={"active": True}).get_json()
    assert on["slots"]["created"] == off["slots"]["removed"]
    assert local_starts(session, ana, "2025-12-12") == before


# -- working hours ------------------------------------------------------------------------------


def test_working_hours_are_listed_per_professional(api, ana, paulista):
    body = api.get(f"/api/v1/professionals/{ana}/working-hours").get_json()
    assert body["meta"]["total"] == 10  # Paulista Mon/Wed/Fri and Pinheiros Tue/Thu, two shifts
    first = body["data"][0]
    assert first == first | {
        "weekday": 0,
        "weekday_name": "monday",
        "start": "08:00",
        "end": "12:00",
        "slot_minutes": 30,
        "capacity": 1,
        "calendar_id": f"{ana}-{paulista}",
    }
    assert api.get(f"/api/v1/working-hours/{first['id']}").get_json()["data"] == first


def test_new_working_hours_make_slots_for_the_coming_days(api, session, ana, paulista):
    response = api.post(
        f"/api/v1/professionals/{ana}/working-hours",
        json={"location_id": str(paulista), "weekday": 5, "start": "08:00", "end": "10:00"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["data"]["weekday_name"] == "saturday"
    # Saturdays 13/12, 20/12, 27/12 and 03/01, four 30-minute slots each.
    assert body["slots"] == {
        "created": 16,
        "updated": 0,
        "removed": 0,
        "closed": 0,
        "kept_slots": [],
    }
    assert local_starts(session, ana, "2025-12-13") == ["08:00", "08:30", "09:00", "09:30"]
    [event] = audited(session, "working_hours.create")
    assert event.after["start"] == "08:00"


def test_shorter_hours_remove_free_slots_and_report_booked_ones(api, session, ana):
    friday_morning = rule(session, ana, 4, "08:00")
    response = api.patch(f"/api/v1/working-hours/{friday_morning}", json={"end": "10:00"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["data"]["end"] == "10:00"
    # Fridays 12/12, 19/12, 26/12, 02/01: 10:00-12:00 gone, except Maria's 10:00.
    assert body["slots"]["removed"] == 4 * 4 - 1
    [kept] = body["slots"]["kept_slots"]
    assert kept == kept | {
        "start": "2025-12-12T10:00:00-03:00",
        "end": "2025-12-12T10:30:00-03:00",
        "booked": 1,
        "held": 0,
        "reason": "outside_hours",
    }
    assert local_starts(session, ana, "2025-12-12") == MORNING[:5] + AFTERNOON
    assert local_starts(session, ana, "2025-12-19") == MORNING[:4] + AFTERNOON
    # Maria's slot stays hers: nobody new can book into hours no longer worked.
    maria = api.get(f"/api/v1/slots/{kept['id']}").get_json()["data"]
    assert (maria["capacity"], maria["booked"], maria["available"]) == (1, 1, 0)
    [event] = audited(session, "working_hours.update")
    assert (event.before["end"], event.after["end"]) == ("12:00", "10:00")


def test_held_and_once_booked_slots_outside_new_hours_are_kept_but_closed(
    api, app, clock, session, ana, paulista
):
    def slot_id(local: str) -> int:
        return session.exec(
            select(Slot.id).where(
                Slot.professional_id == ana, Slot.start == datetime.fromisoformat(local)
            )
        ).one()

    held, cancelled = slot_id("2025-12-19T11:00:00-03:00"), slot_id("2025-12-19T11:30:00-03:00")
    joao = demo_id(session, Client, "João Pereira")
    with new_session(app.extensions["agendai.engine"]) as s:
        conversation = Conversation(
            clinic_id=1, address="whatsapp:+5511900000002", created_at=NOW, updated_at=NOW
        )
        s.add(conversation)
        s.flush()
        scheduling = scheduling_for(s, 1, clock)
        scheduling.hold(clinic_id=1, slot_id=held, conversation_id=conversation.id, minutes=10)
        booked = scheduling.book_slot(
            clinic_id=1,
            slot_id=cancelled,
            client_id=joao,
            service_id=1,
            insurance_id=None,
            actor=Actor.api_key,
        )
        scheduling.cancel(clinic_id=1, appointment_id=booked.id, reason="x", actor=Actor.api_key)
        s.commit()
    friday_morning = rule(session, ana, 4, "08:00")
    slots = api.patch(f"/api/v1/working-hours/{friday_morning}", json={"end": "10:00"}).get_json()[
        "slots"
    ]
    kept = {k["start"]: (k["booked"], k["held"], k["reason"]) for k in slots["kept_slots"]}
    assert kept == {
        "2025-12-12T10:00:00-03:00": (1, 0, "outside_hours"),  # Maria
        "2025-12-19T11:00:00-03:00": (0, 1, "outside_hours"),  # a patient confirming right now
    }
    assert slots["closed"] == 1  # the cancelled booking's slot stays as its record, with no room
    old = api.get(f"/api/v1/slots/{cancelled}").get_json()["data"]
    assert (old["capacity"], old["available"]) == (0, 0)
    free = api.get(
        f"/api/v1/slots?calendar_id={ana}-{paulista}&date_from=2025-12-19&available_only=true"
    ).get_json()["data"]
    assert [s["start"][11:16] for s in free] == MORNING[:4] + AFTERNOON


def test_longer_slots_and_more_capacity_update_free_slots_in_place(api, session, ana):
    wednesday_afternoon = rule(session, ana, 2, "13:00")
    response = api.patch(
        f"/api/v1/working-hours/{wednesday_afternoon}", json={"slot_minutes": 60, "capacity": 2}
    )
    slots = response.get_json()["slots"]
    assert slots["kept_slots"] == []
    assert local_starts(session, ana, "2025-12-17")[-4:] == ["13:00", "14:00", "15:00", "16:00"]
    session.expire_all()
    one = session.exec(
        select(Slot).where(
            Slot.professional_id == ana,
            Slot.start == datetime.fromisoformat("2025-12-17T13:00:00-03:00"),
        )
    ).one()
    assert (one.capacity, one.end.astimezone(SAO_PAULO).hour) == (2, 14)
    assert slots["updated"] >= 4 and slots["removed"] >= 4


def test_deleting_working_hours_removes_their_free_slots(api, session, ana):
    friday_afternoon = rule(session, ana, 4, "13:00")
    response = api.delete(f"/api/v1/working-hours/{friday_afternoon}")
    assert response.status_code == 200
    assert response.get_json()["slots"]["removed"] == 4 * 8
    assert local_starts(session, ana, "2025-12-12") == MORNING
    assert api.get(f"/api/v1/working-hours/{friday_afternoon}").status_code == 404
    [event] = audited(session, "working_hours.delete")
    assert event.before["start"] == "13:00" and event.after is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"location_id": "1", "weekday": 7, "start": "08:00", "end": "09:00"}, "weekday"),
        ({"location_id": "1", "weekday": 5, "start": "8h", "end": "09:00"}, "start"),
        ({"location_id": "1", "weekday": 5, "start": "24:00", "end": "09:00"}, "start"),
        ({"location_id": "1", "weekday": 5, "start": "10:00", "end": "09:00"}, "end"),
        (
            {"location_id": "1", "weekday": 5, "start": "08:00", "end": "09:00", "slot_minutes": 0},
            "slot_minutes",
        ),
        (
            {"location_id": "1", "weekday": 5, "start": "08:00", "end": "09:00", "capacity": 0},
            "capacity",
        ),
        ({"location_id": "999", "weekday": 5, "start": "08:00", "end": "09:00"}, "location_id"),
    ],
)
def test_working_hours_bodies_are_checked(api, ana, body, field):
    response = api.post(f"/api/v1/professionals/{ana}/working-hours", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == "INVALID_PARAMETER"
    assert response.get_json()["details"][0]["path"] == [field]


def test_a_patch_that_puts_the_end_before_the_start_changes_nothing(api, session, ana):
    friday_morning = rule(session, ana, 4, "08:00")
    response = api.patch(f"/api/v1/working-hours/{friday_morning}", json={"start": "12:30"})
    assert response.status_code == 400
    assert api.get(f"/api/v1/working-hours/{friday_morning}").get_json()["data"]["start"] == "08:00"
    assert local_starts(session, ana, "2025-12-19") == MORNING + AFTERNOON


# -- exceptions ---------------------------------------------------------------------------------


def test_a_day_off_removes_free_slots_keeps_booked_ones_and_comes_back(api, session, ana):
    response = api.post(
        "/api/v1/exceptions",
        json={"day": "2025-12-12", "professional_id": str(ana), "reason": "Congresso"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["data"] == body["data"] | {"day": "2025-12-12", "scope": "professional"}
    assert body["slots"]["removed"] == 15
    assert [k["booked"] for k in body["slots"]["kept_slots"]] == [1]
    assert local_starts(session, ana, "2025-12-12") == ["10:00"]
    listed = api.get("/api/v1/exceptions?date_from=2025-12-11&date_to=2025-12-20").get_json()
    assert [e["reason"] for e in listed["data"]] == ["Congresso"]
    deleted = api.delete(f"/api/v1/exceptions/{body['data']['id']}")
    assert deleted.status_code == 200
    assert deleted.get_json()["slots"]["created"] == 15
    assert local_starts(session, ana, "2025-12-12") == MORNING + AFTERNOON
    assert [e.action for e in audited(session, "exception.create")] == ["exception.create"]
    assert len(audited(session, "exception.delete")) == 1


def test_a_clinic_wide_and_a_unit_day_off(api, session, paulista):
    whole = api.post("/api/v1/exceptions", json={"day": "2025-12-11", "reason": "Dedetização"})
    assert whole.get_json()["data"]["scope"] == "clinic"
    session.expire_all()
    low = datetime.fromisoformat("2025-12-11T00:00:00-04:00")
    high = datetime.fromisoformat("2025-12-12T00:00:00-04:00")
    assert not session.exec(select(Slot).where(Slot.start >= low, Slot.start < high)).all()
    unit = api.post("/api/v1/exceptions", json={"day": "2025-12-15", "location_id": str(paulista)})
    assert unit.get_json()["data"]["scope"] == "unit"
    session.expire_all()
    monday = session.exec(
        select(Slot.location_id).where(
            Slot.start >= datetime.fromisoformat("2025-12-15T00:00:00-03:00"),
            Slot.start < datetime.fromisoformat("2025-12-16T00:00:00-03:00"),
        )
    ).all()
    assert monday and paulista not in monday
    by_unit = api.get(f"/api/v1/exceptions?location_id={paulista}").get_json()["data"]
    assert [e["day"] for e in by_unit] == ["2025-12-15"]
    every = api.get("/api/v1/exceptions").get_json()["data"]
    assert [e["day"] for e in every] == ["2025-12-11", "2025-12-15", "2025-12-24"]  # + holiday


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "MISSING_REQUIRED_FIELD", "day"),
        ({"day": "12/12/2025"}, "INVALID_DATE_FORMAT", "day"),
        ({"day": "2025-12-12", "professional_id": "999"}, "INVALID_PARAMETER", "professional_id"),
        ({"day": "2025-12-12", "location_id": "x"}, "INVALID_PARAMETER", "location_id"),
        ({"day": "2025-12-12", "reason": "x" * 201}, "INVALID_PARAMETER", "reason"),
    ],
)
def test_exception_bodies_are_checked(api, body, code, field):
    response = api.post("/api/v1/exceptions", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == code
    assert response.get_json()["details"][0]["path"] == [field]


def test_exception_filters_are_checked(api):
    assert api.get("/api/v1/exceptions?date_from=2025-1-1").get_json()["code"] == (
        "INVALID_DATE_FORMAT"
    )
    assert api.get("/api/v1/exceptions?professional_id=999").status_code == 400


# -- isolation ----------------------------------------------------------------------------------


def test_another_clinic_cannot_see_or_change_the_demo_setup(api, other_api, session, ana):
    geral = demo_id(session, Service, "Clínica geral")
    insurance = demo_id(session, HealthInsurance, "Unimed")
    unit = demo_id(session, Location, "Paulista")
    hours = rule(session, ana, 0, "08:00")
    holiday = session.exec(
        select(ScheduleException.id).where(ScheduleException.clinic_id == 1)
    ).one()
    paths = [
        f"/api/v1/units/{unit}",
        f"/api/v1/insurances/{insurance}",
        f"/api/v1/services/{geral}",
        f"/api/v1/professionals/{ana}",
        f"/api/v1/professionals/{ana}/working-hours",
        f"/api/v1/working-hours/{hours}",
        f"/api/v1/exceptions/{holiday}",
    ]
    for path in paths:
        assert api.get(path).status_code == 200, path
        response = other_api.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["code"] == "RESOURCE_NOT_FOUND"
    changes = [
        ("patch", f"/api/v1/units/{unit}", {"name": "Hacked"}),
        ("patch", f"/api/v1/insurances/{insurance}", {"name": "Hacked"}),
        ("patch", f"/api/v1/services/{geral}", {"name": "Hacked"}),
        ("patch", f"/api/v1/professionals/{ana}", {"active": False}),
        (
            "post",
            f"/api/v1/professionals/{ana}/working-hours",
            {"location_id": str(unit), "weekday": 5, "start": "08:00", "end": "09:00"},
        ),
        ("patch", f"/api/v1/working-hours/{hours}", {"end": "09:00"}),
        ("delete", f"/api/v1/working-hours/{hours}", None),
        ("delete", f"/api/v1/exceptions/{holiday}", None),
    ]
    for method, path, body in changes:
        response = getattr(other_api, method)(path, json=body) if body else other_api.delete(path)
        assert response.status_code == 404, (method, path)
    assert api.get(f"/api/v1/units/{unit}").get_json()["data"]["name"] == "Paulista"
    assert api.get(f"/api/v1/working-hours/{hours}").get_json()["data"]["end"] == "12:00"
    assert api.get(f"/api/v1/exceptions/{holiday}").status_code == 200
    their_units = other_api.get("/api/v1/units").get_json()["data"]
    assert str(unit) not in [u["id"] for u in their_units]
    # Their own lists hold only their rows.
    assert other_api.get("/api/v1/exceptions").get_json()["meta"]["total"] == 1
