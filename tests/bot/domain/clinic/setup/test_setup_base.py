"""What setup changes share (bot/domain/clinic/setup/base.py): ownership of ids, references,
fields that cannot be emptied, field changes and links, and what they do to the schedule: who
offers what decides which slots are open to a service; a unit closed by `active` loses its free
future slots through the one slot generator, and the ones patients hold are kept. On the demo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from support import FixedClock

import models
from bot.domain.clinic.setup import (
    SLOT_FIELDS,
    Setup,
    SetupInvalid,
    SetupNotFound,
    change,
    create_unit,
    link_insurance,
    link_services,
    owned,
)
from bot.domain.clinic.setup.base import filled, reference, references
from bot.domain.scheduling import scheduling_for
from bot.domain.scheduling.generation import regenerate_slots
from models import (
    Clinic,
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    Service,
    Slot,
)

NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = models.make_engine(database_url)
    with models.new_session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def clinic(session: Session) -> Clinic:
    return session.exec(select(Clinic).where(Clinic.slug == "clinica-demo")).one()


def named(session: Session, model: type, name: str):
    return session.exec(select(model).where(model.name == name)).one()


def test_change_reports_only_the_fields_that_really_changed(session: Session) -> None:
    unit = named(session, Location, "Paulista")

    changed = change(unit, {"name": "Paulista", "timezone": "America/Manaus", "phone": None})

    assert changed == {"timezone"}
    assert changed & SLOT_FIELDS  # a new zone moves the unit's slots
    assert unit.timezone == "America/Manaus"


def test_who_offers_a_service_decides_where_it_can_be_booked(
    session: Session, clinic: Clinic, clock: FixedClock
) -> None:
    scheduling = scheduling_for(session, clinic, clock)
    paulista, geral = named(session, Location, "Paulista"), named(session, Service, "Clínica geral")
    ana = named(session, Professional, "Dra. Ana Souza")

    def offered_by() -> set[int]:
        found = scheduling.free_slots(
            clinic_id=clinic.id,
            location_id=paulista.id,
            service_id=geral.id,
            start=NOW,
            end=NOW + timedelta(days=7),
            limit=1000,
        )
        return {slot.professional_id for slot in found}

    assert offered_by() == {ana.id}
    link_services(session, professional_id=ana.id, service_ids=[])
    assert offered_by() == set()
    link_services(session, professional_id=ana.id, service_ids=[geral.id, geral.id])
    assert offered_by() == {ana.id}


def test_link_insurance_replaces_what_is_given_and_keeps_the_rest(session: Session) -> None:
    sulamerica = named(session, HealthInsurance, "SulAmérica")
    units_before = set(
        session.exec(
            select(InsuranceLocation.location_id).where(
                InsuranceLocation.insurance_id == sulamerica.id
            )
        )
    )
    derma = named(session, Service, "Dermatologia")

    link_insurance(session, insurance_id=sulamerica.id, location_ids=None, service_ids=[derma.id])

    covered = session.exec(
        select(InsuranceService.service_id).where(InsuranceService.insurance_id == sulamerica.id)
    ).all()
    units_after = session.exec(
        select(InsuranceLocation.location_id).where(InsuranceLocation.insurance_id == sulamerica.id)
    ).all()
    assert covered == [derma.id]
    assert set(units_after) == units_before


def test_closing_a_unit_removes_its_free_future_slots_and_keeps_held_ones(
    session: Session, clinic: Clinic
) -> None:
    paulista = named(session, Location, "Paulista")
    future = select(Slot.id).where(Slot.location_id == paulista.id, Slot.start > NOW)
    assert len(session.exec(future).all()) > 100

    assert change(paulista, {"active": False}) == {"active"}
    result = regenerate_slots(session, clinic_id=clinic.id, now=NOW)

    # Maria's Friday appointment keeps its slot, closed to anyone new; the rest are gone.
    [kept] = result.kept
    assert (kept.booked, kept.reason) == (1, "outside_hours")
    assert session.exec(future.order_by(col(Slot.start))).all() == [kept.slot.id]
    assert result.removed > 100
    assert session.exec(select(Slot.id).where(Slot.location_id == paulista.id)).all()


def other_clinic_unit(session: Session) -> Location:
    other = Clinic(name="Outra", slug="outra")
    session.add(other)
    session.flush()
    setup = Setup(session=session, clinic_id=other.id, now=NOW, by=None)
    return create_unit(setup, {"name": "Centro", "address": "Rua 1"})


def test_another_clinics_id_is_not_found(session: Session, clinic: Clinic) -> None:
    theirs = other_clinic_unit(session)
    setup = Setup(session=session, clinic_id=clinic.id, now=NOW, by=None)

    with pytest.raises(SetupNotFound) as caught:
        owned(setup, Location, theirs.id, "unit")

    assert caught.value.code == "RESOURCE_NOT_FOUND"
    assert caught.value.details() == [{"code": "not_found", "message": "unit not found"}]
    with pytest.raises(SetupNotFound):
        owned(setup, Location, 999_999, "unit")


def test_references_name_the_field_and_the_index_of_a_bad_id(
    session: Session, clinic: Clinic
) -> None:
    theirs = other_clinic_unit(session)
    mine = named(session, Location, "Paulista")
    setup = Setup(session=session, clinic_id=clinic.id, now=NOW, by=None)

    assert references(setup, Location, [str(mine.id), mine.id], field="location_ids") == [
        mine.id,
        mine.id,
    ]
    with pytest.raises(SetupInvalid) as malformed:
        references(setup, Location, [str(mine.id), "x1"], field="location_ids")
    with pytest.raises(SetupInvalid) as unknown:
        references(setup, Location, [str(mine.id), str(theirs.id)], field="location_ids")
    with pytest.raises(SetupInvalid) as single:
        reference(setup, Location, str(theirs.id), field="location_id")

    assert malformed.value.details()[0] | {"message": ""} == {
        "code": "invalid_id",
        "message": "",
        "path": ["location_ids", 1],
    }
    assert unknown.value.code == "INVALID_PARAMETER"
    assert unknown.value.details() == [
        {
            "code": "unknown_id",
            "message": "no such unit in this clinic",
            "path": ["location_ids", 1],
        }
    ]
    assert single.value.details()[0]["path"] == ["location_id"]
    assert reference(setup, Location, None, field="location_id") is None


def test_a_field_that_cannot_be_empty_is_refused_with_one_problem_each() -> None:
    assert filled({"phone": None}, nullable=frozenset({"phone"})) == {"phone": None}
    with pytest.raises(SetupInvalid) as caught:
        filled({"name": None, "address": None, "active": True})

    assert [d["path"] for d in caught.value.details()] == [["name"], ["address"]]
    assert {d["code"] for d in caught.value.details()} == {"null"}
