"""The one "open to this service" rule (availability.py): the bot's free slots and the API's
`GET /api/v1/slots?service_id=…&available_only=true` list the same slots, and the two ways into a
slot (the API's direct booking, the bot's hold + book) refuse the same places for the same reason.
On SQLite and PostgreSQL; now: Wed 2025-12-10 09:00 in São Paulo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support import FixedClock

import models
from bot.api import keys
from bot.domain.scheduling import (
    AppointmentView,
    InvalidRequest,
    ProfessionalBusy,
    Scheduling,
    SchedulingError,
    SlotInPast,
    SlotUnavailable,
    scheduling_for,
)
from models import (
    Actor,
    Client,
    Clinic,
    Conversation,
    KeyKind,
    Location,
    Professional,
    Service,
    Slot,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=SAO_PAULO)
SUNDAY = date(2025, 12, 14)  # nobody works: room for slots a test makes by hand
MICROSECOND = timedelta(microseconds=1)
HOLD_MINUTES = 10


@pytest.fixture
def app(make_app: Callable[..., Flask], any_database_url: str) -> Flask:
    """The app on the demo clinic, on each engine."""
    return make_app(any_database_url)


@pytest.fixture
def engine(app: Flask) -> Engine:
    return app.extensions["agendai.engine"]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    # Commit before each request: on SQLite an open transaction holds the write lock.
    with models.new_session(engine) as session:
        yield session


@pytest.fixture
def clinic(session: Session) -> Clinic:
    return session.exec(select(Clinic).where(Clinic.slug == "clinica-demo")).one()


@pytest.fixture
def scheduling(session: Session, clinic: Clinic, clock: FixedClock) -> Scheduling:
    assert clock.now() == NOW
    return scheduling_for(session, clinic, clock)


class Api:
    """The test client with a live key of the demo clinic."""

    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client, self.key = client, key

    def get(self, path: str) -> Any:
        response = self.client.get(path, headers={"x-api-key": self.key})
        assert response.status_code == 200, response.json
        return response.json

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers={"x-api-key": self.key})

    def free_slots(self, location_id: int, service_id: int, day: date) -> list[int]:
        """Ids of the slots the API lists as open to the service on a local day."""
        query = (
            f"service_id={service_id}&available_only=true&location_id={location_id}"
            f"&date_from={day.isoformat()}&date_to={day.isoformat()}&per_page=1000"
        )
        return [int(item["id"]) for item in self.get(f"/api/v1/slots?{query}")["data"]]


@pytest.fixture
def api(app: Flask, session: Session, clinic: Clinic) -> Api:
    _row, key = keys.create(session, clinic_id=clinic.id, name="t", kind=KeyKind.live, now=NOW)
    return Api(app.test_client(), key)


def named(session: Session, model: Any, name: str) -> Any:
    return session.exec(select(model).where(model.name == name)).one()


def bot_free_slots(
    scheduling: Scheduling,
    session: Session,
    clinic: Clinic,
    location: Location,
    service_id: int,
    day: date,
) -> list[int]:
    """Ids of the slots the bot offers for the service on a local day of the unit."""
    zone = ZoneInfo(location.timezone)
    start = datetime.combine(day, time(), zone)
    found = scheduling.free_slots(
        clinic_id=clinic.id,
        location_id=location.id,
        service_id=service_id,
        start=start - MICROSECOND,
        end=start + timedelta(days=1),
        limit=1000,
    )
    # End the read: on SQLite an open transaction holds the write lock the app's requests need.
    session.commit()
    return [slot.id for slot in found]


def add_slot(session: Session, professional: str, unit: str, start: datetime, minutes: int) -> Slot:
    """A slot made by hand (the working hours would not make it)."""
    pro, location = named(session, Professional, professional), named(session, Location, unit)
    slot = Slot(
        clinic_id=pro.clinic_id,
        location_id=location.id,
        professional_id=pro.id,
        start=start,
        end=start + timedelta(minutes=minutes),
    )
    session.add(slot)
    session.flush()
    return slot


def slot_at(session: Session, professional: str, local: datetime) -> Slot:
    pro = named(session, Professional, professional)
    return session.exec(
        select(Slot).where(Slot.professional_id == pro.id, Slot.start == local)
    ).one()


def new_conversation(session: Session, clinic: Clinic) -> int:
    count = len(session.exec(select(Conversation.id)).all())
    row = Conversation(
        clinic_id=clinic.id,
        address=f"whatsapp:+5511955{count:06d}",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    return row.id


def new_client(session: Session, clinic: Clinic) -> int:
    row = Client(clinic_id=clinic.id, name="Paciente Teste", created_at=NOW)
    session.add(row)
    session.flush()
    return row.id


def directly(
    scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot, service_id: int
) -> AppointmentView:
    """The API's way in: book_slot."""
    return scheduling.book_slot(
        clinic_id=clinic.id,
        slot_id=slot.id,
        client_id=new_client(session, clinic),
        service_id=service_id,
        insurance_id=None,
        actor=Actor.api_key,
    )


def through_a_hold(
    scheduling: Scheduling, session: Session, clinic: Clinic, slot: Slot, service_id: int
) -> AppointmentView:
    """The bot's way in: hold, then book the hold."""
    held = scheduling.hold(
        clinic_id=clinic.id,
        slot_id=slot.id,
        conversation_id=new_conversation(session, clinic),
        minutes=HOLD_MINUTES,
    )
    return scheduling.book(
        clinic_id=clinic.id,
        hold_id=held.id,
        client_id=new_client(session, clinic),
        service_id=service_id,
        insurance_id=None,
        actor=Actor.client,
    )


# -- the bot and the API list the same slots ---------------------------------------------------


def test_a_slot_shorter_than_the_service_is_listed_by_neither(
    scheduling: Scheduling, session: Session, clinic: Clinic, api: Api
) -> None:
    # Dr. Bruno offers Dermatologia (45 min) and Clínica geral (30 min); this slot lasts 30.
    short = add_slot(
        session, "Dr. Bruno Lima", "Pinheiros", datetime.combine(SUNDAY, time(10), SAO_PAULO), 30
    )
    session.commit()
    pinheiros = named(session, Location, "Pinheiros")
    derma, geral = (named(session, Service, n).id for n in ("Dermatologia", "Clínica geral"))

    assert bot_free_slots(scheduling, session, clinic, pinheiros, derma, SUNDAY) == []
    assert api.free_slots(pinheiros.id, derma, SUNDAY) == []
    assert bot_free_slots(scheduling, session, clinic, pinheiros, geral, SUNDAY) == [short.id]
    assert api.free_slots(pinheiros.id, geral, SUNDAY) == [short.id]
    # Without available_only the service filter still means "can take the service".
    listed = api.get(f"/api/v1/slots?service_id={derma}&date_from={SUNDAY.isoformat()}")
    assert listed["meta"]["total"] == 0


def test_a_slot_starting_exactly_now_is_listed_by_neither(
    scheduling: Scheduling, session: Session, clinic: Clinic, api: Api, clock: FixedClock
) -> None:
    friday = date(2025, 12, 12)
    slot = slot_at(session, "Dra. Ana Souza", datetime.combine(friday, time(14), SAO_PAULO))
    paulista, geral = named(session, Location, "Paulista"), named(session, Service, "Clínica geral")
    session.commit()

    clock.set(slot.start - MICROSECOND)
    assert slot.id in bot_free_slots(scheduling, session, clinic, paulista, geral.id, friday)
    assert slot.id in api.free_slots(paulista.id, geral.id, friday)

    clock.set(slot.start)
    assert slot.id not in bot_free_slots(scheduling, session, clinic, paulista, geral.id, friday)
    assert slot.id not in api.free_slots(paulista.id, geral.id, friday)
    shown = api.get(f"/api/v1/slots/{slot.id}")["data"]
    assert (shown["available"], shown["is_available"]) == (0, False)
    assert scheduling.slot(clinic_id=clinic.id, slot_id=slot.id).available == 0


def test_a_hold_expiring_exactly_now_gives_its_place_back(
    scheduling: Scheduling, session: Session, clinic: Clinic, api: Api, clock: FixedClock
) -> None:
    friday = date(2025, 12, 12)
    slot = slot_at(session, "Dra. Ana Souza", datetime.combine(friday, time(14), SAO_PAULO))
    paulista, geral = named(session, Location, "Paulista"), named(session, Service, "Clínica geral")
    first = scheduling.hold(
        clinic_id=clinic.id,
        slot_id=slot.id,
        conversation_id=new_conversation(session, clinic),
        minutes=HOLD_MINUTES,
    )
    session.commit()

    clock.set(first.expires_at - MICROSECOND)
    assert slot.id not in bot_free_slots(scheduling, session, clinic, paulista, geral.id, friday)
    assert slot.id not in api.free_slots(paulista.id, geral.id, friday)
    with pytest.raises(SlotUnavailable):
        through_a_hold(scheduling, session, clinic, slot, geral.id)
    session.rollback()

    clock.set(first.expires_at)
    assert slot.id in bot_free_slots(scheduling, session, clinic, paulista, geral.id, friday)
    assert slot.id in api.free_slots(paulista.id, geral.id, friday)
    second = through_a_hold(scheduling, session, clinic, slot, geral.id)
    assert second.slot_id == slot.id
    with pytest.raises(SlotUnavailable):  # the first hold's place went to someone else
        scheduling.book(
            clinic_id=clinic.id,
            hold_id=first.id,
            client_id=new_client(session, clinic),
            service_id=geral.id,
            insurance_id=None,
            actor=Actor.client,
        )


def test_the_bot_and_the_api_offer_the_same_slots_for_every_service(
    scheduling: Scheduling, session: Session, clinic: Clinic, api: Api
) -> None:
    # Make it interesting: a booked slot, a held one, a short one, a group slot with a patient.
    friday = date(2025, 12, 12)
    ana = slot_at(session, "Dra. Ana Souza", datetime.combine(friday, time(14), SAO_PAULO))
    directly(scheduling, session, clinic, ana, named(session, Service, "Clínica geral").id)
    later = slot_at(session, "Dra. Ana Souza", datetime.combine(friday, time(15), SAO_PAULO))
    scheduling.hold(
        clinic_id=clinic.id,
        slot_id=later.id,
        conversation_id=new_conversation(session, clinic),
        minutes=HOLD_MINUTES,
    )
    add_slot(
        session, "Dr. Bruno Lima", "Pinheiros", datetime.combine(friday, time(18), SAO_PAULO), 30
    )
    group = slot_at(session, "Carla Mendes", datetime(2025, 12, 16, 18, tzinfo=SAO_PAULO))
    directly(scheduling, session, clinic, group, named(session, Service, "Fisioterapia").id)
    session.commit()
    locations = session.exec(select(Location).where(Location.clinic_id == clinic.id)).all()
    services = session.exec(select(Service).where(Service.clinic_id == clinic.id)).all()

    compared = 0
    for day in (date(2025, 12, 10), friday, date(2025, 12, 16)):
        for location in locations:
            for service in services:
                bot = bot_free_slots(scheduling, session, clinic, location, service.id, day)
                assert api.free_slots(location.id, service.id, day) == bot, (day, location, service)
                compared += len(bot)
    assert compared > 100  # the comparison saw real slots, not only empty lists


# -- both ways in refuse the same places -------------------------------------------------------


def full(session: Session, scheduling: Scheduling, clinic: Clinic) -> tuple[Slot, int]:
    slot = slot_at(session, "Dra. Ana Souza", datetime(2025, 12, 12, 14, tzinfo=SAO_PAULO))
    geral = named(session, Service, "Clínica geral").id
    directly(scheduling, session, clinic, slot, geral)
    return slot, geral


def started(session: Session, scheduling: Scheduling, clinic: Clinic) -> tuple[Slot, int]:
    slot = slot_at(session, "Dra. Ana Souza", NOW)  # 09:00 today: starts exactly now
    return slot, named(session, Service, "Clínica geral").id


def not_offered(session: Session, scheduling: Scheduling, clinic: Clinic) -> tuple[Slot, int]:
    slot = slot_at(session, "Dra. Ana Souza", datetime(2025, 12, 12, 14, tzinfo=SAO_PAULO))
    return slot, named(session, Service, "Dermatologia").id  # Dra. Ana does not offer it


def too_short(session: Session, scheduling: Scheduling, clinic: Clinic) -> tuple[Slot, int]:
    start = datetime.combine(SUNDAY, time(10), SAO_PAULO)
    slot = add_slot(session, "Dr. Bruno Lima", "Pinheiros", start, 30)
    return slot, named(session, Service, "Dermatologia").id  # 45 minutes


def inactive(session: Session, scheduling: Scheduling, clinic: Clinic) -> tuple[Slot, int]:
    slot = slot_at(session, "Dra. Ana Souza", datetime(2025, 12, 12, 14, tzinfo=SAO_PAULO))
    service = named(session, Service, "Clínica geral")
    service.active = False
    session.add(service)
    session.flush()
    return slot, service.id


def professional_busy(session: Session, scheduling: Scheduling, clinic: Clinic) -> tuple[Slot, int]:
    # Dr. Bruno sees someone from 09:30 (a slot made by hand): a 45-minute visit in his 09:00
    # slot would still be on.
    thursday = date(2025, 12, 11)
    start = datetime.combine(thursday, time(9, 30), SAO_PAULO)
    extra = add_slot(session, "Dr. Bruno Lima", "Pinheiros", start, 45)
    derma = named(session, Service, "Dermatologia").id
    directly(scheduling, session, clinic, extra, derma)
    slot = slot_at(session, "Dr. Bruno Lima", datetime.combine(thursday, time(9), SAO_PAULO))
    return slot, derma


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        (full, SlotUnavailable),
        (started, SlotInPast),
        (not_offered, InvalidRequest),
        (too_short, InvalidRequest),
        (inactive, InvalidRequest),
        (professional_busy, ProfessionalBusy),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_both_ways_in_refuse_a_place_for_the_same_reason(
    scheduling: Scheduling,
    session: Session,
    clinic: Clinic,
    make: Callable[..., tuple[Slot, int]],
    refusal: type[SchedulingError],
) -> None:
    slot, service_id = make(session, scheduling, clinic)

    with pytest.raises(SchedulingError) as api_way:
        directly(scheduling, session, clinic, slot, service_id)
    with pytest.raises(SchedulingError) as bot_way:
        through_a_hold(scheduling, session, clinic, slot, service_id)

    assert type(api_way.value) is type(bot_way.value) is refusal
    assert api_way.value.details() == bot_way.value.details()
    # The bot's steps catch SlotUnavailable and SlotInPast: a busy professional is one of them.
    assert isinstance(bot_way.value, (SlotUnavailable, SlotInPast, InvalidRequest))


def test_a_refused_booking_uses_its_hold_up(
    scheduling: Scheduling, session: Session, clinic: Clinic
) -> None:
    slot, derma = too_short(session, scheduling, clinic)
    held = scheduling.hold(
        clinic_id=clinic.id,
        slot_id=slot.id,
        conversation_id=new_conversation(session, clinic),
        minutes=HOLD_MINUTES,
    )
    with pytest.raises(InvalidRequest):
        scheduling.book(
            clinic_id=clinic.id,
            hold_id=held.id,
            client_id=new_client(session, clinic),
            service_id=derma,
            insurance_id=None,
            actor=Actor.client,
        )
    session.flush()
    assert scheduling.slot(clinic_id=clinic.id, slot_id=slot.id).available == 1


def test_a_move_keeps_its_own_place_in_a_full_slot(
    scheduling: Scheduling, session: Session, clinic: Clinic
) -> None:
    # A service change in the same slot: the appointment's own place is not counted against it.
    slot = slot_at(session, "Dr. Bruno Lima", datetime(2025, 12, 11, 9, tzinfo=SAO_PAULO))
    derma, geral = (named(session, Service, n).id for n in ("Dermatologia", "Clínica geral"))
    booked = directly(scheduling, session, clinic, slot, geral)

    changed = scheduling.change(
        clinic_id=clinic.id, appointment_id=booked.id, service_id=derma, actor=Actor.api_key
    )

    assert (changed.slot_id, changed.service_id) == (slot.id, derma)
    assert changed.end - changed.start == timedelta(minutes=45)
