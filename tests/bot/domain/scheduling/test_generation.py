"""The one slot generator (generation.py): slots cut from weekly working hours, and the
regeneration that makes future slots match the hours again after setup changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, SQLModel, col, select

import models
from bot.domain.scheduling.generation import HORIZON_DAYS, generate_slots, regenerate_slots
from models import (
    Appointment,
    Client,
    Clinic,
    Location,
    Professional,
    ScheduleException,
    Service,
    Slot,
    WorkingHours,
)

MONDAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 9, 12, 0, tzinfo=UTC)  # the Sunday before MONDAY, for regeneration
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


# -- boundaries of one rule ---------------------------------------------------------------------


def test_hours_an_exact_multiple_of_the_slot_fill_up_to_the_close(
    session: Session, clinic: Clinic
) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(10))

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1) == 4
    last = session.exec(select(Slot).order_by(col(Slot.start).desc())).first()
    assert last.end.astimezone(SAO_PAULO).time() == time(10)


def test_hours_shorter_than_one_slot_make_none(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(8, 29))

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1) == 0


def test_a_closed_day_between_working_days(session: Session, clinic: Clinic) -> None:
    # Mondays and Wednesdays only: Tuesday is closed (no rule), not a day off.
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    for weekday in (0, 2):
        add_rule(session, professional, location, time(8), time(9), weekday=weekday)

    assert generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=3) == 4
    assert {start.date() for start in local_starts(session)} == {
        date(2025, 3, 10),
        date(2025, 3, 12),
    }


def test_manaus_keeps_its_hours_when_sao_paulo_had_summer_time(
    session: Session, clinic: Clinic
) -> None:
    # 2018-11-05, a Monday: São Paulo was on summer time (UTC-2); Manaus never is (UTC-4).
    sao_paulo = add_location(session, clinic, "America/Sao_Paulo")
    manaus = add_location(session, clinic, "America/Manaus")
    ana, daniel = add_professional(session, clinic), add_professional(session, clinic, "Dr. D")
    add_rule(session, ana, sao_paulo, time(8), time(8, 30))
    add_rule(session, daniel, manaus, time(8), time(8, 30))

    assert generate_slots(session, clinic_id=clinic.id, start=date(2018, 10, 29), days=8) == 4

    starts = session.exec(select(Slot.location_id, Slot.start).order_by(col(Slot.start))).all()
    by_unit = {
        unit: [start for lid, start in starts if lid == unit] for unit in (sao_paulo.id, manaus.id)
    }
    assert by_unit[manaus.id] == [
        datetime(2018, 10, 29, 12, 0, tzinfo=UTC),
        datetime(2018, 11, 5, 12, 0, tzinfo=UTC),
    ]
    assert by_unit[sao_paulo.id] == [
        datetime(2018, 10, 29, 11, 0, tzinfo=UTC),
        datetime(2018, 11, 5, 10, 0, tzinfo=UTC),
    ]


def test_running_twice_over_overlapping_rules_creates_nothing_new(
    session: Session, clinic: Clinic
) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(10), capacity=2)
    add_rule(session, professional, location, time(9), time(11), slot_minutes=60)

    first = generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)
    second = generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)

    # 08:00-10:00 in 30 minutes, then the second rule's 10:00 (its 09:00 is taken by the first).
    assert (first, second) == (5, 0)
    slots = session.exec(select(Slot).order_by(col(Slot.start))).all()
    assert [(s.end - s.start, s.capacity) for s in slots] == [(timedelta(minutes=30), 2)] * 4 + [
        (timedelta(minutes=60), 1)
    ]


# -- regeneration: the same generator after setup changed ----------------------------------------


def test_regeneration_after_generation_changes_nothing(session: Session, clinic: Clinic) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    add_rule(session, professional, location, time(8), time(12))
    add_rule(session, professional, location, time(13), time(17), weekday=2)
    generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=HORIZON_DAYS)

    once = regenerate_slots(session, clinic_id=clinic.id, now=NOW)
    twice = regenerate_slots(session, clinic_id=clinic.id, now=NOW)

    for result in (once, twice):
        assert (result.created, result.updated, result.removed, result.closed) == (0, 0, 0, 0)
        assert result.kept == []


def test_regeneration_removes_free_slots_and_keeps_the_ones_patients_hold(
    session: Session, clinic: Clinic
) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    rule = add_rule(session, professional, location, time(8), time(10))
    generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)
    slots = session.exec(select(Slot).order_by(col(Slot.start))).all()
    booked = slots[3]  # 09:30
    session.add(
        Appointment(
            clinic_id=clinic.id,
            slot_id=booked.id,
            client_id=add_client(session, clinic),
            service_id=add_service(session, clinic),
            start=booked.start,
            end=booked.end,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    rule.end = time(9)  # the 09:00 and 09:30 slots are no longer worked
    session.add(rule)

    result = regenerate_slots(session, clinic_id=clinic.id, now=NOW, days=1)

    assert (result.created, result.removed, result.closed) == (0, 1, 0)
    [kept] = result.kept
    assert (kept.slot.id, kept.booked, kept.held, kept.reason) == (booked.id, 1, 0, "outside_hours")
    assert [s.id for s in session.exec(select(Slot).order_by(col(Slot.start)))] == [
        slots[0].id,
        slots[1].id,
        booked.id,
    ]


def test_regeneration_never_shrinks_a_slot_below_what_is_taken(
    session: Session, clinic: Clinic
) -> None:
    location, professional = add_location(session, clinic), add_professional(session, clinic)
    rule = add_rule(session, professional, location, time(8), time(8, 30), capacity=3)
    generate_slots(session, clinic_id=clinic.id, start=MONDAY, days=1)
    slot = session.exec(select(Slot)).one()
    service, client = add_service(session, clinic), add_client(session, clinic)
    for _ in range(2):
        session.add(
            Appointment(
                clinic_id=clinic.id,
                slot_id=slot.id,
                client_id=client,
                service_id=service,
                start=slot.start,
                end=slot.end,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    rule.capacity = 1
    session.add(rule)

    result = regenerate_slots(session, clinic_id=clinic.id, now=NOW, days=1)

    assert session.get(Slot, slot.id).capacity == 2
    assert [(k.booked, k.reason) for k in result.kept] == [(2, "over_capacity")]


def add_client(session: Session, clinic: Clinic) -> int:
    client = Client(clinic_id=clinic.id, name="Paciente", created_at=NOW)
    session.add(client)
    session.flush()
    return client.id


def add_service(session: Session, clinic: Clinic) -> int:
    service = Service(clinic_id=clinic.id, name="Consulta", duration_minutes=30)
    session.add(service)
    session.flush()
    return service.id
