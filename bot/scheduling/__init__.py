"""The only code that changes slots and appointments. Flows, the API and the console call it."""

from bot.scheduling.base import (
    AppointmentDetails,
    AppointmentNotFound,
    HoldView,
    InvalidTransition,
    NotFound,
    OpeningHours,
    Scheduling,
    SchedulingError,
    SlotInPast,
    SlotNotFound,
    SlotUnavailable,
    SlotView,
)
from bot.scheduling.local import LocalScheduling

__all__ = [
    "AppointmentDetails",
    "AppointmentNotFound",
    "HoldView",
    "InvalidTransition",
    "LocalScheduling",
    "NotFound",
    "OpeningHours",
    "Scheduling",
    "SchedulingError",
    "SlotInPast",
    "SlotNotFound",
    "SlotUnavailable",
    "SlotView",
]
