"""Slots cut from weekly working hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, SQLModel, select

import models
from bot.domain.scheduling.calendar import generate_slots
from models import Clinic, Location, Professional, ScheduleException, Slot, WorkingHours

MONDAY = date(2025, 3, 10)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = models.make_engine(f"sqlite:///{tmp_path / 't.db'}")
    SQLModel.metadata.create_all(engine)
    with models.new_session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def clinic(session: Session) -> Clinic:
    clinic = Clinic(name="Clínica Teste", slug="teste")
    session.add(clinic)
    session.flush()
    return clinic


def add_location(session: Session, clinic: Clinic, zone: str = "America/Sao_Paulo") -> Location:
    location = Location(clinic_id=clinic.id, name=zone, address="Rua A, 1", timezone=zone)
    session.add(location)
    session.flush()
    return location


def add_professional(session: Session, clinic: Clinic, name: str = "Dra. Ana") -> Professional:
    professional = Professional(clinic_id=clinic.id, name=name)
    session.add(professional)
    session.flush()
    return professional


def add_rule(
    session: Session,
    professional: Professional,
    location: Location,
    start: time,
    end: time,
    *,
    weekday: int = 0,
    slot_minutes: int = 30,
    capacity: int = 1,
) -> WorkingHours:
    rule = WorkingHours(
        professional_id=professional.id,
        location_id=location.id,
        weekday=weekday,
        start=start,
        end=end,
        slot_minutes=slot_minutes,
        capacity=capacity,
    )
    session.add(rule)
    session.flush()
    return rule


def local_starts(session: Session, zone: ZoneInfo = SAO_PAULO) -> list[datetime]:
    starts = session.exec(select(Slot.start).order_by(Slot.start)).all()
    return [start.astimezone(zone).replace(tzinfo=None) for start in starts]


def test_working_day_with_lunch_break(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(12))
    add_rule(session, professional, location, time(13), time(17))

    created = generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)

    starts = local_starts(session)
    assert created == len(starts) == 16
    assert starts[0] == datetime(2025, 3, 10, 8, 0)
    assert starts[7] == datetime(2025, 3, 10, 11, 30)
    assert starts[8] == datetime(2025, 3, 10, 13, 0)
    assert starts[-1] == datetime(2025, 3, 10, 16, 30)
    assert datetime(2025, 3, 10, 12, 0) not in starts
    assert datetime(2025, 3, 10, 12, 30) not in starts


def test_slots_are_utc_with_end_and_capacity(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(18), time(20), slot_minutes=60, capacity=3)

    generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)

    slots = session.exec(select(Slot).order_by(Slot.start)).all()
    # São Paulo is UTC-3: 18:00 there is 21:00 UTC.
    assert [s.start for s in slots] == [
        datetime(2025, 3, 10, 21, 0, tzinfo=UTC),
        datetime(2025, 3, 10, 22, 0, tzinfo=UTC),
    ]
    assert [s.end for s in slots] == [
        datetime(2025, 3, 10, 22, 0, tzinfo=UTC),
        datetime(2025, 3, 10, 23, 0, tzinfo=UTC),
    ]
    assert {(s.capacity, s.clinic_id, s.location_id) for s in slots} == {
        (3, clinic.id, location.id)
    }


def test_each_unit_uses_its_own_timezone(session: Session, clinic: Clinic) -> None:
    sao_paulo = add_location(session, clinic, "America/Sao_Paulo")
    manaus = add_location(session, clinic, "America/Manaus")
    ana, daniel = add_professional(session, clinic), add_professional(session, clinic, "Dr. D")
    add_rule(session, ana, sao_paulo, time(8), time(8, 30))
    add_rule(session, daniel, manaus, time(8), time(8, 30))

    generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)

    by_unit = dict(session.exec(select(Slot.location_id, Slot.start)).all())
    assert by_unit[sao_paulo.id] == datetime(2025, 3, 10, 11, 0, tzinfo=UTC)  # UTC-3
    assert by_unit[manaus.id] == datetime(2025, 3, 10, 12, 0, tzinfo=UTC)  # UTC-4


def test_only_matching_weekdays_within_the_range(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(9), weekday=2, slot_minutes=60)

    created = generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=14)

    assert created == 2
    assert local_starts(session) == [datetime(2025, 3, 12, 8), datetime(2025, 3, 19, 8)]


def test_tail_shorter_than_a_slot_is_dropped(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(9), time(12), slot_minutes=45)
    add_rule(session, professional, location, time(13), time(13, 30), slot_minutes=45)

    generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)

    slots = session.exec(select(Slot).order_by(Slot.start)).all()
    assert local_starts(session) == [
        datetime(2025, 3, 10, 9, 0),
        datetime(2025, 3, 10, 9, 45),
        datetime(2025, 3, 10, 10, 30),
        datetime(2025, 3, 10, 11, 15),
    ]
    assert slots[-1].end.astimezone(SAO_PAULO).time() == time(12, 0)


@pytest.mark.parametrize("scope", ["professional", "unit", "clinic", "professional_at_unit"])
def test_days_off_are_skipped(session: Session, clinic: Clinic, scope: str) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    for weekday in (0, 1):
        add_rule(session, professional, location, time(8), time(9), weekday=weekday)
    session.add(
        ScheduleException(
            clinic_id=clinic.id,
            day=MONDAY,
            professional_id=professional.id if "professional" in scope else None,
            location_id=location.id if scope in ("unit", "professional_at_unit") else None,
            reason="Feriado",
        )
    )

    created = generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=2)

    assert created == 2
    assert {start.date() for start in local_starts(session)} == {date(2025, 3, 11)}


def test_day_off_elsewhere_does_not_block(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    other_unit, colleague = add_location(session, clinic), add_professional(session, clinic, "B")
    add_rule(session, professional, location, time(8), time(9))
    session.add_all(
        [
            ScheduleException(clinic_id=clinic.id, day=MONDAY, location_id=other_unit.id),
            ScheduleException(clinic_id=clinic.id, day=MONDAY, professional_id=colleague.id),
        ]
    )

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1) == 2


def test_idempotent_and_existing_slots_untouched(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(10))
    first = generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=7)
    session.commit()
    before = {(s.id, s.start, s.end, s.capacity) for s in session.exec(select(Slot)).all()}

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=7) == 0

    # The rule changes: old slots stay as they are (they may carry appointments), new ones fill in.
    rule = session.exec(select(WorkingHours)).one()
    rule.capacity, rule.end = 2, time(11)
    session.add(rule)
    # First Monday: 10:00 and 10:30 are new; second Monday: the whole 08:00-11:00.
    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=14) == 2 + 6
    after = {(s.id, s.start, s.end, s.capacity) for s in session.exec(select(Slot)).all()}
    assert first == 4
    assert before <= after
    assert sorted(capacity for *_, capacity in after - before) == [2] * 8


def test_other_clinics_and_inactive_rows_are_left_out(session: Session, clinic: Clinic) -> None:
    other = Clinic(name="Outra", slug="outra")
    session.add(other)
    session.flush()
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    other_location, stranger = add_location(session, other), add_professional(session, other)
    retired = add_professional(session, clinic, "Aposentado")
    retired.active = False
    add_rule(session, professional, location, time(8), time(9))
    add_rule(session, stranger, other_location, time(8), time(9))
    add_rule(session, retired, location, time(8), time(9))

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1) == 2
    assert {s.professional_id for s in session.exec(select(Slot)).all()} == {professional.id}


def test_no_days_creates_nothing(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(9))

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=0) == 0


def test_does_not_commit(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(9))

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1) == 2
    session.rollback()

    assert session.exec(select(Slot)).all() == []
