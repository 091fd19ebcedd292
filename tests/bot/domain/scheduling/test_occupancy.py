"""The one occupancy rule (occupancy.py) at its boundaries, as every reader sees it: the bot's slot
view, the API's slot read model, the calendar totals, regeneration's counts and the capacity
check under the slot's lock. On SQLite and PostgreSQL; now: Wed 2025-12-10 09:00 in São Paulo.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from support import FixedClock

import models
from bot.domain.scheduling import Scheduling, SlotUnavailable, scheduling_for
from bot.domain.scheduling.calendars import find_slot, slot_totals
from bot.domain.scheduling.occupancy import use_of
from models import (
    Actor,
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    Conversation,
    Professional,
    Service,
    Slot,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=SAO_PAULO)
HOLD_MINUTES = 10
MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def engine(any_database_url: str) -> Iterator[Engine]:
    engine = models.make_engine(any_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with models.new_session(engine) as session:
        yield session


@pytest.fixture
def clinic(session: Session) -> Clinic:
    return session.exec(select(Clinic).where(Clinic.slug == "clinica-demo")).one()


@pytest.fixture
def scheduling(session: Session, clinic: Clinic, clock: FixedClock) -> Scheduling:
    assert clock.now() == NOW
    return scheduling_for(session, clinic, clock)


@pytest.fixture
def slot(session: Session) -> Slot:
    """Dra. Ana's Friday 12/12 14:00 at Paulista: free, one place."""
    ana = session.exec(select(Professional.id).where(Professional.name == "Dra. Ana Souza")).one()
    start = datetime(2025, 12, 12, 14, tzinfo=SAO_PAULO)
    found = session.exec(select(Slot).where(Slot.professional_id == ana, Slot.start == start)).one()
    assert found.capacity == 1
    return found


def service_id(session: Session, name: str = "Clínica geral") -> int:
    return session.exec(select(Service.id).where(Service.name == name)).one()


def conversation(session: Session, clinic: Clinic, number: int) -> int:
    row = Conversation(
        clinic_id=clinic.id,
        address=f"whatsapp:+55119000000{number:02d}",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    return row.id


def client(session: Session, clinic: Clinic) -> int:
    row = Client(clinic_id=clinic.id, name="Paciente Teste", created_at=NOW)
    session.add(row)
    session.flush()
    return row.id


def hold(scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot, number: int) -> int:
    """A hold of HOLD_MINUTES by a new conversation; returns its id."""
    held = scheduling.hold(
        clinic_id=clinic.id,
        slot_id=slot.id,
        conversation_id=conversation(session, clinic, number),
        minutes=HOLD_MINUTES,
    )
    return held.id


def book(scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot) -> int:
    """An appointment booked straight into the slot; returns its id."""
    return scheduling.book_slot(
        clinic_id=clinic.id,
        slot_id=slot.id,
        client_id=client(session, clinic),
        service_id=service_id(session),
        insurance_id=None,
        actor=Actor.api_key,
    ).id


def every_reader(
    session: Session, scheduling: Scheduling, clinic: Clinic, slot: Slot, now: datetime
) -> dict[str, tuple[int, int, int]]:
    """(booked, held, available) of the slot as each reader reports it."""
    use = use_of(session, [slot.id], now)[slot.id]
    row = find_slot(session, clinic_id=clinic.id, slot_id=slot.id, now=now)
    window = {slot.location_id: (slot.start, slot.start + MICROSECOND)}
    pair = (slot.professional_id, slot.location_id)
    totals = slot_totals(session, clinic_id=clinic.id, windows=window, now=now, pairs=[pair])
    view = scheduling.slot(clinic_id=clinic.id, slot_id=slot.id)
    return {
        "regeneration": (use.booked, use.held, slot.capacity - use.taken),
        "api_slot": (row.booked, row.held, row.available),
        "calendar_totals": tuple(totals[pair][k] for k in ("booked", "held", "available")),
        "bot_slot": (use.booked, use.held, view.available),
    }


def assert_all_see(readers: dict[str, tuple[int, int, int]], expected: tuple[int, int, int]):
    assert readers == dict.fromkeys(readers, expected)


@pytest.mark.parametrize(
    ("offset", "counts"),
    [(-MICROSECOND, True), (timedelta(0), False), (MICROSECOND, False)],
    ids=["a microsecond before", "exactly at expires_at", "a microsecond after"],
)
def test_a_hold_counts_until_its_expires_at(
    scheduling: Scheduling,
    session: Session,
    clinic: Clinic,
    clock: FixedClock,
    slot: Slot,
    offset: timedelta,
    counts: bool,
) -> None:
    hold(scheduling, session, clinic, slot, 1)
    clock.set(NOW + timedelta(minutes=HOLD_MINUTES) + offset)

    readers = every_reader(session, scheduling, clinic, slot, clock.now())

    assert_all_see(readers, (0, 1, 0) if counts else (0, 0, 1))
    if counts:
        with pytest.raises(SlotUnavailable):  # the check under the lock agrees
            hold(scheduling, session, clinic, slot, 2)
    else:
        hold(scheduling, session, clinic, slot, 2)


def test_an_appointment_and_an_unexpired_hold_fill_a_slot_of_two(
    scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot
) -> None:
    slot.capacity = 2
    session.add(slot)
    session.flush()
    book(scheduling, session, clinic, slot)
    assert_all_see(every_reader(session, scheduling, clinic, slot, NOW), (1, 0, 1))

    hold(scheduling, session, clinic, slot, 1)

    assert_all_see(every_reader(session, scheduling, clinic, slot, NOW), (1, 1, 0))
    with pytest.raises(SlotUnavailable):
        hold(scheduling, session, clinic, slot, 2)
    free = scheduling.free_slots(
        clinic_id=clinic.id,
        location_id=slot.location_id,
        service_id=service_id(session),
        start=slot.start - MICROSECOND,
        end=slot.end,
    )
    assert slot.id not in [found.id for found in free]


@pytest.mark.parametrize(
    "status",
    [AppointmentStatus.cancelled, AppointmentStatus.completed, AppointmentStatus.no_show],
)
def test_closed_appointments_take_no_place(
    scheduling: Scheduling,
    session: Session,
    clinic: Clinic,
    slot: Slot,
    status: AppointmentStatus,
) -> None:
    appointment = session.get(Appointment, book(scheduling, session, clinic, slot))
    assert_all_see(every_reader(session, scheduling, clinic, slot, NOW), (1, 0, 0))
    # Completed and no-show need a visit that has begun: set the outcome on the row itself.
    appointment.status = status
    session.add(appointment)
    session.flush()

    assert_all_see(every_reader(session, scheduling, clinic, slot, NOW), (0, 0, 1))
    hold(scheduling, session, clinic, slot, 1)


def test_open_appointments_of_both_statuses_take_a_place(
    scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot
) -> None:
    slot.capacity = 2
    session.add(slot)
    session.flush()
    first = book(scheduling, session, clinic, slot)
    book(scheduling, session, clinic, slot)
    scheduling.confirm(clinic_id=clinic.id, appointment_id=first, actor=Actor.client)

    assert_all_see(every_reader(session, scheduling, clinic, slot, NOW), (2, 0, 0))


def test_a_slot_that_has_started_has_no_place_for_anyone(
    scheduling: Scheduling, session: Session, clinic: Clinic, clock: FixedClock, slot: Slot
) -> None:
    clock.set(slot.start)
    readers = every_reader(session, scheduling, clinic, slot, clock.now())
    # Regeneration counts what is taken; the read models say no new booking fits.
    assert readers.pop("regeneration") == (0, 0, 1)
    assert_all_see(readers, (0, 0, 0))


def test_the_totals_add_up_the_same_rule_over_a_calendar(
    scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot
) -> None:
    booked_slot, held_slot = slot, next_slot(session, slot)
    book(scheduling, session, clinic, booked_slot)
    hold(scheduling, session, clinic, held_slot, 1)
    day = {slot.location_id: (slot.start - timedelta(hours=1), slot.start + timedelta(hours=3))}
    pair = (slot.professional_id, slot.location_id)

    totals = slot_totals(session, clinic_id=clinic.id, windows=day, now=NOW, pairs=[pair])[pair]

    ids = session.exec(
        select(Slot.id).where(
            Slot.professional_id == slot.professional_id,
            Slot.location_id == slot.location_id,
            Slot.start >= day[slot.location_id][0],
            Slot.start < day[slot.location_id][1],
        )
    ).all()
    use = use_of(session, ids, NOW)
    assert totals["slots"] == len(ids) == 8  # Friday afternoon: 13:00 to 17:00 in 30 minutes
    assert (totals["booked"], totals["held"]) == (1, 1)
    assert totals["booked"] == sum(u.booked for u in use.values())
    assert totals["held"] == sum(u.held for u in use.values())
    assert totals["available"] == totals["capacity"] - 2


def next_slot(session: Session, slot: Slot) -> Slot:
    return session.exec(
        select(Slot)
        .where(
            Slot.professional_id == slot.professional_id,
            Slot.location_id == slot.location_id,
            Slot.start > slot.start,
        )
        .order_by(col(Slot.start))
    ).first()
