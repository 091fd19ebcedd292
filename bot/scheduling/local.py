"""The embedded backend: the clinic's schedule lives in our own tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.scheduling.base import (
    AppointmentDetails,
    AppointmentNotFound,
    HoldView,
    InvalidTransition,
    NotFound,
    OpeningHours,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
    SlotView,
)
from models import (
    OPEN_STATUSES,
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
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


class LocalScheduling:
    """Scheduling on our own tables. Never commits: the caller owns the transaction."""

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

    # -- changes -----------------------------------------------------------------------------

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
    ) -> Appointment:
        """Turn a hold into a `scheduled` appointment, with its first AppointmentEvent."""
        slot = self._claim(clinic_id, hold_id)
        service = self.session.get(Service, service_id)
        if service is None or service.clinic_id != clinic_id:
            raise SlotUnavailable(f"service {service_id} not offered")
        now = self.clock.now()
        appointment = Appointment(
            clinic_id=clinic_id,
            slot_id=slot.id,
            client_id=client_id,
            service_id=service_id,
            insurance_id=insurance_id,
            start=slot.start,
            end=slot.start + timedelta(minutes=service.duration_minutes),
            created_at=now,
            updated_at=now,
        )
        self.session.add(appointment)
        self.session.flush()
        self._event(appointment, actor, None, "booked")
        return appointment

    def reschedule(
        self, *, clinic_id: int, appointment_id: int, hold_id: int, actor: Actor
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
        self._event(appointment, actor, previous, f"rescheduled from {old_start.isoformat()}")
        return appointment

    def cancel(
        self, *, clinic_id: int, appointment_id: int, reason: str, actor: Actor
    ) -> Appointment:
        """Cancel an open appointment, freeing its place."""
        appointment = self._open_appointment(clinic_id, appointment_id)
        previous = appointment.status
        appointment.status = AppointmentStatus.cancelled
        appointment.cancel_reason = reason
        appointment.updated_at = self.clock.now()
        self._event(appointment, actor, previous, reason)
        return appointment

    def confirm(self, *, clinic_id: int, appointment_id: int, actor: Actor) -> Appointment:
        """Mark a scheduled appointment as confirmed (confirming twice is harmless)."""
        appointment = self._open_appointment(clinic_id, appointment_id)
        if appointment.status == AppointmentStatus.confirmed:
            return appointment
        appointment.status = AppointmentStatus.confirmed
        appointment.updated_at = self.clock.now()
        self._event(appointment, actor, AppointmentStatus.scheduled, "confirmed")
        return appointment

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

    def _open_appointment(self, clinic_id: int, appointment_id: int) -> Appointment:
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
        if appointment.status not in OPEN_STATUSES:
            raise InvalidTransition(f"appointment {appointment_id} is {appointment.status}")
        return appointment

    def _event(
        self,
        appointment: Appointment,
        actor: Actor,
        from_status: AppointmentStatus | None,
        note: str,
    ) -> None:
        self.session.add(
            AppointmentEvent(
                appointment_id=appointment.id,
                at=self.clock.now(),
                actor=actor,
                from_status=from_status,
                to_status=appointment.status,
                note=note,
            )
        )
        self.session.flush()


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
