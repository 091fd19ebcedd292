"""The demo clinic: three units, four insurances, three services, four professionals.

The catalogue (units, services, insurances, professionals, working hours, the holiday) is set up
through the domain's clinic setup, patients and their appointments through create_patient and the
scheduling service, so they leave the rows and events real ones leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, select

from bot.demo.data import (
    DEMO_DAYS,
    DEMO_NUMBERS,
    DEMO_SLUG,
    INSURANCES,
    LOCATIONS,
    PATIENTS,
    PROFESSIONALS,
    SERVICES,
    WED,
    Patient,
)
from bot.domain.clinic.setup import (
    Setup,
    create_exception,
    create_hours,
    create_insurance,
    create_professional,
    create_service,
    create_unit,
)
from bot.domain.patients.records import create_patient
from bot.domain.scheduling import Scheduling, scheduling_for
from bot.domain.scheduling.generation import generate_slots
from models import (
    Actor,
    Clinic,
    ClinicNumber,
    HealthInsurance,
    Location,
    Professional,
    Service,
    Slot,
)

__all__ = ["DEMO_NUMBERS", "DEMO_SLUG", "fill", "holiday", "load_demo", "load_sandbox"]
# Who the demo's bookings are made by, in their history (AppointmentEvent.actor_ref).
DEMO_ACTOR_REF = "demo"


@dataclass
class _Demo:
    """The rows created so far, by the keys of the tables above."""

    clinic_id: int
    locations: dict[str, Location] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    insurances: dict[str, HealthInsurance] = field(default_factory=dict)
    professionals: dict[str, Professional] = field(default_factory=dict)


def load_demo(session: Session, *, today: date, now: datetime) -> Clinic:
    """Create "Clínica Demo" if absent (safe to run twice: a second call changes nothing and returns the existing clinic) and commit."""  # noqa: E501
    existing = session.exec(select(Clinic).where(Clinic.slug == DEMO_SLUG)).first()
    if existing is not None:
        return existing
    clinic = Clinic(name="Clínica Demo", slug=DEMO_SLUG, settings={"ask_cpf": True})
    return fill(session, clinic, today=today, now=now, numbers=True)


def load_sandbox(session: Session, *, of: Clinic, today: date, now: datetime) -> Clinic:
    """The sandbox of a clinic (created with the demo's generated data if absent) and commit.

    It answers no WhatsApp number: `agd_test_` keys work on it and never on the clinic's data.
    """
    existing = session.exec(select(Clinic).where(Clinic.sandbox_of_id == of.id)).first()
    if existing is not None:
        return existing
    clinic = Clinic(
        name=f"{of.name} (sandbox)",
        slug=f"{of.slug}-sandbox",
        settings={"ask_cpf": True},
        sandbox_of_id=of.id,
    )
    return fill(session, clinic, today=today, now=now, numbers=False)


def fill(
    session: Session, clinic: Clinic, *, today: date, now: datetime, numbers: bool = False
) -> Clinic:
    """Give `clinic` the demo's units, services, hours, slots and patients, and commit."""
    session.add(clinic)
    session.flush()
    demo = _Demo(clinic_id=_id(clinic))
    if numbers:
        _add_numbers(session, demo)
    # The catalogue is set up as staff would set it up, without an audit row: nobody made it.
    setup = Setup(session=session, clinic_id=demo.clinic_id, now=now, by=None)
    _add_locations(setup, demo)
    _add_services(setup, demo)
    _add_insurances(setup, demo)
    _add_professionals(setup, demo)
    create_exception(setup, day=holiday(today), reason="Feriado", regenerate=False)
    generate_slots(session, clinic_id=demo.clinic_id, start=today, days=DEMO_DAYS)
    scheduling = scheduling_for(session, clinic, _Moment(now))
    for patient in PATIENTS:
        _add_patient(session, demo, patient, scheduling, today=today, now=now)
    session.commit()
    return clinic


def holiday(today: date) -> date:
    """The demo's clinic-wide holiday: the second Wednesday after `today`."""
    first = today + timedelta(days=(WED - today.weekday() - 1) % 7 + 1)
    return first + timedelta(days=7)


def _add_numbers(session: Session, demo: _Demo) -> None:
    """Attach the sandbox number, unless another clinic already answers on it."""
    for number in DEMO_NUMBERS:
        owner = session.exec(select(ClinicNumber).where(ClinicNumber.number == number)).first()
        if owner is None:
            session.add(ClinicNumber(clinic_id=demo.clinic_id, number=number))


def _add_locations(setup: Setup, demo: _Demo) -> None:
    """The three units."""
    for key, (name, address, zone) in LOCATIONS.items():
        demo.locations[key] = create_unit(
            setup, {"name": name, "address": address, "timezone": zone}
        )


def _add_services(setup: Setup, demo: _Demo) -> None:
    """The three services."""
    for key, (name, minutes, cents) in SERVICES.items():
        demo.services[key] = create_service(
            setup, {"name": name, "duration_minutes": minutes, "price_cents": cents}
        )


def _add_insurances(setup: Setup, demo: _Demo) -> None:
    """The insurances and where / for what each one is accepted."""
    for name, (self_pay, units, covered) in INSURANCES.items():
        demo.insurances[name] = create_insurance(
            setup,
            {
                "name": name,
                "self_pay": self_pay,
                "location_ids": [_id(demo.locations[key]) for key in units],
                "service_ids": [_id(demo.services[key]) for key in covered],
            },
        )


def _add_professionals(setup: Setup, demo: _Demo) -> None:
    """The professionals, what they offer and their weekly hours (slots are made once, after)."""
    for name, (offered, shifts) in PROFESSIONALS.items():
        professional = create_professional(
            setup, {"name": name, "service_ids": [_id(demo.services[key]) for key in offered]}
        )
        # One slot length per professional: the longest service they offer fits in every slot.
        minutes = max(demo.services[key].duration_minutes for key in offered)
        for unit, weekdays, start, end, capacity in shifts:
            for weekday in weekdays:
                rule = {
                    "location_id": _id(demo.locations[unit]),
                    "weekday": weekday,
                    "start": start,
                    "end": end,
                    "slot_minutes": minutes,
                    "capacity": capacity,
                }
                create_hours(setup, _id(professional), rule, regenerate=False)
        demo.professionals[name] = professional


def _add_patient(
    session: Session,
    demo: _Demo,
    patient: Patient,
    scheduling: Scheduling,
    *,
    today: date,
    now: datetime,
) -> None:
    """A known patient with an upcoming appointment on a real generated slot."""
    name, number, cpf, insurance_name, professional_name, unit, service_key = patient
    location, service = demo.locations[unit], demo.services[service_key]
    insurance = demo.insurances[insurance_name]
    client = create_patient(
        session=session,
        clinic_id=demo.clinic_id,
        name=name,
        phones=[number],
        cpf=cpf,
        health_insurance_id=insurance.id,
        location_id=location.id,
        now=now,
    )
    slot = _slot_from(
        session, demo.professionals[professional_name], location, today + timedelta(days=2)
    )
    scheduling.book_slot(
        clinic_id=demo.clinic_id,
        slot_id=_id(slot),
        client_id=_id(client),
        service_id=_id(service),
        insurance_id=insurance.id,
        actor=Actor.system,
        actor_ref=DEMO_ACTOR_REF,
    )


def _slot_from(session: Session, professional: Professional, location: Location, day: date) -> Slot:
    """The professional's first slot at the unit from 10:00 (local time) on `day` onwards."""
    after = datetime.combine(day, time(10), ZoneInfo(location.timezone)).astimezone(UTC)
    slot = session.exec(
        select(Slot)
        .where(Slot.professional_id == professional.id, Slot.location_id == location.id)
        .where(Slot.start >= after)
        .order_by(Slot.start)
    ).first()
    if slot is None:
        raise RuntimeError(f"no demo slot for {professional.name} at {location.name}")
    return slot


def _id(row: SQLModel) -> int:
    """The primary key of a flushed row."""
    row_id = getattr(row, "id", None)
    if row_id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush first")
    return row_id


@dataclass(frozen=True)
class _Moment:
    """The clock of a demo load: it stands at the moment the demo is loaded at."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment
