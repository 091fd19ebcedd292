"""The demo clinic."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

import models
from bot.brazil.cpf import valid_cpf
from bot.brazil.phones import normalize_phone, phone_key
from bot.demo import DEMO_NUMBERS, DEMO_SLUG, fill, holiday, load_demo
from bot.demo.data import PATIENTS
from models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    ClientPhone,
    Clinic,
    ClinicNumber,
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    ProfessionalService,
    ScheduleException,
    Service,
    Slot,
    WebhookDelivery,
    WebhookEndpoint,
    WorkingHours,
)

TODAY = date(2025, 3, 10)  # a Monday
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
TABLES = (
    Clinic,
    ClinicNumber,
    Location,
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Service,
    Professional,
    ProfessionalService,
    WorkingHours,
    ScheduleException,
    Slot,
    Client,
    ClientPhone,
    Appointment,
    AppointmentEvent,
)


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = models.make_engine(f"sqlite:///{tmp_path / 't.db'}")
    SQLModel.metadata.create_all(engine)
    with models.new_session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def demo(session: Session) -> Clinic:
    return load_demo(session, today=TODAY, now=NOW)


def counts(session: Session) -> dict[str, int]:
    return {
        table.__name__: session.exec(select(func.count()).select_from(table)).one()
        for table in TABLES
    }


def by_name(session: Session, table, clinic: Clinic) -> dict:
    return {
        row.name: row for row in session.exec(select(table).where(table.clinic_id == clinic.id))
    }


def test_second_load_changes_nothing(session: Session, demo: Clinic) -> None:
    before = counts(session)

    again = load_demo(session, today=TODAY + timedelta(days=3), now=NOW + timedelta(days=3))

    assert again.id == demo.id
    assert counts(session) == before
    assert all(before.values()), before


def test_load_commits(session: Session, demo: Clinic) -> None:
    session.rollback()
    with models.new_session(session.get_bind()) as other:
        clinic = other.exec(select(Clinic).where(Clinic.slug == DEMO_SLUG)).one()
        assert clinic.name == "Clínica Demo"
        assert clinic.settings == {"ask_cpf": True}
        numbers = other.exec(select(ClinicNumber.number).where(ClinicNumber.clinic_id == clinic.id))
        assert tuple(numbers) == DEMO_NUMBERS


def test_units_and_their_zones(session: Session, demo: Clinic) -> None:
    units = by_name(session, Location, demo)

    assert {name: unit.timezone for name, unit in units.items()} == {
        "Paulista": "America/Sao_Paulo",
        "Pinheiros": "America/Sao_Paulo",
        "Manaus Centro": "America/Manaus",
    }
    assert units["Manaus Centro"].address == "Av. Eduardo Ribeiro, 620 - Centro, Manaus - AM"


def accepted(session: Session, insurance: HealthInsurance) -> tuple[set[int], set[int]]:
    units = session.exec(
        select(InsuranceLocation.location_id).where(InsuranceLocation.insurance_id == insurance.id)
    )
    services = session.exec(
        select(InsuranceService.service_id).where(InsuranceService.insurance_id == insurance.id)
    )
    return set(units), set(services)


def test_insurances_and_where_they_are_refused(session: Session, demo: Clinic) -> None:
    insurances = by_name(session, HealthInsurance, demo)
    units = {name: unit.id for name, unit in by_name(session, Location, demo).items()}
    services = {name: s.id for name, s in by_name(session, Service, demo).items()}

    assert set(insurances) == {"Unimed", "Bradesco Saúde", "SulAmérica", "Particular"}
    assert [name for name, i in insurances.items() if i.self_pay] == ["Particular"]
    everywhere = (set(units.values()), set(services.values()))
    assert accepted(session, insurances["Particular"]) == everywhere
    assert accepted(session, insurances["Unimed"]) == everywhere
    bradesco_units, bradesco_services = accepted(session, insurances["Bradesco Saúde"])
    assert bradesco_units == {units["Paulista"], units["Pinheiros"]}
    assert services["Fisioterapia"] not in bradesco_services
    assert accepted(session, insurances["SulAmérica"]) == (
        {units["Paulista"]},
        {services["Clínica geral"]},
    )


def test_services(session: Session, demo: Clinic) -> None:
    services = by_name(session, Service, demo)

    assert {name: (s.duration_minutes, s.price_cents) for name, s in services.items()} == {
        "Clínica geral": (30, 18000),
        "Dermatologia": (45, 25000),
        "Fisioterapia": (60, 15000),
    }


def test_professionals_hours_and_slot_lengths(session: Session, demo: Clinic) -> None:
    professionals = by_name(session, Professional, demo)
    units = {unit.id: name for name, unit in by_name(session, Location, demo).items()}
    assert len(professionals) == 4

    def rules(name: str) -> list[WorkingHours]:
        query = select(WorkingHours).where(WorkingHours.professional_id == professionals[name].id)
        return list(session.exec(query))

    ana = rules("Dra. Ana Souza")
    assert {units[r.location_id] for r in ana} == {"Paulista", "Pinheiros"}
    paulista_days = {r.weekday for r in ana if units[r.location_id] == "Paulista"}
    pinheiros_days = {r.weekday for r in ana if units[r.location_id] == "Pinheiros"}
    assert paulista_days and pinheiros_days and not paulista_days & pinheiros_days
    assert {r.slot_minutes for r in rules("Dr. Bruno Lima")} == {45}
    assert {r.slot_minutes for r in rules("Carla Mendes")} == {60}
    assert [r.weekday for r in rules("Carla Mendes") if r.capacity == 3] == [1]
    assert {units[r.location_id] for r in rules("Dr. Daniel Rocha")} == {"Manaus Centro"}
    # A lunch break: every Monday-Friday rule set has a gap between two of its rules.
    for name in professionals:
        for weekday in range(5):
            spans = sorted((r.start, r.end) for r in rules(name) if r.weekday == weekday)
            assert len(spans) >= 2, (name, weekday)
            assert spans[0][1] < spans[1][0], (name, weekday)
    assert any(r.weekday == 5 for name in professionals for r in rules(name))


def test_slots_for_thirty_days(session: Session, demo: Clinic) -> None:
    zones = {u.id: ZoneInfo(u.timezone) for u in by_name(session, Location, demo).values()}
    slots = list(session.exec(select(Slot).where(Slot.clinic_id == demo.id)))
    local = [slot.start.astimezone(zones[slot.location_id]) for slot in slots]
    days = {start.date() for start in local}

    assert min(days) == TODAY
    assert max(days) == TODAY + timedelta(days=29)
    assert len(days) == 30 - 4 - 1  # no Sundays (four in this range), no holiday
    assert any(slot.capacity == 3 for slot in slots)
    assert holiday(TODAY) not in days
    assert TODAY < holiday(TODAY) < TODAY + timedelta(days=30)
    assert not [start for start in local if start.hour == 12]  # lunch


def test_holiday_is_clinic_wide(session: Session, demo: Clinic) -> None:
    exception = session.exec(select(ScheduleException)).one()

    assert (exception.day, exception.reason) == (holiday(TODAY), "Feriado")
    assert exception.professional_id is None and exception.location_id is None


@pytest.mark.parametrize("offset", range(7))
def test_holiday_is_second_wednesday_after_today(offset: int) -> None:
    today = TODAY + timedelta(days=offset)

    day = holiday(today)

    assert day.weekday() == 2
    assert 7 < (day - today).days <= 14


def test_known_patients_and_their_appointments(session: Session, demo: Clinic) -> None:
    insurances = {i.id: i.name for i in by_name(session, HealthInsurance, demo).values()}
    phones = {p.number: p for p in session.exec(select(ClientPhone))}
    assert set(phones) == {"5511987654321", "558282136275"}
    assert phones["558282136275"].key == phone_key("558282136275") == "5582982136275"
    assert phones["5511987654321"].key == "5511987654321"

    expected = {
        "5511987654321": ("Maria Oliveira", "52998224725", "Unimed"),
        "558282136275": ("João Pereira", None, "Particular"),
    }
    for number, (name, cpf, insurance) in expected.items():
        client = session.get(Client, phones[number].client_id)
        assert (client.name, client.cpf, client.created_at) == (name, cpf, NOW)
        appointment = session.exec(
            select(Appointment).where(Appointment.client_id == client.id)
        ).one()
        slot = session.get(Slot, appointment.slot_id)
        service = session.get(Service, appointment.service_id)
        assert appointment.status == AppointmentStatus.scheduled
        assert insurances[appointment.insurance_id] == insurance
        assert appointment.start == slot.start > NOW
        assert appointment.end == slot.start + timedelta(minutes=service.duration_minutes)
        assert (appointment.created_at, appointment.updated_at) == (NOW, NOW)
        assert slot.start - NOW < timedelta(days=7)
        event = session.exec(
            select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
        ).one()
        assert (event.actor, event.actor_ref, event.to_status) == (
            Actor.system,
            "demo",
            "scheduled",
        )


# -- loaded through the domain ------------------------------------------------------------------


@pytest.fixture
def listened(session: Session) -> Clinic:
    """A clinic with a webhook for every event, then filled with the demo's data."""
    clinic = Clinic(name="Clínica Ouvida", slug="ouvida", settings={})
    session.add(clinic)
    session.flush()
    session.add(
        WebhookEndpoint(
            clinic_id=clinic.id, url="https://erp.example.com/h", secret="s", created_at=NOW
        )
    )
    return fill(session, clinic, today=TODAY, now=NOW)


def assert_booked_like_real_ones(session: Session, clinic_id: int) -> None:
    """Each demo appointment has the one history row a booking leaves, by the system."""
    appointments = session.exec(select(Appointment).where(Appointment.clinic_id == clinic_id)).all()
    assert len(appointments) == len(PATIENTS)
    for appointment in appointments:
        history = session.exec(
            select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
        ).all()
        assert [(e.from_status, e.to_status, e.actor, e.actor_ref) for e in history] == [
            (None, AppointmentStatus.scheduled, Actor.system, "demo")
        ]
        assert history[0].at == appointment.created_at


def test_every_demo_appointment_has_its_creation_event(session: Session, demo: Clinic) -> None:
    assert_booked_like_real_ones(session, demo.id)


@pytest.mark.postgres
def test_every_demo_appointment_has_its_creation_event_on_postgresql(pg_database_url: str) -> None:
    engine = models.make_engine(pg_database_url)
    with models.new_session(engine) as session:
        clinic = session.exec(select(Clinic).where(Clinic.slug == DEMO_SLUG)).one()
        assert_booked_like_real_ones(session, clinic.id)
    engine.dispose()


def test_demo_bookings_and_patients_queue_their_events_like_real_ones(
    session: Session, listened: Clinic
) -> None:
    deliveries = session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.clinic_id == listened.id)
        .order_by(WebhookDelivery.id)
    ).all()
    clients = session.exec(select(Client).where(Client.clinic_id == listened.id)).all()
    appointments = session.exec(
        select(Appointment).where(Appointment.clinic_id == listened.id)
    ).all()

    created = [d.payload["data"] for d in deliveries if d.event_type == "client.created"]
    booked = [d.payload["data"] for d in deliveries if d.event_type == "appointment.created"]
    assert created == [{"client": {"id": str(c.id), "name": c.name}} for c in clients]
    assert [b["appointment"]["id"] for b in booked] == [str(a.id) for a in appointments]
    assert {b["appointment"]["status"] for b in booked} == {"scheduled"}
    assert [d.event_type for d in deliveries] == ["client.created", "appointment.created"] * 2


def test_the_demo_patients_are_checked_by_the_brazil_rules() -> None:
    """A typo in the demo's data would fail its load: every number and CPF passes the rules."""
    for name, number, cpf, *_ in PATIENTS:
        assert normalize_phone(number) == number, name
        assert cpf is None or valid_cpf(cpf) == cpf, name
