"""Units and services (bot/domain/clinic/setup/catalogue.py): created and changed with their
audit row; a unit's new zone regenerates the slots; nothing changed, nothing audited."""

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
    create_service,
    create_unit,
    update_service,
    update_unit,
)
from models import AuditEvent, Clinic, Location, Slot

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


def audited(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_a_new_unit_is_audited_with_its_author_and_has_no_slots(
    session: Session, setup: Setup
) -> None:
    unit = create_unit(setup, {"name": "Moema", "address": "Av. Ibirapuera, 1"})
    session.commit()

    [event] = audited(session)
    assert (event.action, event.resource, event.key_prefix) == ("unit.create", "unit", KEY.ref)
    assert event.resource_id == str(unit.id)
    assert event.before is None
    assert event.after == {
        "id": str(unit.id),
        "name": "Moema",
        "address": "Av. Ibirapuera, 1",
        "timezone": "America/Sao_Paulo",
        "phone": None,
        "active": True,
    }
    assert session.exec(select(Slot).where(Slot.location_id == unit.id)).first() is None


def test_a_new_zone_regenerates_the_slots_and_an_unchanged_unit_is_not_audited(
    session: Session, setup: Setup
) -> None:
    paulista = session.exec(select(Location).where(Location.name == "Paulista")).one()

    same = update_unit(setup, paulista.id or 0, {"name": "Paulista"})
    moved = update_unit(setup, paulista.id or 0, {"timezone": "America/Manaus", "phone": None})

    assert same.slots is None
    assert moved.slots is not None and moved.slots.created + moved.slots.updated > 0
    [event] = audited(session)
    assert event.action == "unit.update"
    assert (event.before["timezone"], event.after["timezone"]) == (
        "America/Sao_Paulo",
        "America/Manaus",
    )


def test_a_service_cannot_lose_its_name_and_the_demo_setup_leaves_no_audit(
    session: Session, setup: Setup
) -> None:
    quiet = Setup(session=session, clinic_id=setup.clinic_id, now=NOW, by=None)
    service = create_service(quiet, {"name": "Nutrição", "duration_minutes": 30})

    with pytest.raises(SetupInvalid) as caught:
        update_service(setup, service.id or 0, {"name": None})
    update_service(setup, service.id or 0, {"price_cents": 9000})

    assert caught.value.details()[0]["path"] == ["name"]
    assert [e.action for e in audited(session)] == ["service.update"]
