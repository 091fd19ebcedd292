"""Statistics through /api/v1/statistics, on appointments made by the real scheduling code and a
booking made through the WhatsApp webhook (now: Wed 2025-12-10 09:00 in São Paulo)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.core.zones import window
from bot.domain.scheduling import LocalScheduling
from models import Actor, Client, Location, Professional, Slot, new_session

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
STATUSES = ("scheduled", "confirmed", "completed", "no_show", "cancelled")


def demo_id(session: Session, model, name: str) -> int:
    return session.exec(select(model.id).where(model.clinic_id == 1, model.name == name)).one()


class Demo:
    """The demo clinic's rows by short name, and appointment changes through LocalScheduling."""

    def __init__(self, app, clock, session: Session) -> None:
        self.app, self.clock = app, clock
        self.ana = demo_id(session, Professional, "Dra. Ana Souza")
        self.bruno = demo_id(session, Professional, "Dr. Bruno Lima")
        self.daniel = demo_id(session, Professional, "Dr. Daniel Rocha")
        self.paulista = demo_id(session, Location, "Paulista")
        self.pinheiros = demo_id(session, Location, "Pinheiros")
        self.manaus = demo_id(session, Location, "Manaus Centro")
        self.joao = demo_id(session, Client, "João Pereira")
        self.session = session

    def slot(self, professional: int, unit: int, local: datetime) -> int:
        return self.session.exec(
            select(Slot.id).where(
                Slot.professional_id == professional,
                Slot.location_id == unit,
                Slot.start == local.astimezone(UTC),
            )
        ).one()

    def run(self, action: str, **kw):
        with new_session(self.app.extensions["agendai.engine"]) as s:
            result = getattr(LocalScheduling(session=s, clock=self.clock), action)(
                clinic_id=1, **kw
            )
            s.commit()
            return result

    def book(self, professional: int, unit: int, local: datetime, actor=Actor.api_key) -> int:
        appointment = self.run(
            "book_slot",
            slot_id=self.slot(professional, unit, local),
            client_id=self.joao,
            service_id=1,  # Clínica geral: every professional of these calendars offers it
            insurance_id=None,
            actor=actor,
        )
        return appointment.id


@pytest.fixture
def history(app, clock, session) -> Demo:
    """Four of João's appointments (Wed 10 to Thu 11), their outcomes, and the clock on Fri 12
    at 20:00; with the demo's two Friday appointments (Maria's and João's) still scheduled."""
    demo = Demo(app, clock, session)
    completed = demo.book(demo.ana, demo.paulista, datetime(2025, 12, 10, 14, tzinfo=SAO_PAULO))
    missed = demo.book(demo.bruno, demo.pinheiros, datetime(2025, 12, 11, 9, tzinfo=SAO_PAULO))
    manaus = demo.book(demo.daniel, demo.manaus, datetime(2025, 12, 11, 8, tzinfo=MANAUS))
    cancelled = demo.book(demo.ana, demo.pinheiros, datetime(2025, 12, 11, 14, tzinfo=SAO_PAULO))
    for appointment in (missed, manaus):
        demo.run("confirm", appointment_id=appointment, actor=Actor.client)
    demo.run("cancel", appointment_id=cancelled, reason="viagem", actor=Actor.client)
    clock.set(datetime(2025, 12, 12, 20, tzinfo=SAO_PAULO))
    demo.run("complete", appointment_id=completed, actor=Actor.professional)
    demo.run("no_show", appointment_id=missed, actor=Actor.professional)
    demo.run("complete", appointment_id=manaus, actor=Actor.professional)
    return demo


def counts(**given: int) -> dict[str, int]:
    return {status: given.get(status, 0) for status in STATUSES}


# -- appointments -------------------------------------------------------------------------------


def test_last_7_days_summary_and_daily_breakdown(api, history):
    response = api.get("/api/v1/statistics/appointments?period=last7days")
    assert response.status_code == 200
    body = response.get_json()
    meta = body["meta"]
    assert (meta["period"], meta["start_date"], meta["end_date"]) == (
        "last7days",
        "2025-12-06",
        "2025-12-12",
    )
    assert meta["timezone"] == "America/Sao_Paulo"
    assert meta["summary"] == {
        "total": 6,
        "by_status": counts(scheduled=2, completed=2, no_show=1, cancelled=1),
        "unique_clients": 2,
        "calendars_with_appointments": 4,
        "days_with_appointments": 3,
        "confirmation_rate": 0.5,  # two confirmed, one completed (of six)
        "no_show_rate": 0.3333,  # one no-show of three whose time came
        "cancellation_rate": 0.1667,
    }
    assert [d["date"] for d in body["data"]] == [f"2025-12-{n:02d}" for n in range(6, 13)]
    by_day = {d["date"]: d for d in body["data"]}
    assert by_day["2025-12-06"] == {"date": "2025-12-06", "total": 0} | counts()
    assert by_day["2025-12-10"] == {"date": "2025-12-10", "total": 1} | counts(completed=1)
    assert by_day["2025-12-11"] == {"date": "2025-12-11", "total": 3} | counts(
        completed=1, no_show=1, cancelled=1
    )
    assert by_day["2025-12-12"]["scheduled"] == 2


@pytest.mark.parametrize(
    ("query", "first", "last", "total"),
    [
        ("period=today", "2025-12-12", "2025-12-12", 2),
        ("period=last15days", "2025-11-28", "2025-12-12", 6),
        ("period=last30days", "2025-11-13", "2025-12-12", 6),
        ("period=specific_day&date=2025-12-11", "2025-12-11", "2025-12-11", 3),
        ("period=custom&start_date=2025-12-01&end_date=2025-12-31", "2025-12-01", "2025-12-31", 6),
        ("period=custom&start_date=2025-01-01&end_date=2026-01-01", "2025-01-01", "2026-01-01", 6),
    ],
)
def test_periods(api, history, query, first, last, total):
    body = api.get(f"/api/v1/statistics/appointments?{query}").get_json()
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == (first, last)
    assert body["meta"]["summary"]["total"] == total
    days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    assert len(body["data"]) == days


def test_by_calendar_and_by_unit_in_the_units_zone(api, history):
    calendar = f"{history.ana}-{history.pinheiros}"
    by_calendar = api.get(
        f"/api/v1/statistics/appointments?period=last7days&calendar_id={calendar}"
    ).get_json()["meta"]
    assert by_calendar["calendar_id"] == calendar
    assert by_calendar["summary"]["by_status"] == counts(cancelled=1)
    assert by_calendar["summary"]["cancellation_rate"] == 1.0
    assert by_calendar["summary"]["no_show_rate"] is None  # none whose time came
    same = api.get(f"/api/v1/statistics/calendars/{calendar}?period=last7days").get_json()
    assert same["meta"]["summary"] == by_calendar["summary"]
    manaus = api.get(
        f"/api/v1/statistics/appointments?period=specific_day&date=2025-12-11"
        f"&location_id={history.manaus}"
    ).get_json()
    assert manaus["meta"]["timezone"] == "America/Manaus"
    assert manaus["meta"]["location_id"] == str(history.manaus)
    assert manaus["data"] == [{"date": "2025-12-11", "total": 1} | counts(completed=1)]


def test_daily_rows_as_csv_and_xml_with_the_summary(api, history):
    response = api.get("/api/v1/statistics/appointments?period=last7days&format=csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    assert text.splitlines()[0] == "date,total,scheduled,confirmed,completed,no_show,cancelled"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7
    assert rows[5] == {
        "date": "2025-12-11",
        "total": "3",
        "scheduled": "0",
        "confirmed": "0",
        "completed": "1",
        "no_show": "1",
        "cancelled": "1",
    }
    xml = api.get("/api/v1/statistics/appointments?period=today&format=xml")
    root = ET.fromstring(xml.data)
    assert root.findtext("./meta/summary/total") == "2"
    assert root.findtext("./meta/summary/by_status/scheduled") == "2"
    assert [d.findtext("date") for d in root.findall("./data/day")] == ["2025-12-12"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("", "MISSING_REQUIRED_FIELD", "period"),
        ("period=yesterday", "INVALID_PARAMETER", "period"),
        ("period=specific_day", "MISSING_REQUIRED_FIELD", "date"),
        ("period=specific_day&date=11/12/2025", "INVALID_DATE_FORMAT", "date"),
        ("period=custom&start_date=2025-12-01", "MISSING_REQUIRED_FIELD", "end_date"),
        (
            "period=custom&start_date=2025-01-01&end_date=2026-01-02",
            "DATE_RANGE_TOO_LARGE",
            "end_date",
        ),
        (
            "period=custom&start_date=2025-12-02&end_date=2025-12-01",
            "INVALID_PARAMETER",
            "end_date",
        ),
        ("period=today&calendar_id=1-999", "INVALID_PARAMETER", "calendar_id"),
        ("period=today&location_id=999", "INVALID_PARAMETER", "location_id"),
        ("period=today&format=pdf", "INVALID_PARAMETER", "format"),
    ],
)
def test_appointment_statistics_parameters_are_checked(api, query, code, field):
    response = api.get(f"/api/v1/statistics/appointments?{query}")
    assert response.status_code == 400, query
    body = response.get_json()
    assert body["code"] == code
    assert body["details"][0]["path"][-1] == field


@pytest.mark.parametrize("path", ["clients", "calendars", "bot"])
def test_every_statistic_needs_a_known_period(api, path):
    assert api.get(f"/api/v1/statistics/{path}").get_json()["code"] == "MISSING_REQUIRED_FIELD"
    assert api.get(f"/api/v1/statistics/{path}?period=ever").get_json()["code"] == (
        "INVALID_PARAMETER"
    )


def test_local_days_are_windows_in_the_zone():
    low, high = window("America/Manaus", date(2025, 12, 11), date(2025, 12, 11))
    assert (low, high) == (
        datetime(2025, 12, 11, 4, tzinfo=UTC),
        datetime(2025, 12, 12, 4, tzinfo=UTC),
    )


# -- clients ------------------------------------------------------------------------------------


def test_client_statistics(api, history, session):
    session.add(
        Client(clinic_id=1, name="Ana Nova", created_at=datetime(2025, 12, 11, 15, tzinfo=UTC))
    )
    session.commit()
    week = api.get("/api/v1/statistics/clients?period=last7days").get_json()["data"]
    assert week == week | {
        "period": "last7days",
        "start_date": "2025-12-06",
        "end_date": "2025-12-12",
        "total_clients": 3,
        "new_clients": 3,  # the demo's two patients were created on 10/12 too
        "clients_with_appointments": 2,
        "returning_clients": 0,
    }
    assert week["top_clients"][0] == {
        "client_id": str(history.joao),
        "name": "João Pereira",
        "appointments": 4,  # the cancelled one does not count
        "last_appointment": "2025-12-12",
    }
    friday = api.get("/api/v1/statistics/clients?period=today").get_json()["data"]
    assert (friday["new_clients"], friday["clients_with_appointments"]) == (0, 2)
    assert friday["returning_clients"] == 1  # João came before; Maria did not


# -- calendars ----------------------------------------------------------------------------------


def test_calendar_utilisation_over_a_day(api, history):
    body = api.get("/api/v1/statistics/calendars?period=specific_day&date=2025-12-11").get_json()
    rows = {r["calendar_id"]: r for r in body["data"]}
    bruno = rows[f"{history.bruno}-{history.pinheiros}"]
    # 9-12 and 13-18 in 45-minute slots: 4 + 6; the no-show used its place.
    assert (bruno["slots"], bruno["capacity"], bruno["booked"]) == (10, 10, 1)
    assert bruno["utilisation_percent"] == 10.0
    daniel = rows[f"{history.daniel}-{history.manaus}"]
    assert (daniel["capacity"], daniel["booked"], daniel["utilisation_percent"]) == (16, 1, 6.25)
    ana_pinheiros = rows[f"{history.ana}-{history.pinheiros}"]
    assert (ana_pinheiros["booked"], ana_pinheiros["cancelled"]) == (0, 1)
    ana_paulista = rows[f"{history.ana}-{history.paulista}"]
    assert ana_paulista["capacity"] == 0 and ana_paulista["utilisation_percent"] is None
    assert body["meta"]["summary"] == body["meta"]["summary"] | {
        "total_calendars": 5,
        "capacity": 16 + 10 + 16 + 8,  # Ana, Bruno, Daniel, Carla (5 + 3 hour-long)
        "booked": 2,
        "utilisation_percent": 4.0,
        "calendars_with_appointments": 2,
    }
    manaus = api.get(
        f"/api/v1/statistics/calendars?period=specific_day&date=2025-12-11"
        f"&location_id={history.manaus}&format=csv"
    ).get_data(as_text=True)
    assert len(manaus.strip().splitlines()) == 2  # the header and Dr. Daniel


# -- the bot ------------------------------------------------------------------------------------


def option(reply: str, label: str) -> str:
    match = re.search(rf"^(\d+) - .*{re.escape(label)}", reply, re.MULTILINE)
    assert match, f"no option {label!r} in:\n{reply}"
    return match.group(1)


def test_bot_statistics(api, app, clock, session, patient):
    demo = Demo(app, clock, session)
    joao = patient("+558282136275")
    reply = joao.says("oi")
    reply = joao.says(option(reply, "Agendar consulta"))
    reply = joao.says(option(reply, "Unimed"))
    if "Em qual unidade" in reply:
        reply = joao.says(option(reply, "Paulista"))
    if "Qual atendimento" in reply:
        reply = joao.says(option(reply, "Clínica geral"))
    joao.says("1")
    assert "Pronto" in joao.says("sim")
    stranger = patient("+5582912345678")
    stranger.says("oi")
    stranger.says("humano")
    by_bot = session.exec(
        select(Client.id).where(Client.clinic_id == 1, Client.name == "João Pereira")
    ).one()
    assert by_bot == demo.joao
    demo.book(demo.daniel, demo.manaus, datetime(2025, 12, 11, 8, tzinfo=MANAUS))
    data = api.get("/api/v1/statistics/bot?period=today").get_json()["data"]
    assert data == data | {
        "conversations_started": 2,
        "handoffs": 1,
        "bookings_total": 4,  # the bot's, the API's and the demo's two
        "bookings_by_bot": 1,
        "bot_share": 0.25,
        "bot_bookings_by_status": counts(scheduled=1),
        "confirmation_rate": 0.0,
        "no_show_rate": None,
    }
    assert data["messages_in"] >= 8 and data["messages_out"] >= 8
    assert api.get("/api/v1/statistics/bot?period=specific_day&date=2025-12-09").get_json()[
        "data"
    ] == data | {
        "period": "specific_day",
        "start_date": "2025-12-09",
        "end_date": "2025-12-09",
        "conversations_started": 0,
        "handoffs": 0,
        "messages_in": 0,
        "messages_out": 0,
        "bookings_total": 0,
        "bookings_by_bot": 0,
        "bot_share": None,
        "bot_bookings_by_status": counts(),
        "confirmation_rate": None,
        "cancellation_rate": None,
    }


# -- isolation ----------------------------------------------------------------------------------


def test_another_clinic_counts_only_its_own(api, other_api, history):
    theirs = other_api.get("/api/v1/statistics/appointments?period=last7days").get_json()
    assert theirs["meta"]["summary"]["total"] == 2  # its own two demo patients
    calendar = f"{history.ana}-{history.paulista}"
    for path in (
        f"/api/v1/statistics/calendars/{calendar}?period=today",
        "/api/v1/statistics/calendars/abc?period=today",
    ):
        response = other_api.get(path)
        assert response.status_code == 404
        assert response.get_json()["code"] == "RESOURCE_NOT_FOUND"
    response = other_api.get(f"/api/v1/statistics/appointments?period=today&calendar_id={calendar}")
    assert response.status_code == 400
    mine = api.get("/api/v1/statistics/calendars?period=today").get_json()["data"]
    assert {r["calendar_id"] for r in mine}.isdisjoint(
        {
            r["calendar_id"]
            for r in other_api.get("/api/v1/statistics/calendars?period=today").get_json()["data"]
        }
    )
    assert (
        other_api.get("/api/v1/statistics/clients?period=today").get_json()["data"]["total_clients"]
        == 2
    )
