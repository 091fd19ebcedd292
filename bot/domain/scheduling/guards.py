"""What every appointment change shares: the row locks, the checks a place must pass, and the
history each change leaves (with the event it queues for the clinic's webhooks).

Both ways into a slot run the same checks here: the API's direct booking (`book_slot`, `change`)
and the bot's hold + book (`book`, `reschedule`). Nothing here commits: the caller owns the
transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, SQLModel, col, select

from bot.core.clock import Clock
from bot.domain.events import appointment_data, emit
from bot.domain.scheduling import availability
from bot.domain.scheduling.errors import (
    AlreadyBooked,
    AppointmentNotFound,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    ProfessionalBusy,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
)
from bot.domain.scheduling.occupancy import OCCUPYING
from bot.domain.scheduling.values import AppointmentView
from models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Professional,
    Service,
    Slot,
)

_Row = TypeVar("_Row", bound=SQLModel)


class Guards:
    """Locks, checks and history for the local backend's changes."""

    def __init__(self, *, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    # -- the checks a place must pass ----------------------------------------------------------

    def check_place(
        self,
        slot: Slot,
        service: Service | None,
        *,
        moving: Appointment | None = None,
        hold_id: int | None = None,
        client_id: int | None = None,
    ) -> None:
        """The locked slot can take this booking now (availability's rule), the client has no
        place in it yet, and the professional has no other appointment at that time. Without a
        service (a hold): time and room only.

        `moving` is an appointment changing place (it keeps its own place when it stays in the
        slot; its client is the one checked); `hold_id` the hold a booking consumes (its place is
        the booking's); `client_id` the client a new booking is for.
        """
        failed = availability.refusals(
            self.session,
            slot_id=slot.id,
            service_id=service.id if service is not None else None,
            now=self.clock.now(),
            excluding_hold=hold_id,
            excluding_appointment=moving.id if moving is not None else None,
        )
        if failed:
            raise self._refusal(failed[0], slot, service)
        client = moving.client_id if moving is not None else client_id
        if client is not None:
            self._check_client_not_in(slot, client, moving)
        if service is not None:
            self._check_professional_free(slot, service, moving)

    def _check_client_not_in(self, slot: Slot, client_id: int, moving: Appointment | None) -> None:
        """One patient, one place per slot (under the slot lock, so two requests cannot both
        pass): a group slot's other places are for other patients."""
        query = select(Appointment.id).where(
            Appointment.slot_id == slot.id,
            Appointment.client_id == client_id,
            col(Appointment.status).in_(OCCUPYING),
        )
        if moving is not None:
            query = query.where(Appointment.id != moving.id)
        if self.session.exec(query).first() is not None:
            raise AlreadyBooked(f"client {client_id} already has a place in slot {slot.id}")

    def _refusal(self, check: str, slot: Slot, service: Service | None) -> Exception:
        """The error a failed availability check is reported with (stable codes)."""
        if check == "started":
            return SlotInPast(f"slot {slot.id} has started")
        if check == "full":
            return SlotUnavailable(f"slot {slot.id} is full")
        assert service is not None  # only a booking checks the service
        if check == "not_offered":
            if not service.active:
                return InvalidRequest(f"service {service.id} is not offered", field="service_id")
            return InvalidRequest(
                f"the slot's professional does not offer service {service.id}", field="service_id"
            )
        return InvalidRequest(
            f"service {service.id} takes {service.duration_minutes} minutes, "
            f"longer than slot {slot.id}",
            field="service_id",
        )

    def _check_professional_free(
        self, slot: Slot, service: Service, moving: Appointment | None
    ) -> None:
        # Two bookings into different slots of one professional are not serialised by the slot
        # lock; the professional's row is (PostgreSQL; SQLite serialises writers anyway).
        self.session.exec(
            select(Professional.id).where(Professional.id == slot.professional_id).with_for_update()
        ).first()
        end = slot.start + timedelta(minutes=service.duration_minutes)
        busy = self.overlapping(
            slot.clinic_id,
            slot.professional_id,
            slot.start,
            end,
            exclude_id=moving.id if moving is not None else None,
            exclude_slot_id=slot.id,
        )
        if busy:
            raise ProfessionalBusy(
                f"the professional has {len(busy)} appointment(s) at that time",
                conflicts=[AppointmentView.of(other) for other in busy],
            )

    def overlapping(
        self,
        clinic_id: int,
        professional_id: int,
        start: datetime,
        end: datetime,
        *,
        exclude_id: int | None = None,
        exclude_slot_id: int | None = None,
    ) -> list[Appointment]:
        """Open appointments of the professional overlapping [start, end)."""
        query = (
            select(Appointment)
            .join(Slot, col(Slot.id) == col(Appointment.slot_id))
            .where(
                Appointment.clinic_id == clinic_id,
                Slot.professional_id == professional_id,
                col(Appointment.status).in_(OCCUPYING),
                Appointment.start < end,
                Appointment.end > start,
            )
            .order_by(col(Appointment.start), col(Appointment.id))
        )
        if exclude_id is not None:
            query = query.where(Appointment.id != exclude_id)
        if exclude_slot_id is not None:
            # The others in a group slot share the professional's time: capacity counts them.
            query = query.where(Appointment.slot_id != exclude_slot_id)
        return list(self.session.exec(query))

    # -- locks ---------------------------------------------------------------------------------

    def lock_slot(self, clinic_id: int, slot_id: int) -> Slot:
        """Lock the slot row so capacity checks and writes on it happen one at a time.

        PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores it, but every transaction there starts
        with BEGIN IMMEDIATE (models.db), so writers are serialised anyway.
        """
        slot = self.session.exec(
            select(Slot).where(Slot.id == slot_id, Slot.clinic_id == clinic_id).with_for_update()
        ).first()
        if slot is None:
            raise SlotNotFound(f"slot {slot_id} not found")
        return slot

    def lock_appointment(self, clinic_id: int, appointment_id: int) -> Appointment:
        """Lock the clinic's appointment row, read as it is now."""
        appointment = self.session.exec(
            select(Appointment)
            .where(Appointment.id == appointment_id, Appointment.clinic_id == clinic_id)
            .with_for_update()
            # Use the locked row, not a copy the session already holds (e.g. one loaded before
            # a commit and kept by expire_on_commit=False): a stale status would let
            # confirm/reschedule revive a cancelled appointment.
            .execution_options(populate_existing=True)
        ).first()
        if appointment is None:
            raise AppointmentNotFound(f"appointment {appointment_id} not found")
        return appointment

    def open_appointment(
        self,
        clinic_id: int,
        appointment_id: int,
        to_status: AppointmentStatus | None = None,
    ) -> Appointment:
        """Lock an appointment that is still open (scheduled or confirmed)."""
        appointment = self.lock_appointment(clinic_id, appointment_id)
        if appointment.status not in OCCUPYING:
            raise InvalidTransition(
                f"appointment {appointment_id} is {appointment.status}",
                from_status=appointment.status,
                to_status=to_status,
            )
        return appointment

    def owned(self, model: type[_Row], row_id: int, clinic_id: int, field: str) -> _Row:
        """A row of the clinic, or NotFound naming the request field that pointed at it."""
        row = self.session.get(model, row_id)
        if row is None or getattr(row, "clinic_id", None) != clinic_id:
            raise NotFound(f"{field.removesuffix('_id')} {row_id} not found", field=field)
        return row

    # -- history -------------------------------------------------------------------------------

    def new_appointment(
        self,
        *,
        slot: Slot,
        client_id: int,
        service: Service,
        insurance_id: int | None,
        actor: Actor,
        actor_ref: str | None,
        notes: str | None = None,
    ) -> Appointment:
        """A `scheduled` appointment in a locked slot whose place was checked, with its event."""
        now = self.clock.now()
        appointment = Appointment(
            clinic_id=slot.clinic_id,
            slot_id=slot.id,
            client_id=client_id,
            service_id=service.id,
            insurance_id=insurance_id,
            start=slot.start,
            end=slot.start + timedelta(minutes=service.duration_minutes),
            notes=notes,
            created_at=now,
            updated_at=now,
        )
        self.session.add(appointment)
        self.session.flush()
        self.record(appointment, actor, None, "booked", kind="appointment.created", ref=actor_ref)
        return appointment

    def record(
        self,
        appointment: Appointment,
        actor: Actor,
        from_status: AppointmentStatus | None,
        note: str,
        *,
        kind: str | None,
        ref: str | None = None,
    ) -> None:
        """Record the change (invariant 5) and queue its event for the clinic's webhooks.

        Every change passes through here, so bookings made by the WhatsApp bot send events too.
        `kind` is the event type; None for changes integrators have no event for (notes).
        """
        now = self.clock.now()
        self.session.add(
            AppointmentEvent(
                appointment_id=appointment.id,
                at=now,
                actor=actor,
                actor_ref=ref,
                from_status=from_status,
                to_status=appointment.status,
                note=note,
            )
        )
        if kind is not None:
            data = appointment_data(appointment)
            emit(self.session, clinic_id=appointment.clinic_id, type=kind, data=data, now=now)
        self.session.flush()
