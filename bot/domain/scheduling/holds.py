"""Holds: a place kept for a conversation while the patient answers "Confirma?", and the booking
and rescheduling that turn a hold into an appointment (the WhatsApp bot's way in).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.domain.scheduling.base import HoldView, SlotInPast, SlotUnavailable, SlotView
from bot.domain.scheduling.changes import AppointmentChanges
from models import Actor, Appointment, AppointmentStatus, Service, Slot, SlotHold


class HoldBooking(AppointmentChanges):
    """Holds and hold-based booking, mixed into LocalScheduling."""

    def slot(self, *, clinic_id: int, slot_id: int) -> SlotView:
        """One slot with its current availability (LocalScheduling's availability query)."""
        raise NotImplementedError

    def hold(self, *, clinic_id: int, slot_id: int, conversation_id: int, minutes: int) -> HoldView:
        """Reserve one place for a conversation for a few minutes (releasing its other holds)."""
        self.release_holds(conversation_id=conversation_id)
        slot = self._lock_slot(clinic_id, slot_id)
        now = self.clock.now()
        if slot.start <= now:
            raise SlotInPast(f"slot {slot_id} has started")
        if self._taken(slot_id) >= slot.capacity:
            raise SlotUnavailable(f"slot {slot_id} is full")
        hold = SlotHold(
            slot_id=slot_id,
            conversation_id=conversation_id,
            expires_at=now + timedelta(minutes=minutes),
        )
        self.session.add(hold)
        self.session.flush()
        return HoldView(
            id=hold.id,
            slot=self.slot(clinic_id=clinic_id, slot_id=slot_id),
            expires_at=hold.expires_at,
        )

    def release_holds(self, *, conversation_id: int) -> None:
        """Drop every hold of the conversation."""
        self.session.exec(delete(SlotHold).where(SlotHold.conversation_id == conversation_id))

    def _claim(self, clinic_id: int, hold_id: int) -> Slot:
        """Lock the held slot and make sure the hold's place is still there; consume the hold."""
        hold = self.session.get(SlotHold, hold_id)
        if hold is None:
            raise SlotUnavailable(f"hold {hold_id} is gone")
        slot = self._lock_slot(clinic_id, hold.slot_id)
        now = self.clock.now()
        if slot.start <= now:
            raise SlotInPast(f"slot {slot.id} has started")
        # An expired hold may still book when nobody took the place in the meantime.
        if self._taken(slot.id, excluding_hold=hold.id) >= slot.capacity:
            self.session.delete(hold)
            raise SlotUnavailable(f"slot {slot.id} was taken")
        self.session.delete(hold)
        return slot

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
    ) -> Appointment:
        """Turn a hold into a `scheduled` appointment, with its first AppointmentEvent."""
        slot = self._claim(clinic_id, hold_id)
        service = self.session.get(Service, service_id)
        if service is None or service.clinic_id != clinic_id:
            raise SlotUnavailable(f"service {service_id} not offered")
        return self._new_appointment(
            slot=slot,
            client_id=client_id,
            service=service,
            insurance_id=insurance_id,
            actor=actor,
            actor_ref=actor_ref,
        )

    def reschedule(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        hold_id: int,
        actor: Actor,
        actor_ref: str | None = None,
    ) -> Appointment:
        """Move an open appointment to the held slot, freeing its old place in one transaction."""
        appointment = self._open_appointment(clinic_id, appointment_id)
        slot = self._claim(clinic_id, hold_id)
        old_start, previous = appointment.start, appointment.status
        duration = appointment.end - appointment.start
        appointment.slot_id = slot.id
        appointment.start = slot.start
        appointment.end = slot.start + duration
        appointment.status = AppointmentStatus.scheduled
        appointment.updated_at = self.clock.now()
        note = f"rescheduled from {old_start.isoformat()}"
        kind = "appointment.rescheduled"
        self._event(appointment, actor, previous, note, kind=kind, ref=actor_ref)
        return appointment
