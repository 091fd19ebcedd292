"""The only code that changes slots and appointments. Flows, the API and the console call it,
always through `scheduling_for`, which picks the clinic's backend.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.core.clock import Clock
from bot.domain.scheduling.interface import (
    AlreadyBooked,
    AppointmentDetails,
    AppointmentNotFound,
    AppointmentView,
    HoldView,
    InsuranceView,
    InvalidRequest,
    InvalidTransition,
    LocationView,
    NotFound,
    OpeningHours,
    ProfessionalBusy,
    Scheduling,
    SchedulingError,
    ServiceView,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
    SlotView,
)
from bot.domain.scheduling.local import LocalScheduling
from models import Clinic


def scheduling_for(session: Session, clinic: Clinic | int, clock: Clock) -> Scheduling:
    """The backend that keeps this clinic's schedule (a row or an id); today always our tables.

    A clinic that books in its own system will get its remote backend here, chosen from the
    clinic's settings; callers never build a backend themselves.
    """
    return LocalScheduling(session=session, clock=clock)


__all__ = [
    "AlreadyBooked",
    "AppointmentDetails",
    "AppointmentNotFound",
    "AppointmentView",
    "HoldView",
    "InsuranceView",
    "InvalidRequest",
    "InvalidTransition",
    "LocalScheduling",
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
    "scheduling_for",
]
