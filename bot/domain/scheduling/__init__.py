"""The only code that changes slots and appointments. Flows, the API and the console call it."""

from bot.domain.scheduling.base import (
    AppointmentDetails,
    AppointmentNotFound,
    HoldView,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    OpeningHours,
    ProfessionalBusy,
    Scheduling,
    SchedulingError,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
    SlotView,
)
from bot.domain.scheduling.local import LocalScheduling

__all__ = [
    "AppointmentDetails",
    "AppointmentNotFound",
    "HoldView",
    "InvalidRequest",
    "InvalidTransition",
    "LocalScheduling",
    "NotFound",
    "OpeningHours",
    "ProfessionalBusy",
    "Scheduling",
    "SchedulingError",
    "SlotInPast",
    "SlotNotFound",
    "SlotUnavailable",
    "SlotView",
]
