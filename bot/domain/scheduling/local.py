"""The embedded backend: the clinic's schedule lives in our own tables.

LocalScheduling answers the Scheduling interface by handing each request to one of four small
collaborators that share the session and the clock:

    catalogue.Catalogue          insurances, units, services, prices, opening hours
    reads.ScheduleReads          free slots, one slot, appointment details, upcoming appointments
    holds.Holds                  holds, and booking or rescheduling through a hold (the bot)
    changes.AppointmentChanges   direct booking, moves, status changes, notes, deletion (the API)

The last two write through guards.Guards (locks, the place checks, the history). Nothing here
commits: the caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.clock import Clock
from bot.domain.scheduling.catalogue import Catalogue
from bot.domain.scheduling.changes import AppointmentChanges
from bot.domain.scheduling.guards import Guards
from bot.domain.scheduling.holds import Holds
from bot.domain.scheduling.reads import ScheduleReads
from bot.domain.scheduling.views import (
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


class LocalScheduling:
    """Scheduling on our own tables, built from its collaborators."""

    def __init__(self, *, session: Session, clock: Clock) -> None:
        guards = Guards(session=session, clock=clock)
        self._catalogue = Catalogue(session=session, clock=clock)
        self._reads = ScheduleReads(session=session, clock=clock)
        self._holds = Holds(guards, self._reads)
        self._changes = AppointmentChanges(guards)

    # -- catalogue ---------------------------------------------------------------------------

    def insurances(self, *, clinic_id: int) -> list[InsuranceView]:
        """Active insurances of the clinic, "Particular" last."""
        return self._catalogue.insurances(clinic_id=clinic_id)

    def locations(self, *, clinic_id: int, insurance_id: int | None) -> list[LocationView]:
        """Active units, only those that take the insurance when one is given."""
        return self._catalogue.locations(clinic_id=clinic_id, insurance_id=insurance_id)

    def services(
        self, *, clinic_id: int, insurance_id: int | None, location_id: int
    ) -> list[ServiceView]:
        """Services some professional offers at the unit (and the insurance covers)."""
        return self._catalogue.services(
            clinic_id=clinic_id, insurance_id=insurance_id, location_id=location_id
        )

    def location(self, *, clinic_id: int, location_id: int) -> LocationView:
        """One unit of the clinic."""
        return self._catalogue.location(clinic_id=clinic_id, location_id=location_id)

    def service(self, *, clinic_id: int, service_id: int) -> ServiceView:
        """One service of the clinic."""
        return self._catalogue.service(clinic_id=clinic_id, service_id=service_id)

    def price(self, *, clinic_id: int, service_id: int, insurance_id: int | None) -> int | None:
        """What the patient pays for the service, in cents; None when the insurance covers it."""
        return self._catalogue.price(
            clinic_id=clinic_id, service_id=service_id, insurance_id=insurance_id
        )

    def opening_hours(self, *, clinic_id: int, location_id: int) -> list[OpeningHours]:
        """When a unit sees patients, per weekday (0 = Monday), earliest start to latest end."""
        return self._catalogue.opening_hours(clinic_id=clinic_id, location_id=location_id)

    # -- reads -------------------------------------------------------------------------------

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
        """Slots open to the service from `start` (never before now) up to `end`."""
        return self._reads.free_slots(
            clinic_id=clinic_id,
            location_id=location_id,
            service_id=service_id,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        )

    def slot(self, *, clinic_id: int, slot_id: int) -> SlotView:
        """One slot with the places a new booking may take now."""
        return self._reads.slot(clinic_id=clinic_id, slot_id=slot_id)

    def details(self, *, clinic_id: int, appointment_id: int) -> AppointmentDetails:
        """An appointment with service, professional and unit names."""
        return self._reads.details(clinic_id=clinic_id, appointment_id=appointment_id)

    def upcoming(self, *, clinic_id: int, client_id: int, limit: int = 10) -> list[AppointmentView]:
        """The client's open appointments from now on, soonest first."""
        return self._reads.upcoming(clinic_id=clinic_id, client_id=client_id, limit=limit)

    # -- holds (the bot's way in) ------------------------------------------------------------

    def hold(self, *, clinic_id: int, slot_id: int, conversation_id: int, minutes: int) -> HoldView:
        """Reserve one place for a conversation for a few minutes (releasing its other holds)."""
        return self._holds.hold(
            clinic_id=clinic_id, slot_id=slot_id, conversation_id=conversation_id, minutes=minutes
        )

    def release_holds(self, *, conversation_id: int) -> None:
        """Drop every hold of the conversation."""
        self._holds.release_holds(conversation_id=conversation_id)

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
        """Turn a hold into a `scheduled` appointment (the same checks as `book_slot`)."""
        return self._holds.book(
            clinic_id=clinic_id,
            hold_id=hold_id,
            client_id=client_id,
            service_id=service_id,
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
    ) -> AppointmentView:
        """Move an open appointment to the held slot, freeing its old place in one transaction."""
        return self._holds.reschedule(
            clinic_id=clinic_id,
            appointment_id=appointment_id,
            hold_id=hold_id,
            actor=actor,
            actor_ref=actor_ref,
        )

    # -- changes (the API's and the console's way in) ----------------------------------------

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
        return self._changes.book_slot(
            clinic_id=clinic_id,
            slot_id=slot_id,
            client_id=client_id,
            service_id=service_id,
            insurance_id=insurance_id,
            actor=actor,
            actor_ref=actor_ref,
            notes=notes,
        )

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
        return self._changes.change(
            clinic_id=clinic_id,
            appointment_id=appointment_id,
            actor=actor,
            slot_id=slot_id,
            service_id=service_id,
            actor_ref=actor_ref,
        )

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
        return self._changes.annotate(
            clinic_id=clinic_id,
            appointment_id=appointment_id,
            notes=notes,
            actor=actor,
            actor_ref=actor_ref,
        )

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
        return self._changes.cancel(
            clinic_id=clinic_id,
            appointment_id=appointment_id,
            reason=reason,
            actor=actor,
            actor_ref=actor_ref,
        )

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
        return self._changes.confirm(
            clinic_id=clinic_id,
            appointment_id=appointment_id,
            actor=actor,
            actor_ref=actor_ref,
            note=note,
        )

    def complete(
        self, *, clinic_id: int, appointment_id: int, actor: Actor, actor_ref: str | None = None
    ) -> AppointmentView:
        """Mark an open appointment that has started as completed."""
        return self._changes.complete(
            clinic_id=clinic_id, appointment_id=appointment_id, actor=actor, actor_ref=actor_ref
        )

    def no_show(
        self, *, clinic_id: int, appointment_id: int, actor: Actor, actor_ref: str | None = None
    ) -> AppointmentView:
        """Mark an open appointment that has started as a no-show."""
        return self._changes.no_show(
            clinic_id=clinic_id, appointment_id=appointment_id, actor=actor, actor_ref=actor_ref
        )

    def delete(self, *, clinic_id: int, appointment_id: int) -> None:
        """Remove the appointment for good, with its history and reminders."""
        self._changes.delete(clinic_id=clinic_id, appointment_id=appointment_id)

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
        return self._changes.conflicts(
            clinic_id=clinic_id,
            professional_id=professional_id,
            start=start,
            duration_minutes=duration_minutes,
            exclude_id=exclude_id,
        )
