"""The scheduling interface every backend implements (local tables today, remote systems later).

It speaks in frozen values (values.py), never in table rows: a backend that books in a
clinic's own system answers with the same values. Its errors (errors.py) carry stable codes and know
nothing of HTTP.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.scheduling.errors import (
    AlreadyBooked,
    AppointmentNotFound,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    ProfessionalBusy,
    SchedulingError,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
)
from bot.domain.scheduling.values import (
    AppointmentDetails,
    AppointmentView,
    HoldView,
    InsuranceView,
    LocationView,
    OpeningHours,
    ServiceView,
    SlotView,
)
from models import Actor

# The errors and views are part of the interface: import them from here or from
# bot.domain.scheduling.
__all__ = [
    "AlreadyBooked",
    "AppointmentDetails",
    "AppointmentNotFound",
    "AppointmentView",
    "HoldView",
    "InsuranceView",
    "InvalidRequest",
    "InvalidTransition",
    "LocationView",
    "NotFound",
    "OpeningHours",
    "ProfessionalBusy",
    "Scheduling",
    "SchedulingError",
    "ServiceView",
    "SlotInPast",
    "SlotNotFound",
    "SlotUnavailable",
    "SlotView",
]


class Scheduling(Protocol):
    """What flows, the REST API and the console may ask of a clinic's schedule."""

    def insurances(self, *, clinic_id: int) -> list[InsuranceView]:
        """Active insurances of the clinic, "Particular" last."""
        ...

    def locations(self, *, clinic_id: int, insurance_id: int | None) -> list[LocationView]:
        """Active units, only those that take the insurance when one is given."""
        ...

    def services(
        self, *, clinic_id: int, insurance_id: int | None, location_id: int
    ) -> list[ServiceView]:
        """Services offered at the unit (and covered by the insurance when one is given)."""
        ...

    def location(self, *, clinic_id: int, location_id: int) -> LocationView:
        """One unit of the clinic."""
        ...

    def service(self, *, clinic_id: int, service_id: int) -> ServiceView:
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
        """Slots open to the service from `start` (not before now) up to `end`: not started,
        with a free place, offered by the slot's professional and long enough for it."""
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
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Turn a hold into a `scheduled` appointment; the place is checked as `book_slot` does."""
        ...

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
        ...

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
        ...

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
        """Move an open appointment to another slot (time or professional) and/or service."""
        ...

    def annotate(
        self,
        *,
        clinic_id: int,
        appointment_id: int,
        notes: str | None,
        actor: Actor,
        actor_ref: str | None = None,
    ) -> AppointmentView:
        """Replace the appointment's notes (any status)."""
        ...

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
        ...

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
        ...

    def complete(
        self, *, clinic_id: int, appointment_id: int, actor: Actor, actor_ref: str | None = None
    ) -> AppointmentView:
        """Mark an open appointment that has started as completed."""
        ...

    def no_show(
        self, *, clinic_id: int, appointment_id: int, actor: Actor, actor_ref: str | None = None
    ) -> AppointmentView:
        """Mark an open appointment that has started as a no-show."""
        ...

    def delete(self, *, clinic_id: int, appointment_id: int) -> None:
        """Remove the appointment for good, with its history and reminders."""
        ...

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
        ...

    def upcoming(self, *, clinic_id: int, client_id: int, limit: int = 10) -> list[AppointmentView]:
        """The client's open appointments from now on, soonest first."""
        ...
