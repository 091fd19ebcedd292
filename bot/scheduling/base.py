"""The scheduling interface every backend implements (local tables today, remote systems later)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol

from models import Actor, Appointment, HealthInsurance, Location, Service


class SchedulingError(Exception):
    """A scheduling request that cannot be met; `code` is stable and shared with the REST API."""

    code = "CONFLICT"


class NotFound(SchedulingError):
    code = "RESOURCE_NOT_FOUND"


class SlotNotFound(SchedulingError):
    code = "SLOT_NOT_FOUND"


class SlotUnavailable(SchedulingError):
    code = "SLOT_UNAVAILABLE"


class SlotInPast(SchedulingError):
    code = "SLOT_IN_PAST"


class AppointmentNotFound(NotFound):
    code = "RESOURCE_NOT_FOUND"


class InvalidTransition(SchedulingError):
    code = "CONFLICT"


@dataclass(frozen=True, slots=True)
class SlotView:
    """A free (or partly free) slot as offered to a patient."""

    id: int
    start: datetime
    end: datetime
    location_id: int
    professional_id: int
    professional_name: str
    capacity: int
    available: int


@dataclass(frozen=True, slots=True)
class AppointmentDetails:
    """An appointment with the names a patient or a report needs."""

    id: int
    status: str
    start: datetime
    end: datetime
    client_id: int
    slot_id: int
    service_id: int
    location_id: int
    insurance_id: int | None
    service: str
    professional: str
    location: str
    address: str
    timezone: str


@dataclass(frozen=True, slots=True)
class OpeningHours:
    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class HoldView:
    id: int
    slot: SlotView
    expires_at: datetime


class Scheduling(Protocol):
    """What flows, the REST API and the console may ask of a clinic's schedule."""

    def insurances(self, *, clinic_id: int) -> list[HealthInsurance]:
        """Active insurances of the clinic, "Particular" last."""
        ...

    def locations(self, *, clinic_id: int, insurance_id: int | None) -> list[Location]:
        """Active units, only those that take the insurance when one is given."""
        ...

    def services(
        self, *, clinic_id: int, insurance_id: int | None, location_id: int
    ) -> list[Service]:
        """Services offered at the unit (and covered by the insurance when one is given)."""
        ...

    def location(self, *, clinic_id: int, location_id: int) -> Location:
        """One unit of the clinic."""
        ...

    def service(self, *, clinic_id: int, service_id: int) -> Service:
        """One service of the clinic."""
        ...

    def details(self, *, clinic_id: int, appointment_id: int) -> AppointmentDetails:
        """An appointment with service, professional and unit names."""
        ...

    def price(self, *, clinic_id: int, service_id: int, insurance_id: int | None) -> int | None:
        """What the patient pays for the service, in cents; None when the insurance covers it."""
        ...

    def opening_hours(self, *, clinic_id: int, location_id: int) -> list[OpeningHours]:
        """When a unit sees patients, per weekday (0 = Monday), earliest start to latest end."""
        ...

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
        """Slots with room for the service from `start` (not before now) up to `end`."""
        ...

    def slot(self, *, clinic_id: int, slot_id: int) -> SlotView:
        """One slot with its current availability."""
        ...

    def hold(self, *, clinic_id: int, slot_id: int, conversation_id: int, minutes: int) -> HoldView:
        """Reserve one place for a conversation for a few minutes (releasing its other holds)."""
        ...

    def release_holds(self, *, conversation_id: int) -> None:
        """Drop every hold of the conversation."""
        ...

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
        """Turn a hold into a `scheduled` appointment."""
        ...

    def reschedule(
        self, *, clinic_id: int, appointment_id: int, hold_id: int, actor: Actor
    ) -> Appointment:
        """Move an open appointment to the held slot, freeing its old place in one transaction."""
        ...

    def cancel(
        self, *, clinic_id: int, appointment_id: int, reason: str, actor: Actor
    ) -> Appointment:
        """Cancel an open appointment, freeing its place."""
        ...

    def confirm(self, *, clinic_id: int, appointment_id: int, actor: Actor) -> Appointment:
        """Mark a scheduled appointment as confirmed (confirming twice is harmless)."""
        ...

    def upcoming(self, *, clinic_id: int, client_id: int, limit: int = 10) -> list[Appointment]:
        """The client's open appointments from now on, soonest first."""
        ...
