"""Changes to booked appointments (bot/domain/scheduling/changes.py) on the demo clinic, on
SQLite and PostgreSQL: direct booking, moves, service changes, outcomes, deletion, conflicts,
events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from support import FixedClock

import models
from bot.domain.scheduling import (
    InvalidRequest,
    InvalidTransition,
    LocalScheduling,
    NotFound,
    ProfessionalBusy,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
)
from bot.domain.scheduling.errors import SchedulingError
from models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    Clinic,
    Conversation,
    Direction,
    Location,
    Message,
    Professional,
    Reminder,
    Service,
    Slot,
    SlotHold,
    WebhookDelivery,
    WebhookEndpoint,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=SAO_PAULO)


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
    return LocalScheduling(session=session, clock=clock)


@pytest.fixture
def clinic_id(session: Session) -> int:
    return session.exec(select(Clinic.id).where(Clinic.slug == "clinica-demo")).one()


def named(session: Session, model: type, name: str) -> int:
    return session.exec(select(model.id).where(model.name == name)).first()


def slots_of(session: Session, professional: str, unit: str, after: datetime = NOW) -> list[Slot]:
    """The professional's slots at the unit starting after `after`, soonest first."""
    return list(
        session.exec(
            select(Slot)
            .where(
                Slot.professional_id == named(session, Professional, professional),
                Slot.location_id == named(session, Location, unit),
                Slot.start > after,
            )
            .order_by(col(Slot.start))
        )
    )


def new_client(session: Session, clinic_id: int, name: str = "Paciente Teste") -> int:
    client = Client(clinic_id=clinic_id, name=name, created_at=NOW)
    session.add(client)
    session.flush()
    return client.id


def book(
    scheduling: LocalScheduling,
    session: Session,
    clinic_id: int,
    slot: Slot,
    service: str = "Clínica geral",
    **extra,
) -> Appointment:
    return scheduling.book_slot(
        clinic_id=clinic_id,
        slot_id=slot.id,
        client_id=extra.pop("client_id", None) or new_client(session, clinic_id),
        service_id=named(session, Service, service),
        insurance_id=None,
        actor=extra.pop("actor", Actor.api_key),
        **extra,
    )


def maria_appointment(session: Session) -> Appointment:
    maria = named(session, Client, "Maria Oliveira")
    return session.exec(select(Appointment).where(Appointment.client_id == maria)).one()


def history(session: Session, appointment_id: int) -> list[AppointmentEvent]:
    return list(
        session.exec(
            select(AppointmentEvent)
            .where(AppointmentEvent.appointment_id == appointment_id)
            .order_by(col(AppointmentEvent.id))
        )
    )


def events_sent(session: Session) -> list[str]:
    return list(session.exec(select(WebhookDelivery.event_type).order_by(WebhookDelivery.id)))


@pytest.fixture
def webhook(session: Session, clinic_id: int) -> None:
    """The clinic listens to every event."""
    session.add(
        WebhookEndpoint(
            clinic_id=clinic_id, url="https://erp.example.com/hook", secret="s", created_at=NOW
        )
    )
    session.flush()


# -- direct booking -----------------------------------------------------------------------------


def test_book_slot_makes_a_scheduled_appointment_with_its_event(scheduling, session, clinic_id):
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    appointment = book(scheduling, session, clinic_id, slot, actor_ref="agd_live_x", notes="1a vez")
    assert appointment.status == AppointmentStatus.scheduled
    assert appointment.start == slot.start
    assert appointment.end == slot.start + timedelta(minutes=30)
    assert appointment.notes == "1a vez"
    [event] = history(session, appointment.id)
    assert (event.actor, event.actor_ref, event.from_status, event.to_status) == (
        Actor.api_key,
        "agd_live_x",
        None,
        AppointmentStatus.scheduled,
    )


def test_a_full_slot_cannot_be_booked_directly(scheduling, session, clinic_id):
    taken = maria_appointment(session).slot_id
    with pytest.raises(SlotUnavailable):
        book(scheduling, session, clinic_id, session.get(Slot, taken))


def test_a_group_slot_takes_its_capacity_and_no_more(scheduling, session, clinic_id):
    group = next(s for s in slots_of(session, "Carla Mendes", "Paulista") if s.capacity == 3)
    for _ in range(3):
        book(scheduling, session, clinic_id, group, service="Fisioterapia")
    with pytest.raises(SlotUnavailable):
        book(scheduling, session, clinic_id, group, service="Fisioterapia")


def test_unexpired_holds_count_against_capacity_and_expired_ones_do_not(
    scheduling, session, clinic_id, clock
):
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    conversation = Conversation(
        clinic_id=clinic_id, address="whatsapp:+5511900000001", created_at=NOW, updated_at=NOW
    )
    session.add(conversation)
    session.flush()
    session.add(
        SlotHold(
            slot_id=slot.id, conversation_id=conversation.id, expires_at=NOW + timedelta(minutes=5)
        )
    )
    session.flush()
    with pytest.raises(SlotUnavailable):
        book(scheduling, session, clinic_id, slot)
    clock.advance(minutes=6)
    assert book(scheduling, session, clinic_id, slot).slot_id == slot.id


def test_a_started_slot_cannot_be_booked(scheduling, session, clinic_id):
    started = slots_of(session, "Dra. Ana Souza", "Paulista", after=NOW - timedelta(hours=2))[0]
    assert started.start <= NOW
    with pytest.raises(SlotInPast):
        book(scheduling, session, clinic_id, started)


def test_references_must_be_the_clinics(scheduling, session, clinic_id):
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    other = Clinic(name="Outra", slug="outra")
    session.add(other)
    session.flush()
    service = Service(clinic_id=other.id, name="Clínica geral", duration_minutes=30)
    session.add(service)
    session.flush()
    with pytest.raises(SlotNotFound):  # the demo clinic's slot, asked for by another clinic
        scheduling.book_slot(
            clinic_id=other.id,
            slot_id=slot.id,
            client_id=new_client(session, other.id),
            service_id=service.id,
            insurance_id=None,
            actor=Actor.api_key,
        )
    with pytest.raises(NotFound) as error:
        book(scheduling, session, clinic_id, slot, client_id=10_000)
    assert error.value.field == "client_id"
    with pytest.raises(NotFound) as error:
        scheduling.book_slot(
            clinic_id=clinic_id,
            slot_id=slot.id,
            client_id=new_client(session, clinic_id),
            service_id=named(session, Service, "Clínica geral"),
            insurance_id=10_000,
            actor=Actor.api_key,
        )
    assert error.value.field == "insurance_id"


def test_a_service_the_professional_lacks_is_refused(scheduling, session, clinic_id):
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    with pytest.raises(InvalidRequest) as error:
        book(scheduling, session, clinic_id, slot, service="Dermatologia")
    assert error.value.code == "INVALID_PARAMETER" and error.value.field == "service_id"


def test_a_service_longer_than_the_slot_is_refused(scheduling, session, clinic_id):
    slot = slots_of(session, "Dr. Bruno Lima", "Pinheiros")[0]
    slot.end = slot.start + timedelta(minutes=30)  # shorter than Dermatologia's 45 minutes
    session.add(slot)
    session.flush()
    with pytest.raises(InvalidRequest):
        book(scheduling, session, clinic_id, slot, service="Dermatologia")


def test_an_erased_client_cannot_book(scheduling, session, clinic_id):
    client_id = new_client(session, clinic_id)
    client = session.get(Client, client_id)
    client.erased_at = NOW
    session.add(client)
    session.flush()
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    with pytest.raises(InvalidRequest):
        book(scheduling, session, clinic_id, slot, client_id=client_id)


def overlapping_slot(session: Session, clinic_id: int, appointment: Appointment) -> Slot:
    """A slot of the same professional at another unit, 15 minutes into `appointment`."""
    taken = session.get(Slot, appointment.slot_id)
    start = appointment.start + timedelta(minutes=15)
    slot = Slot(
        clinic_id=clinic_id,
        location_id=named(session, Location, "Pinheiros"),
        professional_id=taken.professional_id,
        start=start,
        end=start + timedelta(minutes=30),
    )
    session.add(slot)
    session.flush()
    return slot


def test_a_busy_professional_is_a_conflict_naming_the_other_appointment(
    scheduling, session, clinic_id
):
    maria = maria_appointment(session)
    slot = overlapping_slot(session, clinic_id, maria)
    with pytest.raises(ProfessionalBusy) as error:
        book(scheduling, session, clinic_id, slot)
    assert [a.id for a in error.value.conflicts] == [maria.id]
    [detail] = error.value.details()
    assert detail["appointment_id"] == str(maria.id) and detail["code"] == "professional_busy"
    assert error.value.code == "CONFLICT"


# -- moves and service changes ------------------------------------------------------------------


def test_change_moves_to_another_slot_and_frees_the_old_one(
    scheduling, session, clinic_id, webhook
):
    maria = maria_appointment(session)
    scheduling.confirm(clinic_id=clinic_id, appointment_id=maria.id, actor=Actor.client)
    old_slot = session.get(Slot, maria.slot_id)
    target = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    moved = scheduling.change(
        clinic_id=clinic_id,
        appointment_id=maria.id,
        slot_id=target.id,
        actor=Actor.api_key,
        actor_ref="agd_live_x",
    )
    assert (moved.slot_id, moved.start) == (target.id, target.start)
    assert moved.status == AppointmentStatus.scheduled  # a new time is confirmed again
    last = history(session, maria.id)[-1]
    assert last.from_status == AppointmentStatus.confirmed
    assert last.note.startswith("rescheduled from")
    assert events_sent(session) == ["appointment.confirmed", "appointment.rescheduled"]
    # The old place is free again.
    assert book(scheduling, session, clinic_id, old_slot).slot_id == old_slot.id


def test_change_to_another_professional(scheduling, session, clinic_id):
    joao = session.exec(
        select(Appointment).where(Appointment.client_id == named(session, Client, "João Pereira"))
    ).one()
    ana = slots_of(session, "Dra. Ana Souza", "Pinheiros")[0]
    with pytest.raises(InvalidRequest):  # Dra. Ana does not do Dermatologia
        scheduling.change(
            clinic_id=clinic_id, appointment_id=joao.id, slot_id=ana.id, actor=Actor.api_key
        )
    moved = scheduling.change(
        clinic_id=clinic_id,
        appointment_id=joao.id,
        slot_id=ana.id,
        service_id=named(session, Service, "Clínica geral"),
        actor=Actor.api_key,
    )
    assert moved.slot_id == ana.id
    assert moved.end - moved.start == timedelta(minutes=30)


def test_change_service_keeps_the_slot_and_recomputes_the_end(
    scheduling, session, clinic_id, webhook
):
    joao = session.exec(
        select(Appointment).where(Appointment.client_id == named(session, Client, "João Pereira"))
    ).one()
    slot_id, start = joao.slot_id, joao.start
    changed = scheduling.change(
        clinic_id=clinic_id,
        appointment_id=joao.id,
        service_id=named(session, Service, "Clínica geral"),
        actor=Actor.api_key,
    )
    assert (changed.slot_id, changed.start) == (slot_id, start)
    assert changed.end == start + timedelta(minutes=30)
    assert "service changed" in history(session, joao.id)[-1].note
    assert events_sent(session) == []  # integrators have no event type for a service change


def test_moving_into_a_full_slot_changes_nothing(scheduling, session, clinic_id):
    maria = maria_appointment(session)
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    book(scheduling, session, clinic_id, slot)
    with pytest.raises(SlotUnavailable):
        scheduling.change(
            clinic_id=clinic_id, appointment_id=maria.id, slot_id=slot.id, actor=Actor.api_key
        )


def test_a_move_does_not_conflict_with_the_appointment_itself(scheduling, session, clinic_id):
    maria = maria_appointment(session)
    slot = overlapping_slot(session, clinic_id, maria)  # overlaps only Maria's own time
    moved = scheduling.change(
        clinic_id=clinic_id, appointment_id=maria.id, slot_id=slot.id, actor=Actor.api_key
    )
    assert moved.slot_id == slot.id


def test_a_cancelled_appointment_cannot_be_changed(scheduling, session, clinic_id):
    maria = maria_appointment(session)
    scheduling.cancel(clinic_id=clinic_id, appointment_id=maria.id, reason=None, actor=Actor.client)
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    with pytest.raises(InvalidTransition) as error:
        scheduling.change(
            clinic_id=clinic_id, appointment_id=maria.id, slot_id=slot.id, actor=Actor.api_key
        )
    assert error.value.from_status == AppointmentStatus.cancelled


# -- statuses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [("complete", AppointmentStatus.completed), ("no_show", AppointmentStatus.no_show)],
)
def test_outcomes_only_once_the_appointment_has_started(
    scheduling, session, clinic_id, clock, webhook, action, status
):
    maria = maria_appointment(session)
    act = getattr(scheduling, action)
    with pytest.raises(InvalidTransition) as error:
        act(clinic_id=clinic_id, appointment_id=maria.id, actor=Actor.operator)
    assert (error.value.from_status, error.value.to_status) == (AppointmentStatus.scheduled, status)
    assert error.value.details()[0]["to"] == status
    clock.advance(days=2, hours=1)  # Friday 10:00: the appointment has begun
    done = act(clinic_id=clinic_id, appointment_id=maria.id, actor=Actor.operator, actor_ref="7")
    assert done.status == status
    assert history(session, maria.id)[-1].actor_ref == "7"
    assert events_sent(session) == [f"appointment.{status}"]
    with pytest.raises(InvalidTransition):  # only once
        act(clinic_id=clinic_id, appointment_id=maria.id, actor=Actor.operator)


def test_cancel_without_reason_and_confirm_with_a_note(scheduling, session, clinic_id, webhook):
    maria = maria_appointment(session)
    scheduling.confirm(
        clinic_id=clinic_id, appointment_id=maria.id, actor=Actor.professional, note="por telefone"
    )
    cancelled = scheduling.cancel(
        clinic_id=clinic_id, appointment_id=maria.id, reason=None, actor=Actor.api_key
    )
    assert cancelled.cancel_reason is None
    notes = [e.note for e in history(session, maria.id)]
    assert notes[-2] == "por telefone"
    assert events_sent(session) == ["appointment.confirmed", "appointment.cancelled"]


def test_annotate_records_the_change_without_an_event(scheduling, session, clinic_id, webhook):
    maria = maria_appointment(session)
    scheduling.annotate(
        clinic_id=clinic_id, appointment_id=maria.id, notes="Trazer exames", actor=Actor.api_key
    )
    assert session.get(Appointment, maria.id).notes == "Trazer exames"
    assert history(session, maria.id)[-1].note == "notes changed"
    # The same notes again change nothing.
    scheduling.annotate(
        clinic_id=clinic_id, appointment_id=maria.id, notes="Trazer exames", actor=Actor.api_key
    )
    assert len(history(session, maria.id)) == 2
    assert events_sent(session) == []


# -- deletion and conflicts ---------------------------------------------------------------------


def test_delete_removes_history_and_reminders_and_unlinks_messages(scheduling, session, clinic_id):
    maria = maria_appointment(session)
    message = Message(
        clinic_id=clinic_id,
        direction=Direction.outbound,
        provider="chat",
        appointment_id=maria.id,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(message)
    session.add(
        Reminder(
            clinic_id=clinic_id,
            appointment_id=maria.id,
            kind="24h",
            due_at=NOW,
            claimed_at=NOW,
        )
    )
    session.flush()
    scheduling.delete(clinic_id=clinic_id, appointment_id=maria.id)
    session.commit()
    session.expire_all()
    assert session.get(Appointment, maria.id) is None
    assert history(session, maria.id) == []
    assert session.exec(select(Reminder).where(Reminder.appointment_id == maria.id)).all() == []
    assert session.get(Message, message.id).appointment_id is None


def test_delete_is_scoped_to_the_clinic(scheduling, session, clinic_id):
    maria = maria_appointment(session)
    with pytest.raises(NotFound):
        scheduling.delete(clinic_id=clinic_id + 1000, appointment_id=maria.id)


def test_conflicts_overlap_exclude_and_ignore_closed_ones(scheduling, session, clinic_id):
    maria = maria_appointment(session)
    ana = session.get(Slot, maria.slot_id).professional_id

    def check(start: datetime, minutes: int = 30, **extra) -> list[int]:
        found = scheduling.conflicts(
            clinic_id=clinic_id,
            professional_id=ana,
            start=start,
            duration_minutes=minutes,
            **extra,
        )
        return [a.id for a in found]

    assert check(maria.start) == [maria.id]
    assert check(maria.start - timedelta(minutes=30)) == []  # ends exactly when Maria starts
    assert check(maria.start - timedelta(minutes=30), minutes=31) == [maria.id]
    assert check(maria.end) == []
    assert check(maria.start, exclude_id=maria.id) == []
    bruno = named(session, Professional, "Dr. Bruno Lima")
    assert (
        scheduling.conflicts(
            clinic_id=clinic_id, professional_id=bruno, start=maria.start, duration_minutes=30
        )
        == []
    )
    scheduling.cancel(clinic_id=clinic_id, appointment_id=maria.id, reason=None, actor=Actor.client)
    assert check(maria.start) == []
    with pytest.raises(NotFound):
        scheduling.conflicts(
            clinic_id=clinic_id + 1000, professional_id=ana, start=maria.start, duration_minutes=30
        )


def test_hold_booking_by_the_bot_sends_its_event_too(scheduling, session, clinic_id, webhook):
    conversation = Conversation(
        clinic_id=clinic_id, address="whatsapp:+5511900000002", created_at=NOW, updated_at=NOW
    )
    session.add(conversation)
    session.flush()
    slot = slots_of(session, "Dra. Ana Souza", "Paulista")[0]
    hold = scheduling.hold(
        clinic_id=clinic_id, slot_id=slot.id, conversation_id=conversation.id, minutes=10
    )
    scheduling.book(
        clinic_id=clinic_id,
        hold_id=hold.id,
        client_id=new_client(session, clinic_id),
        service_id=named(session, Service, "Clínica geral"),
        insurance_id=None,
        actor=Actor.client,
    )
    [delivery] = session.exec(select(WebhookDelivery)).all()
    assert delivery.event_type == "appointment.created"
    assert delivery.payload["data"]["appointment"]["slot_id"] == str(slot.id)


def test_errors_carry_api_details():
    error = SchedulingError("x", field="slot_id")
    assert error.details() == [{"code": "conflict", "message": "x", "path": ["slot_id"]}]
