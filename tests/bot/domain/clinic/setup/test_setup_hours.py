"""Working hours and exceptions (bot/domain/clinic/setup/hours.py): every change regenerates the
slots and reports the ones patients hold; another clinic's rule is not found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

import models
from bot.domain.audit import Author
from bot.domain.clinic.setup import (
    Setup,
    SetupInvalid,
    SetupNotFound,
    create_exception,
    create_hours,
    delete_exception,
    update_hours,
)
from models import AuditEvent, Clinic, Location, Professional, WorkingHours

NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
FRIDAY = date(2025, 12, 12)  # Maria's appointment with Dra. Ana at Paulista, from 10:00
KEY = Author.api_key("agd_live_ab12")


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = models.make_engine(database_url)
    with models.new_session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def setup(session: Session) -> Setup:
    clinic = session.exec(select(Clinic).where(Clinic.slug == "clinica-demo")).one()
    return Setup(session=session, clinic_id=clinic.id or 0, now=NOW, by=KEY)


def anas_friday_morning(session: Session) -> WorkingHours:
    ana = session.exec(select(Professional).where(Professional.name == "Dra. Ana Souza")).one()
    return session.exec(
        select(WorkingHours).where(
            WorkingHours.professional_id == ana.id,
            WorkingHours.weekday == FRIDAY.weekday(),
            WorkingHours.start == time(8),
        )
    ).one()


def test_shortening_hours_regenerates_and_reports_the_booked_slot_kept(
    session: Session, setup: Setup
) -> None:
    rule = anas_friday_morning(session)

    result = update_hours(setup, rule.id or 0, {"end": "09:00"})

    assert result.slots is not None and result.slots.removed > 0
    [kept] = result.slots.kept
    assert (kept.booked, kept.reason) == (1, "outside_hours")
    [event] = session.exec(select(AuditEvent)).all()
    assert event.action == "working_hours.update"
    assert event.before is not None and event.after is not None
    assert (event.before["end"], event.after["end"]) == ("12:00", "09:00")
    assert event.key_prefix == KEY.ref


def test_hours_that_end_before_they_start_are_refused(session: Session, setup: Setup) -> None:
    rule = anas_friday_morning(session)
    paulista = session.exec(select(Location).where(Location.name == "Paulista")).one()

    with pytest.raises(SetupInvalid) as changed:
        update_hours(setup, rule.id or 0, {"start": "11:00", "end": "10:00"})
    with pytest.raises(SetupInvalid) as created:
        create_hours(
            setup,
            rule.professional_id,
            {"location_id": paulista.id, "weekday": 5, "start": time(9), "end": time(9)},
        )

    for caught in (changed, created):
        assert caught.value.details()[0]["code"] == "end_before_start"


def test_another_clinics_rule_is_not_found(session: Session, setup: Setup) -> None:
    rule = anas_friday_morning(session)
    other = Setup(session=session, clinic_id=setup.clinic_id + 1000, now=NOW, by=KEY)

    with pytest.raises(SetupNotFound):
        update_hours(other, rule.id or 0, {"end": "11:00"})
    with pytest.raises(SetupNotFound):
        create_hours(other, rule.professional_id, {})


def test_a_day_off_closes_the_day_and_removing_it_brings_the_slots_back(
    session: Session, setup: Setup
) -> None:
    rule = anas_friday_morning(session)

    closed = create_exception(
        setup, day=FRIDAY, professional_id=str(rule.professional_id), reason="Congresso"
    )
    opened = delete_exception(setup, closed.row.id or 0)

    assert closed.slots is not None and closed.slots.removed > 0
    assert [k.booked for k in closed.slots.kept] == [1]
    assert opened.slots is not None and opened.slots.created == closed.slots.removed
    assert opened.row["scope"] == "professional"
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["exception.create", "exception.delete"]
