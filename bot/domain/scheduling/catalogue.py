"""What a clinic offers, as the bot asks for it: insurances, units, services, prices and opening
hours. Views only, never rows.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.domain.scheduling.errors import NotFound
from bot.domain.scheduling.values import InsuranceView, LocationView, OpeningHours, ServiceView
from models import (
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    ProfessionalService,
    Service,
    Slot,
    WorkingHours,
)


class Catalogue:
    """The clinic's catalogue on our own tables."""

    def __init__(self, *, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def insurances(self, *, clinic_id: int) -> list[InsuranceView]:
        """Active insurances of the clinic, "Particular" last."""
        query = (
            select(HealthInsurance)
            .where(HealthInsurance.clinic_id == clinic_id, col(HealthInsurance.active))
            .order_by(col(HealthInsurance.self_pay), col(HealthInsurance.name))
        )
        return [InsuranceView.of(row) for row in self.session.exec(query)]

    def locations(self, *, clinic_id: int, insurance_id: int | None) -> list[LocationView]:
        """Active units, only those that take the insurance when one is given."""
        query = select(Location).where(Location.clinic_id == clinic_id, col(Location.active))
        if insurance_id is not None and not self._is_self_pay(clinic_id, insurance_id):
            accepted = select(InsuranceLocation.location_id).where(
                InsuranceLocation.insurance_id == insurance_id
            )
            query = query.where(col(Location.id).in_(accepted))
        rows = self.session.exec(query.order_by(col(Location.id)))
        return [LocationView.of(row) for row in rows]

    def services(
        self, *, clinic_id: int, insurance_id: int | None, location_id: int
    ) -> list[ServiceView]:
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
        rows = self.session.exec(query.order_by(col(Service.id)))
        return [ServiceView.of(row) for row in rows]

    def location(self, *, clinic_id: int, location_id: int) -> LocationView:
        """One unit of the clinic."""
        location = self.session.get(Location, location_id)
        if location is None or location.clinic_id != clinic_id:
            raise NotFound(f"location {location_id} not found")
        return LocationView.of(location)

    def service(self, *, clinic_id: int, service_id: int) -> ServiceView:
        """One service of the clinic."""
        service = self.session.get(Service, service_id)
        if service is None or service.clinic_id != clinic_id:
            raise NotFound(f"service {service_id} not found")
        return ServiceView.of(service)

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


def _as_time(value: time | str) -> time:
    """min()/max() over a TIME column come back as text on SQLite."""
    return value if isinstance(value, time) else time.fromisoformat(value)
