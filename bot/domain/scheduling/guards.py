"""What every appointment change shares: the row locks, the checks a place must pass, and the
history each change leaves (with the event it queues for the clinic's webhooks).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from bot.core.clock import Clock
from bot.domain.events import appointment_data, emit
from bot.domain.scheduling.errors import (
    AppointmentNotFound,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    ProfessionalBusy,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
)
from models import (
    OPEN_STATUSES,
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Professional,
    ProfessionalService,
    Service,
    Slot,
    SlotHold,
)

_Row = TypeVar("_Row", bound=SQLModel)


class Guards:
    """Locks, checks and history for LocalScheduling's changes (needs `session` and `clock`)."""

    session: Session
    clock: Clock

    def _overlapping(
        self,
        clinic_id: int,
        professional_id: int,
        start: datetime,
        end: datetime,
        *,
        exclude_id: int | None = None,
        exclude_slot_id: int | None = None,
    ) -> list[Appointment]:
        query = (
            select(Appointment)
            .join(Slot, col(Slot.id) == col(Appointment.slot_id))
            .where(
                Appointment.clinic_id == clinic_id,
                Slot.professional_id == professional_id,
                col(Appointment.status).in_(OPEN_STATUSES),
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

    def _check_place(
        self, slot: Slot, service: Service, *, moving: Appointment | None = None
    ) -> None:
        """The locked slot can take this service now: not started, not full, offered, no clash."""
        if slot.start <= self.clock.now():
            raise SlotInPast(f"slot {slot.id} has started")
        taken = self._taken(slot.id)
        if moving is not None and moving.slot_id == slot.id:
            taken -= 1  # the appointment being changed keeps its own place
        if taken >= slot.capacity:
            raise SlotUnavailable(f"slot {slot.id} is full")
        self._check_offered(slot, service)
        # Two bookings into different slots of one professional are not serialised by the slot
        # lock; the professional's row is (PostgreSQL; SQLite serialises writers anyway).
        self.session.exec(
            select(Professional.id).where(Professional.id == slot.professional_id).with_for_update()
        ).first()
        end = slot.start + timedelta(minutes=service.duration_minutes)
        busy = self._overlapping(
            slot.clinic_id,
            slot.professional_id,
            slot.start,
            end,
            exclude_id=moving.id if moving is not None else None,
            exclude_slot_id=slot.id,
        )
        if busy:
            raise ProfessionalBusy(
                f"the professional has {len(busy)} appointment(s) at that time", conflicts=busy
            )

    def _check_offered(self, slot: Slot, service: Service) -> None:
        if not service.active:
            raise InvalidRequest(f"service {service.id} is not offered", field="service_id")
        offers = self.session.exec(
            select(ProfessionalService).where(
                ProfessionalService.professional_id == slot.professional_id,
                ProfessionalService.service_id == service.id,
            )
        ).first()
        if offers is None:
            raise InvalidRequest(
                f"the slot's professional does not offer service {service.id}", field="service_id"
            )
        if slot.service_id is not None and slot.service_id != service.id:
            raise InvalidRequest(f"slot {slot.id} is kept for another service", field="service_id")
        if slot.end - slot.start < timedelta(minutes=service.duration_minutes):
            raise InvalidRequest(
                f"service {service.id} takes {service.duration_minutes} minutes, "
                f"longer than slot {slot.id}",
                field="service_id",
            )

    # -- locks and history -------------------------------------------------------------------

    def _lock_slot(self, clinic_id: int, slot_id: int) -> Slot:
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

    def _taken(self, slot_id: int, *, excluding_hold: int | None = None) -> int:
        """Open appointments plus unexpired holds of the slot (call with the slot locked)."""
        now = self.clock.now()
        appointments = self.session.exec(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.slot_id == slot_id, col(Appointment.status).in_(OPEN_STATUSES))
        ).one()
        holds = (
            select(func.count())
            .select_from(SlotHold)
            .where(SlotHold.slot_id == slot_id, SlotHold.expires_at > now)
        )
        if excluding_hold is not None:
            holds = holds.where(SlotHold.id != excluding_hold)
        return appointments + self.session.exec(holds).one()

    def _lock_appointment(self, clinic_id: int, appointment_id: int) -> Appointment:
        appointment = self.session.exec(
            select(Appointment)
            .where(Appointment.id == appointment_id, Appointment.clinic_id == clinic_id)
            .with_for_update()
            # Use the locked row, not a copy the session already holds (e.g. an Appointment the
            # caller got from book()/upcoming(), kept across commits by expire_on_commit=False):
            # a stale status would let confirm/reschedule revive a cancelled appointment.
            .execution_options(populate_existing=True)
        ).first()
        if appointment is None:
            raise AppointmentNotFound(f"appointment {appointment_id} not found")
        return appointment

    def _open_appointment(
        self,
        clinic_id: int,
        appointment_id: int,
        to_status: AppointmentStatus | None = None,
    ) -> Appointment:
        appointment = self._lock_appointment(clinic_id, appointment_id)
        if appointment.status not in OPEN_STATUSES:
            raise InvalidTransition(
                f"appointment {appointment_id} is {appointment.status}",
                from_status=appointment.status,
                to_status=to_status,
            )
        return appointment

    def _owned(self, model: type[_Row], row_id: int, clinic_id: int, field: str) -> _Row:
        """A row of the clinic, or NotFound naming the request field that pointed at it."""
        row = self.session.get(model, row_id)
        if row is None or getattr(row, "clinic_id", None) != clinic_id:
            raise NotFound(f"{field.removesuffix('_id')} {row_id} not found", field=field)
        return row

    def _new_appointment(
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
        self._event(appointment, actor, None, "booked", kind="appointment.created", ref=actor_ref)
        return appointment

    def _event(
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
