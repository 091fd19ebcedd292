"""Calendars and slots through /api/v1 on the demo clinic (now: Wed 2025-12-10 09:00 in São Paulo).

Demo calendars: Dra. Ana Souza at Paulista (Mon/Wed/Fri) and Pinheiros (Tue/Thu), 8-12 and 13-17
in 30-minute slots; Dr. Bruno Lima at Pinheiros; Carla Mendes at Paulista (a Tuesday evening group
of 3); Dr. Daniel Rocha in Manaus. Maria's appointment: Ana, Paulista, Fri 12/12 10:00.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.domain.scheduling import scheduling_for
from models import Actor, Client, Conversation, Location, Professional, Slot, new_session

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def ids(session: Session) -> dict[str, int]:
    """The demo clinic's ids by short name."""
    pro = {
        p.name.split()[-2]: p.id
        for p in session.exec(select(Professional).where(Professional.clinic_id == 1))
    }
    units = {
        u.name.split()[0]: u.id
        for u in session.exec(select(Location).where(Location.clinic_id == 1))
    }
    return {
        "ana": pro["Ana"],
        "bruno": pro["Bruno"],
        "carla": pro["Carla"],
        "daniel": pro["Daniel"],
        "paulista": units["Paulista"],
        "pinheiros": units["Pinheiros"],
        "manaus": units["Manaus"],
    }


def slot_at(session: Session, professional: int, unit: int, local: datetime) -> Slot:
    """The demo slot of a professional at a unit starting at a local time."""
    return session.exec(
        select(Slot).where(
            Slot.professional_id == professional,
            Slot.location_id == unit,
            Slot.start == local.astimezone(ZoneInfo("UTC")),
        )
    ).one()


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = SAO_PAULO) -> datetime:
    return datetime(2025, 12, day, hour, minute, tzinfo=zone)


@pytest.fixture
def demo(session: Session) -> dict[str, int]:
    return ids(session)


def hold(app, clock, slot_id: int) -> None:
    """Hold one place in a slot for a fresh conversation (through the real scheduling code)."""
    with new_session(app.extensions["agendai.engine"]) as s:
        conversation = Conversation(
            clinic_id=1,
            address="whatsapp:+5511900000001",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        s.add(conversation)
        s.flush()
        scheduling_for(s, 1, clock).hold(
            clinic_id=1, slot_id=slot_id, conversation_id=conversation.id, minutes=10
        )
        s.commit()


def book(app, clock, slot_id: int, service_id: int = 1) -> int:
    """Book João into a slot (through the real scheduling code); returns the appointment id."""
    with new_session(app.extensions["agendai.engine"]) as s:
        joao = s.exec(
            select(Client).where(Client.name == "João Pereira", Client.clinic_id == 1)
        ).one()
        appointment = scheduling_for(s, 1, clock).book_slot(
            clinic_id=1,
            slot_id=slot_id,
            client_id=joao.id,
            service_id=service_id,
            insurance_id=None,
            actor=Actor.api_key,
        )
        s.commit()
        return appointment.id


# -- calendars ----------------------------------------------------------------------------------


def test_calendars_are_professionals_at_units_with_totals(api, demo):
    response = api.get("/api/v1/calendars")
    assert response.status_code == 200
    body = response.get_json()
    expected = [
        f"{demo['ana']}-{demo['paulista']}",
        f"{demo['ana']}-{demo['pinheiros']}",
        f"{demo['bruno']}-{demo['pinheiros']}",
        f"{demo['carla']}-{demo['paulista']}",
        f"{demo['daniel']}-{demo['manaus']}",
    ]
    assert [c["id"] for c in body["data"]] == expected
    assert body["meta"] | {"date_from": "2025-12-10", "date_to": "2026-01-09"} == body["meta"]
    assert body["meta"]["total"] == 5
    manaus = body["data"][-1]
    assert manaus["name"] == "Dr. Daniel Rocha - Manaus Centro"
    assert manaus["timezone"] == "America/Manaus"
    assert manaus["active"] is True
    ana = body["data"][0]["totals"]
    assert ana["appointments"]["scheduled"] == 1  # Maria's
    assert ana["booked"] == 1
    # Today's 08:00, 08:30 and 09:00 (now) have started: not available.
    assert ana["available"] == ana["capacity"] - 1 - 3


def test_calendar_totals_over_one_day_count_bookings_holds_and_statuses(
    api, demo, app, clock, session
):
    friday = at(12, 8)
    maria = slot_at(session, demo["ana"], demo["paulista"], at(12, 10))
    hold(app, clock, slot_at(session, demo["ana"], demo["paulista"], at(12, 11)).id)
    cancelled = book(app, clock, slot_at(session, demo["ana"], demo["paulista"], at(12, 14)).id)
    with new_session(app.extensions["agendai.engine"]) as s:
        scheduling_for(s, 1, clock).cancel(
            clinic_id=1, appointment_id=cancelled, reason="test", actor=Actor.api_key
        )
        s.commit()
    calendar = f"{demo['ana']}-{demo['paulista']}"
    day = friday.date().isoformat()
    response = api.get(f"/api/v1/calendars/{calendar}?date_from={day}&date_to={day}")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["id"] == calendar
    assert data["date_from"] == data["date_to"] == "2025-12-12"
    assert data["totals"] == {
        "slots": 16,  # 8-12 and 13-17 in 30 minutes
        "capacity": 16,
        "booked": 1,  # Maria (the cancelled one frees its place)
        "held": 1,
        "available": 14,
        "appointments": {
            "total": 2,
            "scheduled": 1,
            "confirmed": 0,
            "completed": 0,
            "no_show": 0,
            "cancelled": 1,
        },
    }
    assert maria.capacity == 1


def test_calendar_ids_that_are_not_ours_are_404(api, other_api, demo):
    mine = f"{demo['ana']}-{demo['paulista']}"
    assert api.get(f"/api/v1/calendars/{mine}").status_code == 200
    for bad in ("1", "abc", "1-", "¹-1", f"{demo['ana']}-{demo['manaus']}", "99-1"):
        response = api.get(f"/api/v1/calendars/{bad}")
        assert response.status_code == 404, bad
        assert response.get_json()["code"] == "RESOURCE_NOT_FOUND"
    response = other_api.get(f"/api/v1/calendars/{mine}")
    assert response.status_code == 404
    assert all(c["id"] != mine for c in other_api.get("/api/v1/calendars").get_json()["data"])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("date_from=2025-13-01", "INVALID_DATE_FORMAT"),
        ("date_from=10/12/2025", "INVALID_DATE_FORMAT"),
        ("date_to=20251210", "INVALID_DATE_FORMAT"),
        ("date_from=2025-12-10&date_to=2026-03-13", "DATE_RANGE_TOO_LARGE"),
        ("date_from=2025-12-10&date_to=2025-12-09", "INVALID_PARAMETER"),
        ("date_from=0001-01-01", "INVALID_PARAMETER"),
    ],
)
def test_calendar_dates_are_checked(api, demo, query, code):
    for path in ("/api/v1/calendars", f"/api/v1/calendars/{demo['ana']}-{demo['paulista']}"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.get_json()["code"] == code


def test_a_range_of_92_days_is_accepted(api):
    assert api.get("/api/v1/calendars?date_from=2025-12-10&date_to=2026-03-12").status_code == 200


def test_calendars_as_csv_and_xml(api):
    response = api.get("/api/v1/calendars?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 5
    assert rows[0]["name"] == "Dra. Ana Souza - Paulista"
    assert rows[0]["totals.slots"].isdigit()
    response = api.get("/api/v1/calendars", headers={"Accept": "application/xml"})
    root = ET.fromstring(response.data)
    assert len(root.findall("./data/calendar")) == 5


# -- slots --------------------------------------------------------------------------------------


def test_slots_of_a_calendar_on_a_day_with_local_times_and_use(api, demo, session):
    calendar = f"{demo['ana']}-{demo['paulista']}"
    response = api.get(f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-12")
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"]["total"] == 16
    starts = [s["start"] for s in body["data"]]
    assert starts[0] == "2025-12-12T08:00:00-03:00"
    assert starts[-1] == "2025-12-12T16:30:00-03:00"
    assert "2025-12-12T12:00:00-03:00" not in starts  # lunch
    ten = next(s for s in body["data"] if s["start"] == "2025-12-12T10:00:00-03:00")
    maria = slot_at(session, demo["ana"], demo["paulista"], at(12, 10))
    assert ten == ten | {
        "id": str(maria.id),
        "calendar_id": calendar,
        "date": "2025-12-12",
        "end": "2025-12-12T10:30:00-03:00",
        "timezone": "America/Sao_Paulo",
        "capacity": 1,
        "booked": 1,
        "held": 0,
        "available": 0,
        "is_available": False,
    }


def test_manaus_slots_carry_manaus_offset(api, demo):
    calendar = f"{demo['daniel']}-{demo['manaus']}"
    data = api.get(f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-11").get_json()["data"]
    assert data[0]["start"] == "2025-12-11T08:00:00-04:00"
    assert {s["timezone"] for s in data} == {"America/Manaus"}
    assert {s["date"] for s in data} == {"2025-12-11"}


def test_available_only_leaves_out_started_full_and_held_slots(api, demo, app, clock, session):
    calendar = f"{demo['ana']}-{demo['paulista']}"
    all_today = api.get(f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-10").get_json()
    free = api.get(
        f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-10&available_only=true"
    ).get_json()
    assert all_today["meta"]["total"] == 16
    assert free["meta"]["total"] == 13  # 08:00, 08:30 and 09:00 have started
    assert free["data"][0]["start"] == "2025-12-10T09:30:00-03:00"
    hold(app, clock, int(free["data"][0]["id"]))
    again = api.get(
        f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-10&available_only=1"
    ).get_json()
    assert again["meta"]["total"] == 12
    held = api.get(f"/api/v1/slots/{free['data'][0]['id']}").get_json()["data"]
    assert (held["held"], held["available"], held["is_available"]) == (1, 0, False)


def test_a_group_slot_shows_its_places(api, demo, app, clock, session):
    calendar = f"{demo['carla']}-{demo['paulista']}"
    group = slot_at(session, demo["carla"], demo["paulista"], at(16, 18))
    book(app, clock, group.id, service_id=3)
    data = api.get(f"/api/v1/slots/{group.id}").get_json()["data"]
    assert data["calendar_id"] == calendar
    assert data["calendar_name"] == "Carla Mendes - Paulista"
    assert (data["capacity"], data["booked"], data["available"]) == (3, 1, 2)


def test_slots_by_service_unit_and_professional(api, demo):
    derma = 2  # Dermatologia: only Dr. Bruno offers it
    data = api.get(f"/api/v1/slots?service_id={derma}&date_from=2025-12-11").get_json()["data"]
    assert data and {s["professional_id"] for s in data} == {str(demo["bruno"])}
    at_manaus = api.get(
        f"/api/v1/slots?location_id={demo['manaus']}&date_from=2025-12-11&per_page=100"
    ).get_json()
    assert at_manaus["meta"]["total"] == 16
    by_ana = api.get(
        f"/api/v1/slots?professional_id={demo['ana']}&date_from=2025-12-11"
    ).get_json()["data"]
    assert {s["calendar_id"] for s in by_ana} == {f"{demo['ana']}-{demo['pinheiros']}"}
    mismatch = api.get(
        f"/api/v1/slots?calendar_id={demo['ana']}-{demo['pinheiros']}"
        f"&professional_id={demo['bruno']}&date_from=2025-12-11"
    ).get_json()
    assert mismatch["meta"]["total"] == 0


def test_slots_default_to_the_next_30_days_and_page(api, demo):
    calendar = f"{demo['daniel']}-{demo['manaus']}"
    first = api.get(f"/api/v1/slots?calendar_id={calendar}&per_page=5").get_json()
    second = api.get(f"/api/v1/slots?calendar_id={calendar}&per_page=5&page=2").get_json()
    assert first["meta"]["total"] > 16 * 15  # weekdays over a month, less the holiday
    assert first["data"][0]["date"] == "2025-12-10"
    assert {s["date"] for s in first["data"] + second["data"]} <= {"2025-12-10", "2025-12-11"}
    assert [s["id"] for s in first["data"]] != [s["id"] for s in second["data"]]
    last = api.get(
        f"/api/v1/slots?calendar_id={calendar}&per_page=1&page={first['meta']['total']}"
    ).get_json()
    assert last["data"][0]["date"] <= "2026-01-09"


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("date_from=2025-02-30", "INVALID_DATE_FORMAT", "date_from"),
        ("date_from=2025-12-10&date_to=2026-03-13", "DATE_RANGE_TOO_LARGE", "date_to"),
        ("date_from=2025-12-10&date_to=2025-12-01", "INVALID_PARAMETER", "date_to"),
        ("calendar_id=abc", "INVALID_PARAMETER", "calendar_id"),
        ("calendar_id=999-999", "INVALID_PARAMETER", "calendar_id"),
        ("location_id=x", "INVALID_PARAMETER", "location_id"),
        ("service_id=999", "INVALID_PARAMETER", "service_id"),
        ("available_only=maybe", "INVALID_PARAMETER", "available_only"),
        ("per_page=1001", "INVALID_PARAMETER", "per_page"),
    ],
)
def test_slot_filters_are_checked(api, query, code, field):
    response = api.get(f"/api/v1/slots?{query}")
    assert response.status_code == 400, query
    body = response.get_json()
    assert body["code"] == code
    assert body["details"][0]["path"][-1] == field


def test_slots_as_csv(api, demo):
    calendar = f"{demo['ana']}-{demo['paulista']}"
    response = api.get(f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-12&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 16
    assert rows[0]["start"] == "2025-12-12T08:00:00-03:00"
    assert rows[4]["booked"] == "1"


def test_slot_ids_that_are_not_ours_are_404(api, other_api, demo, session):
    mine = slot_at(session, demo["ana"], demo["paulista"], at(12, 10)).id
    assert api.get(f"/api/v1/slots/{mine}").status_code == 200
    for response in (
        other_api.get(f"/api/v1/slots/{mine}"),
        api.get("/api/v1/slots/abc"),
        api.get("/api/v1/slots/99999999"),
    ):
        assert response.status_code == 404
        assert response.get_json()["code"] == "RESOURCE_NOT_FOUND"
    # A demo calendar or unit as another clinic's filter names nothing of theirs.
    calendar = f"{demo['ana']}-{demo['paulista']}"
    for query in (f"calendar_id={calendar}", f"location_id={demo['paulista']}"):
        response = other_api.get(f"/api/v1/slots?{query}")
        assert response.status_code == 400
    theirs = other_api.get("/api/v1/slots?per_page=1000&date_from=2025-12-12").get_json()["data"]
    assert theirs and all(s["id"] != str(mine) for s in theirs)


def test_times_move_with_the_clock(api, demo, clock):
    clock.advance(days=2, hours=2)  # Fri 12/12 11:00
    calendar = f"{demo['ana']}-{demo['paulista']}"
    free = api.get(
        f"/api/v1/slots?calendar_id={calendar}&date_from=2025-12-12&available_only=true"
    ).get_json()["data"]
    assert free[0]["start"] == "2025-12-12T11:30:00-03:00"
    assert datetime.fromisoformat(free[0]["start"]) > clock.now() + timedelta(minutes=1)
