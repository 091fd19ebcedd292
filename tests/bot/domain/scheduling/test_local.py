"""The local scheduling backend on the demo clinic, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from support import FixedClock

import models
from bot.domain.scheduling.interface import (
    AlreadyBooked,
    AppointmentNotFound,
    InvalidTransition,
    NotFound,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
)
from bot.domain.scheduling.local import LocalScheduling
from models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    Clinic,
    Conversation,
    HealthInsurance,
    Location,
    Professional,
    ProfessionalService,
    Service,
    Slot,
    SlotHold,
)

HOLD_MINUTES = 10
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=SAO_PAULO)  # the `clock` fixture's moment: a Wednesday


@dataclass
class Demo:
    """Ids of the demo clinic's rows, by name."""

    clinic_id: int
    locations: dict[str, int]
    insurances: dict[str, int]
    services: dict[str, int]
    professionals: dict[str, int]


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
def scheduling(session: Session, clock: FixedClock) -> LocalScheduling:
    assert clock.now() == NOW  # the demo's slots and these tests are laid out around it
    return LocalScheduling(session=session, clock=clock)


@pytest.fixture
def demo(engine: Engine) -> Demo:
    # Its own short session: on SQLite even a read holds the write lock until it ends.
    with models.new_session(engine) as session:
        return load_ids(session)


def load_ids(session: Session) -> Demo:
    """The demo clinic's ids, found by name."""
    clinic = session.exec(select(Clinic).where(Clinic.slug == "clinica-demo")).one()

    def names(model: type) -> dict[str, int]:
        rows = session.exec(select(model).where(model.clinic_id == clinic.id))
        return {row.name: row.id for row in rows}

    return Demo(
        clinic_id=clinic.id,
        locations=names(Location),
        insurances=names(HealthInsurance),
        services=names(Service),
        professionals=names(Professional),
    )


def add_conversation(session: Session, clinic_id: int, address: str) -> int:
    conversation = Conversation(
        clinic_id=clinic_id, address=address, context={}, created_at=NOW, updated_at=NOW
    )
    session.add(conversation)
    session.flush()
    return conversation.id


def add_client(session: Session, clinic_id: int, name: str = "Paciente Teste") -> int:
    client = Client(clinic_id=clinic_id, name=name, created_at=NOW)
    session.add(client)
    session.flush()
    return client.id


def slots_of(
    session: Session, demo: Demo, professional: str, location: str, after: datetime = NOW
) -> list[Slot]:
    """The professional's slots at the unit starting after `after`, soonest first."""
    return list(
        session.exec(
            select(Slot)
            .where(
                Slot.professional_id == demo.professionals[professional],
                Slot.location_id == demo.locations[location],
                Slot.start > after,
            )
            .order_by(col(Slot.start))
        )
    )


def group_slot(session: Session, demo: Demo) -> Slot:
    """Carla Mendes' first capacity-3 slot (Tuesday evening group session)."""
    return next(s for s in slots_of(session, demo, "Carla Mendes", "Paulista") if s.capacity == 3)


def events_of(session: Session, appointment_id: int) -> list[AppointmentEvent]:
    return list(
        session.exec(
            select(AppointmentEvent)
            .where(AppointmentEvent.appointment_id == appointment_id)
            .order_by(col(AppointmentEvent.id))
        )
    )


def hold_and_book(
    scheduling: LocalScheduling,
    session: Session,
    demo: Demo,
    slot: Slot,
    *,
    service: str = "Clínica geral",
    client_id: int | None = None,
    address: str | None = None,
) -> Appointment:
    conversation_id = add_conversation(session, demo.clinic_id, address or f"whatsapp:+55{slot.id}")
    hold = scheduling.hold(
        clinic_id=demo.clinic_id,
        slot_id=slot.id,
        conversation_id=conversation_id,
        minutes=HOLD_MINUTES,
    )
    return scheduling.book(
        clinic_id=demo.clinic_id,
        hold_id=hold.id,
        client_id=client_id or add_client(session, demo.clinic_id),
        service_id=demo.services[service],
        insurance_id=demo.insurances["Particular"],
        actor=Actor.client,
    )


@dataclass
class OtherClinic:
    clinic_id: int
    slot_id: int
    service_id: int
    conversation_id: int
    client_id: int


@pytest.fixture
def other(session: Session) -> OtherClinic:
    """A second clinic with one unit, one professional, one future slot (invariant 6)."""
    clinic = Clinic(name="Outra Clínica", slug="outra")
    session.add(clinic)
    session.flush()
    location = Location(clinic_id=clinic.id, name="Centro", address="Rua B, 2")
    service = Service(clinic_id=clinic.id, name="Clínica geral", duration_minutes=30)
    professional = Professional(clinic_id=clinic.id, name="Dr. Outro")
    session.add_all([location, service, professional])
    session.flush()
    session.add(ProfessionalService(professional_id=professional.id, service_id=service.id))
    start = NOW + timedelta(days=1)
    slot = Slot(
        clinic_id=clinic.id,
        location_id=location.id,
        professional_id=professional.id,
        start=start,
        end=start + timedelta(minutes=30),
    )
    session.add(slot)
    session.flush()
    return OtherClinic(
        clinic_id=clinic.id,
        slot_id=slot.id,
        service_id=service.id,
        conversation_id=add_conversation(session, clinic.id, "whatsapp:+5511900000000"),
        client_id=add_client(session, clinic.id, "Paciente Outro"),
    )


# -- catalogue --------------------------------------------------------------------------------


def test_insurances_list_particular_last(scheduling: LocalScheduling, demo: Demo) -> None:
    names = [i.name for i in scheduling.insurances(clinic_id=demo.clinic_id)]
    assert names == ["Bradesco Saúde", "SulAmérica", "Unimed", "Particular"]


def test_locations_follow_the_insurance(scheduling: LocalScheduling, demo: Demo) -> None:
    def names(insurance: str | None) -> list[str]:
        insurance_id = demo.insurances[insurance] if insurance else None
        locations = scheduling.locations(clinic_id=demo.clinic_id, insurance_id=insurance_id)
        return [location.name for location in locations]

    everywhere = ["Paulista", "Pinheiros", "Manaus Centro"]
    assert names(None) == everywhere
    assert names("Particular") == everywhere
    assert names("Unimed") == everywhere
    assert names("Bradesco Saúde") == ["Paulista", "Pinheiros"]
    assert names("SulAmérica") == ["Paulista"]


@pytest.mark.parametrize(
    ("insurance", "location", "expected"),
    [
        ("Particular", "Paulista", ["Clínica geral", "Fisioterapia"]),
        (None, "Paulista", ["Clínica geral", "Fisioterapia"]),
        ("Bradesco Saúde", "Paulista", ["Clínica geral"]),  # covers no Fisioterapia
        ("Bradesco Saúde", "Pinheiros", ["Clínica geral", "Dermatologia"]),
        ("SulAmérica", "Paulista", ["Clínica geral"]),
        ("Unimed", "Pinheiros", ["Clínica geral", "Dermatologia"]),  # no physio there
        ("Unimed", "Manaus Centro", ["Clínica geral"]),
    ],
)
def test_services_follow_coverage_and_the_unit(
    scheduling: LocalScheduling,
    demo: Demo,
    insurance: str | None,
    location: str,
    expected: list[str],
) -> None:
    services = scheduling.services(
        clinic_id=demo.clinic_id,
        insurance_id=demo.insurances[insurance] if insurance else None,
        location_id=demo.locations[location],
    )
    assert [service.name for service in services] == expected


def test_catalogue_lookups_are_scoped_to_the_clinic(
    scheduling: LocalScheduling, demo: Demo, other: OtherClinic
) -> None:
    paulista = demo.locations["Paulista"]
    assert scheduling.location(clinic_id=demo.clinic_id, location_id=paulista).name == "Paulista"
    with pytest.raises(NotFound):
        scheduling.location(clinic_id=other.clinic_id, location_id=paulista)
    with pytest.raises(NotFound):
        scheduling.service(clinic_id=demo.clinic_id, service_id=other.service_id)
    assert [i.name for i in scheduling.insurances(clinic_id=other.clinic_id)] == []


# -- availability -----------------------------------------------------------------------------


def free(
    scheduling: LocalScheduling,
    demo: Demo,
    location: str = "Paulista",
    service: str = "Clínica geral",
    **kwargs,
):
    kwargs.setdefault("start", NOW - timedelta(days=1))
    return scheduling.free_slots(
        clinic_id=demo.clinic_id,
        location_id=demo.locations[location],
        service_id=demo.services[service],
        **kwargs,
    )


def test_free_slots_are_future_ordered_utc_and_of_the_right_professional(
    scheduling: LocalScheduling, demo: Demo
) -> None:
    general = free(scheduling, demo, limit=40)
    physio = free(scheduling, demo, service="Fisioterapia", limit=40)
    assert len(general) == 40 and len(physio) == 40
    for slots, professional in ((general, "Dra. Ana Souza"), (physio, "Carla Mendes")):
        starts = [slot.start for slot in slots]
        assert starts == sorted(starts)
        # Asked from yesterday: nothing at or before now is offered (invariant 4: aware UTC).
        assert all(start > NOW for start in starts)
        assert all(start.utcoffset() == timedelta(0) for start in starts)
        assert {slot.professional_name for slot in slots} == {professional}
        assert {slot.professional_id for slot in slots} == {demo.professionals[professional]}
    # Carla works from 07:00 at Paulista and offers only Fisioterapia: never in "Clínica geral".
    assert general[0].start == datetime(2025, 12, 10, 9, 30, tzinfo=SAO_PAULO)


def test_free_slots_pages_are_disjoint(scheduling: LocalScheduling, demo: Demo) -> None:
    pages = [free(scheduling, demo, limit=4, offset=offset) for offset in (0, 4, 8)]
    ids = [slot.id for page in pages for slot in page]
    assert all(len(page) == 4 for page in pages)
    assert len(set(ids)) == 12
    assert ids == [slot.id for slot in free(scheduling, demo, limit=12)]


def test_free_slots_stop_before_end(scheduling: LocalScheduling, demo: Demo) -> None:
    end = datetime(2025, 12, 10, 11, 0, tzinfo=SAO_PAULO)
    bounded = free(scheduling, demo, end=end, limit=50)
    assert [slot.start.astimezone(SAO_PAULO).strftime("%H:%M") for slot in bounded] == [
        "09:30",
        "10:00",
        "10:30",
    ]
    # A start later than now moves the window forward.
    later = free(scheduling, demo, start=end, limit=1)
    assert later[0].start == datetime(2025, 12, 10, 11, 30, tzinfo=SAO_PAULO)


def test_a_full_slot_is_no_longer_offered(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    first = free(scheduling, demo)[0]
    scheduling.hold(
        clinic_id=demo.clinic_id,
        slot_id=first.id,
        conversation_id=add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111"),
        minutes=HOLD_MINUTES,
    )
    assert first.id not in [slot.id for slot in free(scheduling, demo, limit=20)]
    assert scheduling.slot(clinic_id=demo.clinic_id, slot_id=first.id).available == 0


def test_group_slot_counts_down_to_gone(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    group = group_slot(session, demo)
    assert group.start == datetime(2025, 12, 16, 18, 0, tzinfo=SAO_PAULO)  # a Tuesday evening

    def offered() -> list[int]:
        window = free(
            scheduling,
            demo,
            service="Fisioterapia",
            start=group.start - timedelta(seconds=1),
            end=group.start + timedelta(seconds=1),
        )
        return [slot.available for slot in window if slot.id == group.id]

    seen = [offered()]
    for n in range(3):
        conversation_id = add_conversation(session, demo.clinic_id, f"whatsapp:+551190000000{n}")
        scheduling.hold(
            clinic_id=demo.clinic_id,
            slot_id=group.id,
            conversation_id=conversation_id,
            minutes=HOLD_MINUTES,
        )
        seen.append(offered())
    assert seen == [[3], [2], [1], []]
    with pytest.raises(SlotUnavailable):
        scheduling.hold(
            clinic_id=demo.clinic_id,
            slot_id=group.id,
            conversation_id=add_conversation(session, demo.clinic_id, "whatsapp:+5511977777777"),
            minutes=HOLD_MINUTES,
        )


def test_manaus_morning_is_stored_in_utc(scheduling: LocalScheduling, demo: Demo) -> None:
    thursday = free(
        scheduling, demo, location="Manaus Centro", start=datetime(2025, 12, 11, tzinfo=MANAUS)
    )
    assert thursday[0].start == datetime(2025, 12, 11, 12, 0, tzinfo=UTC)
    assert thursday[0].start == datetime(2025, 12, 11, 8, 0, tzinfo=MANAUS)
    # Today the 08:00 Manaus slot starts exactly now (12:00 UTC): it is not offered any more.
    today = free(scheduling, demo, location="Manaus Centro", start=NOW)
    assert today[0].start == datetime(2025, 12, 10, 8, 30, tzinfo=MANAUS)


# -- holds ------------------------------------------------------------------------------------


def test_hold_takes_a_place_another_conversation_cannot_have(
    scheduling: LocalScheduling, session: Session, demo: Demo, clock: FixedClock
) -> None:
    slot = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[0]
    first = add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111")
    second = add_conversation(session, demo.clinic_id, "whatsapp:+5511922222222")
    hold = scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=slot.id, conversation_id=first, minutes=HOLD_MINUTES
    )
    assert hold.slot.id == slot.id and hold.slot.available == 0
    assert hold.expires_at == clock.now() + timedelta(minutes=HOLD_MINUTES)
    with pytest.raises(SlotUnavailable):
        scheduling.hold(
            clinic_id=demo.clinic_id, slot_id=slot.id, conversation_id=second, minutes=HOLD_MINUTES
        )


def test_holding_again_releases_the_earlier_hold(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    x, y = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[:2]
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111")
    for slot in (x, x, y):  # holding the same slot twice keeps one place, not two
        scheduling.hold(
            clinic_id=demo.clinic_id,
            slot_id=slot.id,
            conversation_id=conversation,
            minutes=HOLD_MINUTES,
        )
    holds = session.exec(select(SlotHold).where(SlotHold.conversation_id == conversation)).all()
    assert [hold.slot_id for hold in holds] == [y.id]
    assert scheduling.slot(clinic_id=demo.clinic_id, slot_id=x.id).available == 1
    other = add_conversation(session, demo.clinic_id, "whatsapp:+5511922222222")
    scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=x.id, conversation_id=other, minutes=HOLD_MINUTES
    )


def test_past_slots_cannot_be_held(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111")
    earlier_today = slots_of(session, demo, "Carla Mendes", "Paulista", after=NOW - timedelta(1))
    starting_now = slots_of(
        session, demo, "Dr. Daniel Rocha", "Manaus Centro", after=NOW - timedelta(microseconds=1)
    )
    assert earlier_today[0].start < NOW
    assert starting_now[0].start == NOW
    for slot in (earlier_today[0], starting_now[0]):
        with pytest.raises(SlotInPast):
            scheduling.hold(
                clinic_id=demo.clinic_id,
                slot_id=slot.id,
                conversation_id=conversation,
                minutes=HOLD_MINUTES,
            )


def test_unknown_or_other_clinic_slots_are_not_found(
    scheduling: LocalScheduling, session: Session, demo: Demo, other: OtherClinic
) -> None:
    ours = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[0]
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111")
    for clinic_id, slot_id in (
        (demo.clinic_id, 10**7),
        (demo.clinic_id, other.slot_id),
        (other.clinic_id, ours.id),
    ):
        with pytest.raises(SlotNotFound):
            scheduling.hold(
                clinic_id=clinic_id,
                slot_id=slot_id,
                conversation_id=conversation,
                minutes=HOLD_MINUTES,
            )
        with pytest.raises(SlotNotFound):
            scheduling.slot(clinic_id=clinic_id, slot_id=slot_id)
    # Nor does another clinic's slot show up in our availability.
    assert free(scheduling, demo, limit=1000, end=NOW + timedelta(days=2))
    assert other.slot_id not in [s.id for s in free(scheduling, demo, limit=1000)]


# -- hold expiry (injected clock) --------------------------------------------------------------


@pytest.fixture
def held(scheduling: LocalScheduling, session: Session, demo: Demo) -> tuple[Slot, int]:
    """Ana's first free slot, held by a first conversation: (slot, hold id)."""
    slot = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[0]
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111")
    hold = scheduling.hold(
        clinic_id=demo.clinic_id,
        slot_id=slot.id,
        conversation_id=conversation,
        minutes=HOLD_MINUTES,
    )
    return slot, hold.id


def book_hold(scheduling: LocalScheduling, session: Session, demo: Demo, hold_id: int):
    return scheduling.book(
        clinic_id=demo.clinic_id,
        hold_id=hold_id,
        client_id=add_client(session, demo.clinic_id),
        service_id=demo.services["Clínica geral"],
        insurance_id=demo.insurances["Unimed"],
        actor=Actor.client,
    )


def test_an_expired_hold_frees_the_slot(
    scheduling: LocalScheduling,
    session: Session,
    demo: Demo,
    clock: FixedClock,
    held: tuple[Slot, int],
) -> None:
    slot, _ = held
    second = add_conversation(session, demo.clinic_id, "whatsapp:+5511922222222")
    clock.advance(minutes=HOLD_MINUTES - 1)
    with pytest.raises(SlotUnavailable):
        scheduling.hold(
            clinic_id=demo.clinic_id, slot_id=slot.id, conversation_id=second, minutes=HOLD_MINUTES
        )
    clock.advance(minutes=2)
    assert scheduling.slot(clinic_id=demo.clinic_id, slot_id=slot.id).available == 1
    scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=slot.id, conversation_id=second, minutes=HOLD_MINUTES
    )


def test_an_expired_hold_still_books_when_nobody_took_the_place(
    scheduling: LocalScheduling,
    session: Session,
    demo: Demo,
    clock: FixedClock,
    held: tuple[Slot, int],
) -> None:
    slot, hold_id = held
    clock.advance(minutes=HOLD_MINUTES + 1)
    appointment = book_hold(scheduling, session, demo, hold_id)
    assert appointment.slot_id == slot.id
    assert appointment.status == AppointmentStatus.scheduled


def test_an_expired_hold_whose_place_was_taken_cannot_book(
    scheduling: LocalScheduling,
    session: Session,
    demo: Demo,
    clock: FixedClock,
    held: tuple[Slot, int],
) -> None:
    slot, hold_id = held
    clock.advance(minutes=HOLD_MINUTES + 1)
    second = add_conversation(session, demo.clinic_id, "whatsapp:+5511922222222")
    scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=slot.id, conversation_id=second, minutes=HOLD_MINUTES
    )
    with pytest.raises(SlotUnavailable):
        book_hold(scheduling, session, demo, hold_id)
    assert session.exec(select(func.count()).select_from(Appointment)).one() == 2  # the demo's


# -- book, reschedule, cancel, confirm --------------------------------------------------------


def test_book_creates_a_scheduled_appointment_with_its_event(
    scheduling: LocalScheduling, session: Session, demo: Demo, clock: FixedClock
) -> None:
    # Dr. Bruno's slots are 45 minutes long (Dermatologia); Clínica geral takes 30 of them.
    slot = slots_of(session, demo, "Dr. Bruno Lima", "Pinheiros")[0]
    assert slot.end - slot.start == timedelta(minutes=45)
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511911111111")
    client = add_client(session, demo.clinic_id)
    hold = scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=slot.id, conversation_id=conversation, minutes=5
    )
    appointment = scheduling.book(
        clinic_id=demo.clinic_id,
        hold_id=hold.id,
        client_id=client,
        service_id=demo.services["Clínica geral"],
        insurance_id=demo.insurances["Bradesco Saúde"],
        actor=Actor.client,
    )
    session.expire_all()
    stored = session.get(Appointment, appointment.id)
    assert stored.status == AppointmentStatus.scheduled
    assert (stored.clinic_id, stored.client_id, stored.slot_id) == (demo.clinic_id, client, slot.id)
    assert stored.insurance_id == demo.insurances["Bradesco Saúde"]
    assert stored.start == slot.start
    assert stored.end == slot.start + timedelta(minutes=30)
    assert stored.created_at == clock.now()
    [event] = events_of(session, appointment.id)
    assert (event.actor, event.from_status, event.to_status) == (
        Actor.client,
        None,
        AppointmentStatus.scheduled,
    )
    assert event.at == clock.now()
    # The hold became the appointment: it is gone and counts once, not twice.
    assert session.get(SlotHold, hold.id) is None
    assert scheduling.slot(clinic_id=demo.clinic_id, slot_id=slot.id).available == 0
    with pytest.raises(SlotUnavailable):
        book_hold(scheduling, session, demo, hold.id)


def test_reschedule_moves_the_appointment_in_one_transaction(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    old, new = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[:2]
    appointment = hold_and_book(scheduling, session, demo, old)
    scheduling.confirm(clinic_id=demo.clinic_id, appointment_id=appointment.id, actor=Actor.client)
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511933333333")
    hold = scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=new.id, conversation_id=conversation, minutes=5
    )
    session.commit()

    def available(slot: Slot) -> int:
        return scheduling.slot(clinic_id=demo.clinic_id, slot_id=slot.id).available

    assert (available(old), available(new)) == (0, 0)
    scheduling.reschedule(
        clinic_id=demo.clinic_id, appointment_id=appointment.id, hold_id=hold.id, actor=Actor.client
    )
    assert (available(old), available(new)) == (1, 0)
    # Nothing was committed on the way: rolling back restores the old slot, status and hold.
    session.rollback()
    restored = session.get(Appointment, appointment.id)
    assert (restored.slot_id, restored.status) == (old.id, AppointmentStatus.confirmed)
    assert session.get(SlotHold, hold.id) is not None
    assert len(events_of(session, appointment.id)) == 2

    moved = scheduling.reschedule(
        clinic_id=demo.clinic_id, appointment_id=appointment.id, hold_id=hold.id, actor=Actor.client
    )
    session.commit()
    session.expire_all()
    assert (available(old), available(new)) == (1, 0)
    moved = session.get(Appointment, appointment.id)
    assert (moved.slot_id, moved.start) == (new.id, new.start)
    assert moved.end == new.start + timedelta(minutes=30)
    assert moved.status == AppointmentStatus.scheduled
    assert session.get(SlotHold, hold.id) is None
    event = events_of(session, appointment.id)[-1]
    assert (event.from_status, event.to_status) == (
        AppointmentStatus.confirmed,
        AppointmentStatus.scheduled,
    )
    assert event.note and old.start.isoformat() in event.note


def test_a_cancelled_appointment_cannot_be_rescheduled(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    old, new = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[:2]
    appointment = hold_and_book(scheduling, session, demo, old)
    scheduling.cancel(
        clinic_id=demo.clinic_id, appointment_id=appointment.id, reason="x", actor=Actor.client
    )
    conversation = add_conversation(session, demo.clinic_id, "whatsapp:+5511933333333")
    hold = scheduling.hold(
        clinic_id=demo.clinic_id, slot_id=new.id, conversation_id=conversation, minutes=5
    )
    with pytest.raises(InvalidTransition):
        scheduling.reschedule(
            clinic_id=demo.clinic_id,
            appointment_id=appointment.id,
            hold_id=hold.id,
            actor=Actor.client,
        )


def test_cancel_frees_the_place_once(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    slot = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[0]
    appointment = hold_and_book(scheduling, session, demo, slot)
    cancelled = scheduling.cancel(
        clinic_id=demo.clinic_id,
        appointment_id=appointment.id,
        reason="Vou viajar",
        actor=Actor.operator,
    )
    session.commit()
    session.expire_all()
    assert cancelled.status == AppointmentStatus.cancelled
    assert session.get(Appointment, appointment.id).cancel_reason == "Vou viajar"
    assert scheduling.slot(clinic_id=demo.clinic_id, slot_id=slot.id).available == 1
    event = events_of(session, appointment.id)[-1]
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        Actor.operator,
        AppointmentStatus.scheduled,
        AppointmentStatus.cancelled,
        "Vou viajar",
    )
    with pytest.raises(InvalidTransition):
        scheduling.cancel(
            clinic_id=demo.clinic_id, appointment_id=appointment.id, reason="", actor=Actor.client
        )
    with pytest.raises(InvalidTransition):
        scheduling.confirm(
            clinic_id=demo.clinic_id, appointment_id=appointment.id, actor=Actor.client
        )
    assert len(events_of(session, appointment.id)) == 2


def test_confirm_is_recorded_once(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    slot = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[0]
    appointment = hold_and_book(scheduling, session, demo, slot)
    for _ in range(2):
        confirmed = scheduling.confirm(
            clinic_id=demo.clinic_id, appointment_id=appointment.id, actor=Actor.client
        )
        assert confirmed.status == AppointmentStatus.confirmed
    events = events_of(session, appointment.id)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, AppointmentStatus.scheduled),
        (AppointmentStatus.scheduled, AppointmentStatus.confirmed),
    ]


def test_changes_see_what_another_session_committed(engine: Engine, demo: Demo) -> None:
    """An appointment this session still holds, cancelled meanwhile elsewhere, is not revived.

    Sessions keep their objects across commits (expire_on_commit=False); the locking read in
    confirm/cancel/reschedule must use the row it locked, not the copy the caller holds.
    """
    clock = FixedClock(NOW)
    with models.new_session(engine) as first, models.new_session(engine) as second:
        ours = LocalScheduling(session=first, clock=clock)
        theirs = LocalScheduling(session=second, clock=clock)
        old, new = slots_of(first, demo, "Dra. Ana Souza", "Paulista")[:2]
        appointment = hold_and_book(ours, first, demo, old)
        conversation = add_conversation(first, demo.clinic_id, "whatsapp:+5511944444444")
        hold = ours.hold(
            clinic_id=demo.clinic_id, slot_id=new.id, conversation_id=conversation, minutes=5
        )
        first.commit()
        # The same appointment, cancelled from the console; its place is booked by someone else.
        theirs.cancel(
            clinic_id=demo.clinic_id, appointment_id=appointment.id, reason="", actor=Actor.operator
        )
        hold_and_book(theirs, second, demo, old, address="whatsapp:+5511955555555")
        second.commit()
        for change in (
            lambda: ours.confirm(
                clinic_id=demo.clinic_id, appointment_id=appointment.id, actor=Actor.client
            ),
            lambda: ours.cancel(
                clinic_id=demo.clinic_id,
                appointment_id=appointment.id,
                reason="",
                actor=Actor.client,
            ),
            lambda: ours.reschedule(
                clinic_id=demo.clinic_id,
                appointment_id=appointment.id,
                hold_id=hold.id,
                actor=Actor.client,
            ),
        ):
            with pytest.raises(InvalidTransition):
                change()
            first.rollback()
        open_in_old = first.exec(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.slot_id == old.id, col(Appointment.status).in_(models.OPEN_STATUSES))
        ).one()
        assert open_in_old == 1
        assert len(events_of(first, appointment.id)) == 2


# -- reading appointments ---------------------------------------------------------------------


def test_upcoming_lists_open_future_appointments_soonest_first(
    scheduling: LocalScheduling,
    session: Session,
    demo: Demo,
    clock: FixedClock,
    other: OtherClinic,
) -> None:
    client = add_client(session, demo.clinic_id, "Ana Paciente")
    a, b, c, d = slots_of(session, demo, "Dra. Ana Souza", "Paulista")[:4]
    # Booked out of order: d, b, a, c; c is cancelled afterwards.
    booked = {
        slot.id: hold_and_book(scheduling, session, demo, slot, client_id=client)
        for slot in (d, b, a, c)
    }
    scheduling.cancel(
        clinic_id=demo.clinic_id, appointment_id=booked[c.id].id, reason="", actor=Actor.client
    )

    def upcoming(clinic_id: int = demo.clinic_id) -> list[int]:
        return [x.slot_id for x in scheduling.upcoming(clinic_id=clinic_id, client_id=client)]

    assert upcoming() == [a.id, b.id, d.id]  # not the demo patients', not the cancelled one
    assert upcoming(other.clinic_id) == []
    clock.set(a.start)  # a has started: no longer upcoming
    assert upcoming() == [b.id, d.id]
    assert [
        x.id for x in scheduling.upcoming(clinic_id=demo.clinic_id, client_id=client, limit=1)
    ] == [booked[b.id].id]


def test_details_name_the_service_professional_and_unit(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    slot = slots_of(session, demo, "Dr. Daniel Rocha", "Manaus Centro")[0]
    appointment = hold_and_book(scheduling, session, demo, slot)
    details = scheduling.details(clinic_id=demo.clinic_id, appointment_id=appointment.id)
    assert (details.service, details.professional, details.location) == (
        "Clínica geral",
        "Dr. Daniel Rocha",
        "Manaus Centro",
    )
    assert details.timezone == "America/Manaus"
    assert details.address.startswith("Av. Eduardo Ribeiro")
    assert (details.start, details.end) == (slot.start, slot.start + timedelta(minutes=30))
    assert details.location_id == demo.locations["Manaus Centro"]
    assert details.status == AppointmentStatus.scheduled


def test_another_clinics_appointment_is_not_found(
    scheduling: LocalScheduling, session: Session, demo: Demo, other: OtherClinic
) -> None:
    hold = scheduling.hold(
        clinic_id=other.clinic_id,
        slot_id=other.slot_id,
        conversation_id=other.conversation_id,
        minutes=5,
    )
    theirs = scheduling.book(
        clinic_id=other.clinic_id,
        hold_id=hold.id,
        client_id=other.client_id,
        service_id=other.service_id,
        insurance_id=None,
        actor=Actor.client,
    )
    assert scheduling.details(clinic_id=other.clinic_id, appointment_id=theirs.id).id == theirs.id
    for attempt in (
        lambda: scheduling.details(clinic_id=demo.clinic_id, appointment_id=theirs.id),
        lambda: scheduling.details(clinic_id=demo.clinic_id, appointment_id=10**7),
        lambda: scheduling.confirm(
            clinic_id=demo.clinic_id, appointment_id=theirs.id, actor=Actor.client
        ),
        lambda: scheduling.cancel(
            clinic_id=demo.clinic_id, appointment_id=theirs.id, reason="", actor=Actor.client
        ),
    ):
        with pytest.raises(AppointmentNotFound):
            attempt()
    assert session.get(Appointment, theirs.id).status == AppointmentStatus.scheduled


def test_a_hold_released_by_a_later_turn_cannot_book(engine: Engine, demo: Demo) -> None:
    """A hold id kept from an earlier turn books nothing once the conversation held elsewhere."""
    clock = FixedClock(NOW)
    with models.new_session(engine) as first, models.new_session(engine) as second:
        ours = LocalScheduling(session=first, clock=clock)
        theirs = LocalScheduling(session=second, clock=clock)
        x, y, z = slots_of(first, demo, "Dra. Ana Souza", "Paulista")[:3]
        conversation = add_conversation(first, demo.clinic_id, "whatsapp:+5511944444444")
        bystander = add_conversation(first, demo.clinic_id, "whatsapp:+5511966666666")
        old_hold = ours.hold(
            clinic_id=demo.clinic_id, slot_id=x.id, conversation_id=conversation, minutes=5
        )
        # Another hold after it, so that SQLite does not hand the freed id to the next hold.
        ours.hold(clinic_id=demo.clinic_id, slot_id=z.id, conversation_id=bystander, minutes=5)
        first.commit()
        # The next turn of the same conversation picked another slot: the first hold is released.
        theirs.hold(clinic_id=demo.clinic_id, slot_id=y.id, conversation_id=conversation, minutes=5)
        second.commit()
        with pytest.raises(SlotUnavailable):
            book_hold(ours, first, demo, old_hold.id)


def test_one_client_holds_one_place_of_a_group_slot(
    scheduling: LocalScheduling, session: Session, demo: Demo
) -> None:
    group = group_slot(session, demo)
    client_id = add_client(session, demo.clinic_id)
    hold_and_book(
        scheduling,
        session,
        demo,
        group,
        service="Fisioterapia",
        client_id=client_id,
        address="whatsapp:+5511900000098",
    )
    with pytest.raises(AlreadyBooked):  # the bot's hold + book
        hold_and_book(
            scheduling,
            session,
            demo,
            group,
            service="Fisioterapia",
            client_id=client_id,
            address="whatsapp:+5511900000099",
        )
    with pytest.raises(AlreadyBooked):  # the API's direct booking
        scheduling.book_slot(
            clinic_id=demo.clinic_id,
            slot_id=group.id,
            client_id=client_id,
            service_id=demo.services["Fisioterapia"],
            insurance_id=None,
            actor=Actor.api_key,
        )
    assert issubclass(AlreadyBooked, SlotUnavailable)  # the bot answers it as a taken time
    other = hold_and_book(scheduling, session, demo, group, service="Fisioterapia")
    assert other.slot_id == group.id
