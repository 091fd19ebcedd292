"""Invariant 1 under real concurrency: threads with their own sessions race for the same places."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from support import FixedClock

import models
from bot.domain.scheduling.interface import InvalidTransition, SlotUnavailable
from bot.domain.scheduling.local import LocalScheduling
from models import (
    OPEN_STATUSES,
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    Clinic,
    Conversation,
    Professional,
    Service,
    Slot,
    SlotHold,
)

NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))  # the `clock` fixture's
HOLD_MINUTES = 10
THREADS = 20
JOIN_SECONDS = 60  # far above the expected second: a hang fails the test instead of the run


@pytest.fixture
def engine(any_database_url: str) -> Iterator[Engine]:
    engine = models.make_engine(any_database_url)
    yield engine
    engine.dispose()


class Setup:
    """Rows the racers need, created and committed before the race starts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with models.new_session(engine) as session:
            self.clinic_id = session.exec(
                select(Clinic.id).where(Clinic.slug == "clinica-demo")
            ).one()
            carla = session.exec(select(Professional.id).where(Professional.name == "Carla Mendes"))
            self.carla = carla.one()
            self.physio = session.exec(
                select(Service.id).where(Service.name == "Fisioterapia")
            ).one()

    def session(self) -> Session:
        return models.new_session(self.engine)

    def scheduling(self, session: Session, clock: FixedClock | None = None) -> LocalScheduling:
        return LocalScheduling(session=session, clock=clock or FixedClock(NOW))

    def carla_slots(self, capacity: int) -> list[Slot]:
        """Carla Mendes' future slots of that capacity (3: Tuesday evening group), soonest first."""
        with self.session() as session:
            return list(
                session.exec(
                    select(Slot)
                    .where(Slot.professional_id == self.carla, Slot.capacity == capacity)
                    .where(Slot.start > NOW)
                    .order_by(col(Slot.start))
                )
            )

    def patients(self, n: int, tag: str) -> list[tuple[int, int]]:
        """n (conversation id, client id) pairs."""
        with self.session() as session:
            pairs = []
            for i in range(n):
                conversation = Conversation(
                    clinic_id=self.clinic_id,
                    address=f"whatsapp:+55119{tag}{i:04d}",
                    context={},
                    created_at=NOW,
                    updated_at=NOW,
                )
                client = Client(
                    clinic_id=self.clinic_id, name=f"Paciente {tag} {i}", created_at=NOW
                )
                session.add_all([conversation, client])
                session.flush()
                pairs.append((conversation.id, client.id))
            session.commit()
            return pairs

    def book(
        self,
        scheduling: LocalScheduling,
        slot_id: int,
        patient: tuple[int, int],
        minutes: int = HOLD_MINUTES,
    ) -> Appointment:
        """Hold and book one place (no commit)."""
        conversation_id, client_id = patient
        hold = scheduling.hold(
            clinic_id=self.clinic_id,
            slot_id=slot_id,
            conversation_id=conversation_id,
            minutes=minutes,
        )
        return scheduling.book(
            clinic_id=self.clinic_id,
            hold_id=hold.id,
            client_id=client_id,
            service_id=self.physio,
            insurance_id=None,
            actor=Actor.client,
        )

    def book_now(self, slot_id: int, patient: tuple[int, int]) -> int:
        """Hold, book and commit one place; the appointment's id."""
        with self.session() as session:
            appointment = self.book(self.scheduling(session), slot_id, patient)
            session.commit()
            return appointment.id

    def open_in(self, slot_id: int) -> list[Appointment]:
        with self.session() as session:
            return list(
                session.exec(
                    select(Appointment).where(
                        Appointment.slot_id == slot_id, col(Appointment.status).in_(OPEN_STATUSES)
                    )
                )
            )

    def holds_on(self, slot_id: int) -> int:
        with self.session() as session:
            return session.exec(
                select(func.count()).select_from(SlotHold).where(SlotHold.slot_id == slot_id)
            ).one()

    def events(self, appointment_id: int) -> list[tuple[str | None, str]]:
        with self.session() as session:
            rows = session.exec(
                select(AppointmentEvent)
                .where(AppointmentEvent.appointment_id == appointment_id)
                .order_by(col(AppointmentEvent.id))
            )
            return [(row.from_status, row.to_status) for row in rows]


@pytest.fixture
def setup(engine: Engine) -> Setup:
    return Setup(engine)


def race(work: list[Callable[[], str]]) -> Counter[str]:
    """Run each callable in its own thread, all released together; count what they returned.

    A callable returns an outcome name; anything it raises is counted as "error: ..." so that,
    for instance, SQLite's "database is locked" shows up in the assertion.
    """
    barrier = threading.Barrier(len(work), timeout=JOIN_SECONDS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], str]) -> None:
        try:
            barrier.wait()
            outcome = job()
        except Exception as error:  # reported through the outcomes
            outcome = f"error: {type(error).__name__}: {str(error).splitlines()[0]}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return Counter(outcomes)


def booker(setup: Setup, slot_id: int, patient: tuple[int, int]) -> Callable[[], str]:
    """A racer that holds, books and commits one place of the slot, in its own session."""

    def job() -> str:
        with setup.session() as session:
            try:
                setup.book(setup.scheduling(session), slot_id, patient)
                session.commit()
            except SlotUnavailable:
                session.rollback()
                return "unavailable"
            return "booked"

    return job


@pytest.mark.parametrize("capacity", [1, 3])
def test_racers_never_overbook_a_slot(setup: Setup, capacity: int) -> None:
    slot = setup.carla_slots(capacity)[0]
    patients = setup.patients(THREADS, "1")
    outcomes = race([booker(setup, slot.id, patient) for patient in patients])
    assert outcomes == Counter(booked=capacity, unavailable=THREADS - capacity)
    assert len(setup.open_in(slot.id)) == capacity
    assert setup.holds_on(slot.id) == 0  # the winners' holds were consumed, the losers' undone
    with setup.session() as session:
        view = setup.scheduling(session).slot(clinic_id=setup.clinic_id, slot_id=slot.id)
    assert view.available == 0


def test_two_reschedules_race_for_the_last_place(setup: Setup) -> None:
    group = setup.carla_slots(3)[0]
    own_slots = setup.carla_slots(1)[:2]
    fillers, movers = setup.patients(2, "2"), setup.patients(2, "3")
    for patient in fillers:
        setup.book_now(group.id, patient)
    appointments = [
        setup.book_now(slot.id, patient) for slot, patient in zip(own_slots, movers, strict=True)
    ]
    # Both movers held the last place, one after the other's hold had lapsed; now both lapsed
    # and the place is still free, so either may take it: exactly one must.
    holds = []
    clock = FixedClock(NOW)
    for conversation_id, _ in movers:
        with setup.session() as session:
            hold = setup.scheduling(session, clock).hold(
                clinic_id=setup.clinic_id,
                slot_id=group.id,
                conversation_id=conversation_id,
                minutes=HOLD_MINUTES,
            )
            session.commit()
        holds.append(hold.id)
        clock.advance(minutes=HOLD_MINUTES + 1)

    def mover(appointment_id: int, hold_id: int) -> Callable[[], str]:
        def job() -> str:
            with setup.session() as session:
                try:
                    setup.scheduling(session, clock).reschedule(
                        clinic_id=setup.clinic_id,
                        appointment_id=appointment_id,
                        hold_id=hold_id,
                        actor=Actor.client,
                    )
                    session.commit()
                except SlotUnavailable:
                    session.rollback()
                    return "unavailable"
                return "moved"

        return job

    outcomes = race([mover(a, h) for a, h in zip(appointments, holds, strict=True)])
    assert outcomes == Counter(moved=1, unavailable=1)
    in_group = {appointment.id for appointment in setup.open_in(group.id)}
    assert len(in_group) == 3
    [winner] = in_group & set(appointments)
    [loser] = set(appointments) - in_group
    winner_slot, loser_slot = (own_slots[appointments.index(a)] for a in (winner, loser))
    assert setup.open_in(winner_slot.id) == []  # the winner's old place was freed
    assert [a.id for a in setup.open_in(loser_slot.id)] == [loser]  # the loser did not move
    assert setup.events(winner) == [
        (None, AppointmentStatus.scheduled),
        (AppointmentStatus.scheduled, AppointmentStatus.scheduled),
    ]
    assert setup.events(loser) == [(None, AppointmentStatus.scheduled)]


@pytest.mark.parametrize("capacity", [1, 3])
def test_a_cancel_racing_bookings_of_its_place_never_overbooks(setup: Setup, capacity: int) -> None:
    slot = setup.carla_slots(capacity)[0]
    booked = [setup.book_now(slot.id, patient) for patient in setup.patients(capacity, "4")]
    bookers = setup.patients(6, "5")

    def cancel() -> str:
        with setup.session() as session:
            setup.scheduling(session).cancel(
                clinic_id=setup.clinic_id,
                appointment_id=booked[0],
                reason="race",
                actor=Actor.operator,
            )
            session.commit()
        return "cancelled"

    outcomes = race([cancel, *(booker(setup, slot.id, patient) for patient in bookers)])
    assert outcomes["cancelled"] == 1
    # A booker that came before the cancel found the slot full; at most one got the freed place.
    assert outcomes["booked"] <= 1
    assert outcomes["booked"] + outcomes["unavailable"] == len(bookers)
    assert set(outcomes) <= {"cancelled", "booked", "unavailable"}, outcomes
    open_now = setup.open_in(slot.id)
    assert len(open_now) == capacity - 1 + outcomes["booked"] <= capacity
    assert booked[0] not in {a.id for a in open_now}
    assert setup.events(booked[0]) == [
        (None, AppointmentStatus.scheduled),
        (AppointmentStatus.scheduled, AppointmentStatus.cancelled),
    ]
    assert setup.holds_on(slot.id) == 0
    with setup.session() as session:
        view = setup.scheduling(session).slot(clinic_id=setup.clinic_id, slot_id=slot.id)
    assert view.available == capacity - len(open_now)


@pytest.mark.postgres
def test_confirm_after_a_concurrent_cancel_does_not_revive(pg_database_url: str) -> None:
    """READ COMMITTED: the confirming turn holds the appointment it read before another
    transaction cancelled it and gave its place away; the confirm must see the locked row."""
    engine = models.make_engine(pg_database_url)
    try:
        setup = Setup(engine)
        slot = setup.carla_slots(1)[0]
        first, second = setup.patients(2, "6")
        appointment_id = setup.book_now(slot.id, first)
        with setup.session() as turn:
            appointment = turn.get(Appointment, appointment_id)  # the turn reads it, then...
            assert appointment.status == AppointmentStatus.scheduled
            with setup.session() as console:  # ...the console cancels it meanwhile
                setup.scheduling(console).cancel(
                    clinic_id=setup.clinic_id,
                    appointment_id=appointment_id,
                    reason="",
                    actor=Actor.operator,
                )
                console.commit()
            setup.book_now(slot.id, second)  # and another patient takes the freed place
            with pytest.raises(InvalidTransition):
                setup.scheduling(turn).confirm(
                    clinic_id=setup.clinic_id, appointment_id=appointment_id, actor=Actor.client
                )
            turn.commit()
        assert len(setup.open_in(slot.id)) == 1
    finally:
        engine.dispose()
