"""Holds: a place kept for a conversation while the patient answers "Confirma?", and the booking
and rescheduling that turn a hold into an appointment (the WhatsApp bot's way in).

A hold checks time and room only: it does not know the service. The booking that consumes it
runs every check the API's direct booking runs (guards.check_place: time, room with the hold's
own place left out, the service offered and fitting, the professional free), so the bot does not
rely on `free_slots` having offered a suitable slot. Nothing here commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.domain.scheduling.errors import SlotUnavailable
from bot.domain.scheduling.guards import Guards
from bot.domain.scheduling.reads import ScheduleReads
from bot.domain.scheduling.values import AppointmentView, HoldView
from models import Actor, Appointment, AppointmentStatus, Service, Slot, SlotHold


class Holds:
    """Holds and hold-based booking."""

    def __init__(self, guards: Guards, reads: ScheduleReads) -> None:
        self.guards = guards
        self.reads = reads
        self.session = guards.session
        self.clock = guards.clock

    def hold(self, *, clinic_id: int, slot_id: int, conversation_id: int, minutes: int) -> HoldView:
        """Reserve one place for a conversation for a few minutes (releasing its other holds)."""
        self.release_holds(conversation_id=conversation_id)
        slot = self.guards.lock_slot(clinic_id, slot_id)
        self.guards.check_place(slot, None)
        hold = SlotHold(
            slot_id=slot_id,
            conversation_id=conversation_id,
            expires_at=self.clock.now() + timedelta(minutes=minutes),
        )
        self.session.add(hold)
        self.session.flush()
        return HoldView(
            id=hold.id,
            slot=self.reads.slot(clinic_id=clinic_id, slot_id=slot_id),
            expires_at=hold.expires_at,
        )

    def release_holds(self, *, conversation_id: int) -> None:
        """Drop every hold of the conversation."""
        self.session.exec(delete(SlotHold).where(SlotHold.conversation_id == conversation_id))

    def _claim(self, clinic_id: int, hold_id: int) -> tuple[Slot, SlotHold]:
        """The held slot, locked; the hold must still exist."""
        hold = self.session.get(SlotHold, hold_id)
        if hold is None:
            raise SlotUnavailable(f"hold {hold_id} is gone")
        return self.guards.lock_slot(clinic_id, hold.slot_id), hold

    def _consume(
        self,
        slot: Slot,
        hold: SlotHold,
        service: Service,
        moving: Appointment | None = None,
        client_id: int | None = None,
    ) -> None:
        """Check the held place for the booking, and use the hold up (booked, or refused)."""
        try:
            # The hold's own place is the booking's; an expired hold may still book when nobody
            # took the place in the meantime.
            self.guards.check_place(
                slot, service, hold_id=hold.id, moving=moving, client_id=client_id
            )
        finally:
            self.session.delete(hold)

    def book(
        self,
        *,
        clinic_id: int,
        hold_id: int,
        client_id: int,
        service_id: int,
        insurance_id: int | None,
        actor: Actor,
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Turn a hold into a `scheduled` appointment, with its first AppointmentEvent."""
        slot, hold = self._claim(clinic_id, hold_id)
        service = self.session.get(Service, service_id)
        if service is None or service.clinic_id != clinic_id:
            raise SlotUnavailable(f"service {service_id} not offered")
        self._consume(slot, hold, service, client_id=client_id)
        appointment = self.guards.new_appointment(
            slot=slot,
            client_id=client_id,
            service=service,
            insurance_id=insurance_id,
            actor=actor,
            actor_ref=actor_ref,
        )
        return AppointmentView.of(appointment)

    def reschedule(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        hold_id: int,
        actor: Actor,
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Move an open appointment to the held slot, freeing its old place in one transaction."""
        appointment = self.guards.open_appointment(clinic_id, appointment_id)
        slot, hold = self._claim(clinic_id, hold_id)
        service = self.session.get(Service, appointment.service_id)
        self._consume(slot, hold, service, appointment)
        old_start, previous = appointment.start, appointment.status
        duration = appointment.end - appointment.start
        appointment.slot_id = slot.id
        appointment.start = slot.start
        appointment.end = slot.start + duration
        appointment.status = AppointmentStatus.scheduled
        appointment.updated_at = self.clock.now()
        note = f"rescheduled from {old_start.isoformat()}"
        kind = "appointment.rescheduled"
        self.guards.record(appointment, actor, previous, note, kind=kind, ref=actor_ref)
        return AppointmentView.of(appointment)
