"""The schedule as the bot and the patient pages read it: free slots for a service, one slot,
an appointment with its names, a patient's upcoming appointments. Views only, never rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.domain.scheduling import availability, occupancy
from bot.domain.scheduling.errors import AppointmentNotFound, SlotNotFound
from bot.domain.scheduling.values import AppointmentDetails, AppointmentView, SlotView
from models import Appointment, Location, Professional, Service, Slot


class ScheduleReads:
    """Slots with their free places, and appointments, for the local backend."""

    def __init__(self, *, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def free_slots(
        self,
        *,
        clinic_id: int,
        location_id: int,
        service_id: int,
        start: datetime,
        end: datetime | None = None,
        limit: int = 6,
        offset: int = 0,
    ) -> list[SlotView]:
        """Slots open to the service (availability's rule) from `start` up to `end`."""
        now = self.clock.now()
        query = (
            select(Slot, Professional.name, occupancy.available(now))
            .join(Professional, col(Professional.id) == col(Slot.professional_id))
            .where(
                Slot.clinic_id == clinic_id,
                Slot.location_id == location_id,
                Slot.start > start,
                availability.open_to(service_id, now),
            )
            .order_by(col(Slot.start), col(Slot.professional_id))
        )
        if end is not None:
            query = query.where(Slot.start < end)
        rows = self.session.exec(query.offset(offset).limit(limit))
        return [_view(*row) for row in rows]

    def slot(self, *, clinic_id: int, slot_id: int) -> SlotView:
        """One slot with the places a new booking may take now."""
        query = (
            select(Slot, Professional.name, occupancy.available(self.clock.now()))
            .join(Professional, col(Professional.id) == col(Slot.professional_id))
            .where(Slot.id == slot_id, Slot.clinic_id == clinic_id)
        )
        row = self.session.exec(query).first()
        if row is None:
            raise SlotNotFound(f"slot {slot_id} not found")
        return _view(*row)

    def details(self, *, clinic_id: int, appointment_id: int) -> AppointmentDetails:
        """An appointment with service, professional and unit names."""
        query = (
            select(Appointment, Service.name, Professional.name, Location)
            .join(Service, col(Service.id) == col(Appointment.service_id))
            .join(Slot, col(Slot.id) == col(Appointment.slot_id))
            .join(Professional, col(Professional.id) == col(Slot.professional_id))
            .join(Location, col(Location.id) == col(Slot.location_id))
            .where(Appointment.id == appointment_id, Appointment.clinic_id == clinic_id)
        )
        row = self.session.exec(query).first()
        if row is None:
            raise AppointmentNotFound(f"appointment {appointment_id} not found")
        appointment, service, professional, location = row
        return AppointmentDetails(
            id=appointment.id,
            status=appointment.status,
            start=appointment.start,
            end=appointment.end,
            client_id=appointment.client_id,
            slot_id=appointment.slot_id,
            service_id=appointment.service_id,
            location_id=location.id,
            insurance_id=appointment.insurance_id,
            service=service,
            professional=professional,
            location=location.name,
            address=location.address,
            timezone=location.timezone,
        )

    def upcoming(self, *, clinic_id: int, client_id: int, limit: int = 10) -> list[AppointmentView]:
        """The client's open appointments from now on, soonest first."""
        query = (
            select(Appointment)
            .where(
                Appointment.clinic_id == clinic_id,
                Appointment.client_id == client_id,
                col(Appointment.status).in_(occupancy.OCCUPYING),
                Appointment.start > self.clock.now(),
            )
            .order_by(col(Appointment.start))
            .limit(limit)
        )
        return [AppointmentView.of(row) for row in self.session.exec(query)]


def _view(slot: Slot, professional_name: str, available: int) -> SlotView:
    return SlotView(
        id=slot.id,
        start=slot.start,
        end=slot.end,
        location_id=slot.location_id,
        professional_id=slot.professional_id,
        professional_name=professional_name,
        capacity=slot.capacity,
        available=int(available),
    )
