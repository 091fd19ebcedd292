"""The embedded backend: the clinic's schedule lives in our own tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.domain.scheduling.base import (
    AppointmentDetails,
    AppointmentNotFound,
    NotFound,
    OpeningHours,
    SlotNotFound,
    SlotView,
)
from bot.domain.scheduling.holds import HoldBooking
from models import (
    OPEN_STATUSES,
    Appointment,
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    ProfessionalService,
    Service,
    Slot,
    SlotHold,
    WorkingHours,
)


class LocalScheduling(HoldBooking):
    """Scheduling on our own tables. Never commits: the caller owns the transaction.

    Holds and hold-based booking are in holds.py; changes to booked appointments in changes.py;
    the locks and history they share in guards.py.
    """

    def __init__(self, *, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    # -- catalogue ---------------------------------------------------------------------------

    def insurances(self, *, clinic_id: int) -> list[HealthInsurance]:
        """Active insurances of the clinic, "Particular" last."""
        query = (
            select(HealthInsurance)
            .where(HealthInsurance.clinic_id == clinic_id, col(HealthInsurance.active))
            .order_by(col(HealthInsurance.self_pay), col(HealthInsurance.name))
        )
        return list(self.session.exec(query))

    def locations(self, *, clinic_id: int, insurance_id: int | None) -> list[Location]:
        """Active units, only those that take the insurance when one is given."""
        query = select(Location).where(Location.clinic_id == clinic_id, col(Location.active))
        if insurance_id is not None and not self._is_self_pay(clinic_id, insurance_id):
            accepted = select(InsuranceLocation.location_id).where(
                InsuranceLocation.insurance_id == insurance_id
            )
            query = query.where(col(Location.id).in_(accepted))
        return list(self.session.exec(query.order_by(col(Location.id))))

    def services(
        self, *, clinic_id: int, insurance_id: int | None, location_id: int
    ) -> list[Service]:
        """Services some professional offers at the unit (and the insurance covers)."""
        offered_here = (
            select(ProfessionalService.service_id)
            .join(Slot, col(Slot.professional_id) == col(ProfessionalService.professional_id))
            .where(Slot.location_id == location_id, Slot.start > self.clock.now())
        )
        query = select(Service).where(
            Service.clinic_id == clinic_id, col(Service.active), col(Service.id).in_(offered_here)
        )
        if insurance_id is not None and not self._is_self_pay(clinic_id, insurance_id):
            covered = select(InsuranceService.service_id).where(
                InsuranceService.insurance_id == insurance_id
            )
            query = query.where(col(Service.id).in_(covered))
        return list(self.session.exec(query.order_by(col(Service.id))))

    def location(self, *, clinic_id: int, location_id: int) -> Location:
        """One unit of the clinic."""
        location = self.session.get(Location, location_id)
        if location is None or location.clinic_id != clinic_id:
            raise NotFound(f"location {location_id} not found")
        return location

    def service(self, *, clinic_id: int, service_id: int) -> Service:
        """One service of the clinic."""
        service = self.session.get(Service, service_id)
        if service is None or service.clinic_id != clinic_id:
            raise NotFound(f"service {service_id} not found")
        return service

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

    def price(self, *, clinic_id: int, service_id: int, insurance_id: int | None) -> int | None:
        """What the patient pays for the service, in cents; None when the insurance covers it."""
        service = self.service(clinic_id=clinic_id, service_id=service_id)
        if insurance_id is None or self._is_self_pay(clinic_id, insurance_id):
            return service.price_cents
        covered = self.session.exec(
            select(InsuranceService).where(
                InsuranceService.insurance_id == insurance_id,
                InsuranceService.service_id == service_id,
            )
        ).first()
        return None if covered else service.price_cents

    def opening_hours(self, *, clinic_id: int, location_id: int) -> list[OpeningHours]:
        """When a unit sees patients, per weekday (0 = Monday), earliest start to latest end."""
        self.location(clinic_id=clinic_id, location_id=location_id)
        rows = self.session.exec(
            select(WorkingHours.weekday, func.min(WorkingHours.start), func.max(WorkingHours.end))
            .join(Professional, col(Professional.id) == col(WorkingHours.professional_id))
            .where(WorkingHours.location_id == location_id, col(Professional.active))
            .group_by(WorkingHours.weekday)
            .order_by(WorkingHours.weekday)
        ).all()
        return [
            OpeningHours(weekday, _as_time(opens), _as_time(closes))
            for weekday, opens, closes in rows
        ]

    def _is_self_pay(self, clinic_id: int, insurance_id: int) -> bool:
        insurance = self.session.get(HealthInsurance, insurance_id)
        return bool(insurance and insurance.clinic_id == clinic_id and insurance.self_pay)

    # -- availability ------------------------------------------------------------------------

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
        """Slots with room for the service from `start` (never before now) up to `end`."""
        now = self.clock.now()
        service = self.session.get(Service, service_id)
        if service is None or service.clinic_id != clinic_id:
            return []
        taken = self._taken_expression(now)
        offers = select(ProfessionalService.professional_id).where(
            ProfessionalService.service_id == service_id
        )
        query = (
            select(Slot, Professional.name, taken)
            .join(Professional, col(Professional.id) == col(Slot.professional_id))
            .where(
                Slot.clinic_id == clinic_id,
                Slot.location_id == location_id,
                col(Slot.professional_id).in_(offers),
                or_(col(Slot.service_id).is_(None), Slot.service_id == service_id),
                Slot.start > max(start, now),
                taken < Slot.capacity,
            )
            .order_by(col(Slot.start), col(Slot.professional_id))
        )
        if end is not None:
            query = query.where(Slot.start < end)
        rows = self.session.exec(query.offset(offset).limit(limit))
        # Setup gives a professional slots as long as their longest service; a slot that is
        # still too short (hours changed later) is left out rather than offered and refused.
        duration = timedelta(minutes=service.duration_minutes)
        return [
            _view(slot, name, count)
            for slot, name, count in rows
            if slot.end - slot.start >= duration
        ]

    def _taken_expression(self, now: datetime):
        """Open appointments plus unexpired holds of a slot, as a correlated scalar subquery."""
        appointments = (
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.slot_id == Slot.id, col(Appointment.status).in_(OPEN_STATUSES))
            .scalar_subquery()
        )
        holds = (
            select(func.count())
            .select_from(SlotHold)
            .where(SlotHold.slot_id == Slot.id, SlotHold.expires_at > now)
            .scalar_subquery()
        )
        return appointments + holds

    def slot(self, *, clinic_id: int, slot_id: int) -> SlotView:
        """One slot with its current availability."""
        query = (
            select(Slot, Professional.name, self._taken_expression(self.clock.now()))
            .join(Professional, col(Professional.id) == col(Slot.professional_id))
            .where(Slot.id == slot_id, Slot.clinic_id == clinic_id)
        )
        row = self.session.exec(query).first()
        if row is None:
            raise SlotNotFound(f"slot {slot_id} not found")
        return _view(*row)

    def upcoming(self, *, clinic_id: int, client_id: int, limit: int = 10) -> list[Appointment]:
        """The client's open appointments from now on, soonest first."""
        query = (
            select(Appointment)
            .where(
                Appointment.clinic_id == clinic_id,
                Appointment.client_id == client_id,
                col(Appointment.status).in_(OPEN_STATUSES),
                Appointment.start > self.clock.now(),
            )
            .order_by(col(Appointment.start))
            .limit(limit)
        )
        return list(self.session.exec(query))


def _as_time(value: time | str) -> time:
    """min()/max() over a TIME column come back as text on SQLite."""
    return value if isinstance(value, time) else time.fromisoformat(value)


def _view(slot: Slot, professional_name: str, taken: int) -> SlotView:
    return SlotView(
        id=slot.id,
        start=slot.start,
        end=slot.end,
        location_id=slot.location_id,
        professional_id=slot.professional_id,
        professional_name=professional_name,
        capacity=slot.capacity,
        available=max(slot.capacity - taken, 0),
    )
