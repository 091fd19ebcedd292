"""The seam between callers and a backend: `scheduling_for` picks it, the local backend answers
every method of the Scheduling interface with its exact signature, and what comes back is a
frozen view, never a table row (a remote backend could not hand out our rows)."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, SQLModel, select
from support import FixedClock

import models
from bot.domain.scheduling import (
    AppointmentView,
    InsuranceView,
    LocalScheduling,
    LocationView,
    Scheduling,
    ServiceView,
    scheduling_for,
)
from models import Actor, Client, Clinic, Professional, Service, Slot

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


def interface() -> dict[str, inspect.Signature]:
    """The methods of the Scheduling protocol and their signatures."""
    return {
        name: inspect.signature(member)
        for name, member in vars(Scheduling).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def test_scheduling_for_gives_the_local_backend_for_a_row_or_an_id(
    session: Session, clinic: Clinic, clock: FixedClock
) -> None:
    for named in (clinic, clinic.id):
        backend = scheduling_for(session, named, clock)
        assert isinstance(backend, LocalScheduling)
        assert [i.name for i in backend.insurances(clinic_id=clinic.id)][-1] == "Particular"


def test_the_local_backend_has_every_method_of_the_interface_with_its_signature() -> None:
    methods = interface()
    assert len(methods) > 20
    for name, signature in methods.items():
        implemented = getattr(LocalScheduling, name)
        assert inspect.signature(implemented) == signature, name


def test_no_method_is_left_unimplemented() -> None:
    # The old mixin chain had a `slot` that raised NotImplementedError until LocalScheduling
    # overrode it: no method's source may raise it now.
    for name in interface():
        assert "NotImplementedError" not in inspect.getsource(getattr(LocalScheduling, name))


def assert_view(value: object, kind: type) -> None:
    assert isinstance(value, kind)
    assert not isinstance(value, SQLModel)
    field = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, field, None)


def test_catalogue_and_reads_answer_with_frozen_views(
    session: Session, clinic: Clinic, clock: FixedClock
) -> None:
    backend = scheduling_for(session, clinic, clock)
    [insurance, *_] = backend.insurances(clinic_id=clinic.id)
    [location, *_] = backend.locations(clinic_id=clinic.id, insurance_id=None)
    [service, *_] = backend.services(
        clinic_id=clinic.id, insurance_id=None, location_id=location.id
    )
    maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
    [upcoming] = backend.upcoming(clinic_id=clinic.id, client_id=maria.id)

    for value, kind in [
        (insurance, InsuranceView),
        (location, LocationView),
        (service, ServiceView),
        (backend.location(clinic_id=clinic.id, location_id=location.id), LocationView),
        (backend.service(clinic_id=clinic.id, service_id=service.id), ServiceView),
        (upcoming, AppointmentView),
    ]:
        assert_view(value, kind)
    # The names callers read stay those of the tables.
    assert (location.name, location.timezone) == ("Paulista", "America/Sao_Paulo")
    assert (service.name, service.duration_minutes) == ("Clínica geral", 30)
    assert upcoming.status == "scheduled"


def test_changes_answer_with_a_snapshot_of_the_appointment(
    session: Session, clinic: Clinic, clock: FixedClock
) -> None:
    backend = scheduling_for(session, clinic, clock)
    ana = session.exec(select(Professional.id).where(Professional.name == "Dra. Ana Souza")).one()
    slot = session.exec(
        select(Slot).where(Slot.professional_id == ana, Slot.start > NOW).order_by(Slot.start)
    ).first()
    booked = backend.book_slot(
        clinic_id=clinic.id,
        slot_id=slot.id,
        client_id=session.exec(select(Client.id).where(Client.name == "João Pereira")).one(),
        service_id=session.exec(select(Service.id).where(Service.name == "Clínica geral")).one(),
        insurance_id=None,
        actor=Actor.api_key,
    )
    cancelled = backend.cancel(
        clinic_id=clinic.id, appointment_id=booked.id, reason="viagem", actor=Actor.api_key
    )

    assert_view(booked, AppointmentView)
    # A view is what the appointment was when the call returned; the next call says what it is.
    assert (booked.status, cancelled.status) == ("scheduled", "cancelled")
    assert cancelled.cancel_reason == "viagem"
