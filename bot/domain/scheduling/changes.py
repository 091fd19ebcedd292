"""Changes to booked appointments: direct booking, moves, service and status changes, notes,
permanent deletion and the professional's conflict check (locks, checks, history: guards.py).

Every change returns the appointment as a view. Nothing here commits: the caller owns the
transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col

from bot.domain.scheduling.errors import InvalidRequest, InvalidTransition
from bot.domain.scheduling.guards import Guards
from bot.domain.scheduling.values import AppointmentView
from models import (
    Actor,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    HealthInsurance,
    Message,
    Professional,
    Reminder,
    Service,
)


class AppointmentChanges:
    """Every write to a booked appointment goes through here and leaves an AppointmentEvent."""

    def __init__(self, guards: Guards) -> None:
        self.guards = guards
        self.session = guards.session
        self.clock = guards.clock

    # -- booking without a hold --------------------------------------------------------------

    def book_slot(
        self,
        *,
        clinic_id: int,
        slot_id: int,
        client_id: int,
        service_id: int,
        insurance_id: int | None,
        actor: Actor,
        actor_ref: str | None = None,
        notes: str | None = None,
    ) -> AppointmentView:
        """Book a place in a slot directly (no hold): capacity, time and conflicts checked."""
        client = self.guards.owned(Client, client_id, clinic_id, "client_id")
        if client.erased_at is not None:
            raise InvalidRequest(f"client {client_id} was erased", field="client_id")
        service = self.guards.owned(Service, service_id, clinic_id, "service_id")
        if insurance_id is not None:
            self.guards.owned(HealthInsurance, insurance_id, clinic_id, "insurance_id")
        slot = self.guards.lock_slot(clinic_id, slot_id)
        self.guards.check_place(slot, service, client_id=client_id)
        appointment = self.guards.new_appointment(
            slot=slot,
            client_id=client_id,
            service=service,
            insurance_id=insurance_id,
            actor=actor,
            actor_ref=actor_ref,
            notes=notes,
        )
        return AppointmentView.of(appointment)

    # -- changes to an open appointment ------------------------------------------------------

    def change(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        actor: Actor,
        slot_id: int | None = None,
        service_id: int | None = None,
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Move an open appointment to another slot (time or professional) and/or service.

        A move frees the old place in the same transaction and asks for confirmation again.
        """
        appointment = self.guards.open_appointment(clinic_id, appointment_id)
        wanted = service_id if service_id is not None else appointment.service_id
        service = self.guards.owned(Service, wanted, clinic_id, "service_id")
        target = slot_id if slot_id is not None else appointment.slot_id
        moving = target != appointment.slot_id
        if not moving and service.id == appointment.service_id:
            return AppointmentView.of(appointment)
        slot = self.guards.lock_slot(clinic_id, target)
        self.guards.check_place(slot, service, moving=appointment)
        previous, old_start, old_service = (
            appointment.status,
            appointment.start,
            appointment.service_id,
        )
        appointment.slot_id = slot.id
        appointment.service_id = service.id
        appointment.start = slot.start
        appointment.end = slot.start + timedelta(minutes=service.duration_minutes)
        if moving:
            appointment.status = AppointmentStatus.scheduled
        appointment.updated_at = self.clock.now()
        notes = [f"rescheduled from {old_start.isoformat()}"] if moving else []
        if service.id != old_service:
            notes.append(f"service changed from {old_service} to {service.id}")
        kind = "appointment.rescheduled" if moving else None
        self.guards.record(appointment, actor, previous, "; ".join(notes), kind=kind, ref=actor_ref)
        return AppointmentView.of(appointment)

    def annotate(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        notes: str | None,
        actor: Actor,
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Replace the appointment's notes (any status: a note after the visit is normal)."""
        appointment = self.guards.lock_appointment(clinic_id, appointment_id)
        if appointment.notes == notes:
            return AppointmentView.of(appointment)
        appointment.notes = notes
        appointment.updated_at = self.clock.now()
        self.guards.record(
            appointment, actor, appointment.status, "notes changed", kind=None, ref=actor_ref
        )
        return AppointmentView.of(appointment)

    def cancel(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        reason: str | None,
        actor: Actor,
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Cancel an open appointment, freeing its place."""
        cancelled = AppointmentStatus.cancelled
        appointment = self.guards.open_appointment(clinic_id, appointment_id, to_status=cancelled)
        previous = appointment.status
        appointment.status = cancelled
        appointment.cancel_reason = reason or None
        appointment.updated_at = self.clock.now()
        kind = "appointment.cancelled"
        self.guards.record(appointment, actor, previous, reason or "", kind=kind, ref=actor_ref)
        return AppointmentView.of(appointment)

    def confirm(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        actor: Actor,
        actor_ref: str | None = None,
        note: str | None = None,
    ) -> AppointmentView:
        """Mark a scheduled appointment as confirmed (confirming twice is harmless)."""
        confirmed = AppointmentStatus.confirmed
        appointment = self.guards.open_appointment(clinic_id, appointment_id, to_status=confirmed)
        if appointment.status == confirmed:
            return AppointmentView.of(appointment)
        appointment.status = confirmed
        appointment.updated_at = self.clock.now()
        scheduled = AppointmentStatus.scheduled
        kind = "appointment.confirmed"
        self.guards.record(
            appointment, actor, scheduled, note or "confirmed", kind=kind, ref=actor_ref
        )
        return AppointmentView.of(appointment)

    def complete(
        self, *, clinic_id: int, appointment_id: int, actor: Actor, actor_ref: str | None = None
    ) -> AppointmentView:
        """Mark an open appointment that has started as completed."""
        return self._close(
            clinic_id, appointment_id, AppointmentStatus.completed, actor=actor, ref=actor_ref
        )

    def no_show(
        self, *, clinic_id: int, appointment_id: int, actor: Actor, actor_ref: str | None = None
    ) -> AppointmentView:
        """Mark an open appointment that has started as a no-show."""
        return self._close(
            clinic_id, appointment_id, AppointmentStatus.no_show, actor=actor, ref=actor_ref
        )

    def _close(
        self,
        clinic_id: int,
        appointment_id: int,
        status: AppointmentStatus,
        *,
        actor: Actor,
        ref: str | None,
    ) -> AppointmentView:
        appointment = self.guards.open_appointment(clinic_id, appointment_id, to_status=status)
        previous = appointment.status
        # Nobody can have come (or failed to come) to a visit that has not begun.
        if appointment.start > self.clock.now():
            raise InvalidTransition(
                f"appointment {appointment_id} has not started yet",
                from_status=previous,
                to_status=status,
            )
        appointment.status = status
        appointment.updated_at = self.clock.now()
        self.guards.record(
            appointment, actor, previous, str(status), kind=f"appointment.{status}", ref=ref
        )
        return AppointmentView.of(appointment)

    def delete(self, *, clinic_id: int, appointment_id: int) -> None:
        """Remove the appointment for good, with its history and reminders.

        Messages about it stay (they are the conversation's record) but no longer point to it.
        """
        appointment = self.guards.lock_appointment(clinic_id, appointment_id)
        self.session.exec(
            update(Message)
            .where(col(Message.appointment_id) == appointment.id)
            .values(appointment_id=None)
        )
        self.session.exec(delete(Reminder).where(col(Reminder.appointment_id) == appointment.id))
        self.session.exec(
            delete(AppointmentEvent).where(col(AppointmentEvent.appointment_id) == appointment.id)
        )
        self.session.delete(appointment)
        self.session.flush()

    # -- the professional's time -------------------------------------------------------------

    def conflicts(
        self,
        *,
        clinic_id: int,
        professional_id: int,
        start: datetime,
        duration_minutes: int,
        exclude_id: int | None = None,
    ) -> list[AppointmentView]:
        """Open appointments of the professional overlapping `start` + `duration_minutes`."""
        self.guards.owned(Professional, professional_id, clinic_id, "professional_id")
        end = start + timedelta(minutes=duration_minutes)
        found = self.guards.overlapping(
            clinic_id, professional_id, start, end, exclude_id=exclude_id
        )
        return [AppointmentView.of(appointment) for appointment in found]
