"""Insurances and professionals (bot/domain/clinic/setup/staff.py): links checked against the
clinic, a professional made inactive loses their free future slots and keeps the booked ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

import models
from bot.domain.audit import Author
from bot.domain.clinic.setup import (
    Setup,
    SetupInvalid,
    create_insurance,
    create_professional,
    update_insurance,
    update_professional,
)
from models import AuditEvent, Clinic, HealthInsurance, Location, Professional, Service

NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
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


def named(session: Session, model: type, name: str):
    return session.exec(select(model).where(model.name == name)).one()


def test_an_insurance_takes_the_units_and_services_named_and_refuses_unknown_ones(
    session: Session, setup: Setup
) -> None:
    paulista, geral = named(session, Location, "Paulista"), named(session, Service, "Clínica geral")

    insurance = create_insurance(
        setup, {"name": "Amil", "location_ids": [str(paulista.id)], "service_ids": [geral.id]}
    )
    with pytest.raises(SetupInvalid) as caught:
        update_insurance(setup, insurance.id or 0, {"service_ids": [geral.id, 999_999]})

    assert caught.value.details()[0]["path"] == ["service_ids", 1]
    [event] = session.exec(select(AuditEvent)).all()
    assert event.action == "insurance.create"
    assert event.after is not None
    assert (event.after["location_ids"], event.after["service_ids"]) == (
        [str(paulista.id)],
        [str(geral.id)],
    )
    assert named(session, HealthInsurance, "Amil").self_pay is False


def test_an_inactive_professional_loses_free_slots_and_keeps_booked_ones(
    session: Session, setup: Setup
) -> None:
    ana = named(session, Professional, "Dra. Ana Souza")

    renamed = update_professional(setup, ana.id or 0, {"name": "Dra. Ana S. Souza"})
    closed = update_professional(setup, ana.id or 0, {"active": False})

    assert renamed.slots is None
    assert closed.slots is not None and closed.slots.removed > 0
    [kept] = closed.slots.kept
    assert (kept.booked, kept.reason) == (1, "outside_hours")
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["professional.update", "professional.update"]


def test_a_new_professional_offers_the_services_named(session: Session, setup: Setup) -> None:
    fisio = named(session, Service, "Fisioterapia")

    professional = create_professional(setup, {"name": "Eva", "service_ids": [fisio.id]})

    [event] = session.exec(select(AuditEvent)).all()
    assert event.after == {
        "id": str(professional.id),
        "name": "Eva",
        "active": True,
        "service_ids": [str(fisio.id)],
        "calendar_ids": [],
    }
