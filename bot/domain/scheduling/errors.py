"""Why a scheduling request failed: stable codes shared with the REST API's error envelope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.domain.scheduling.values import AppointmentView


class SchedulingError(Exception):
    """A scheduling request that cannot be met; `code` is stable and shared with the REST API."""

    code = "CONFLICT"

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field  # the request field the problem is about, when there is one

    def details(self) -> list[dict[str, Any]]:
        """The problem as the REST API's error details."""
        detail: dict[str, Any] = {"code": self.code.lower(), "message": str(self)}
        if self.field:
            detail["path"] = [self.field]
        return [detail]


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


class InvalidRequest(SchedulingError):
    """The request names things that do not go together (e.g. a service the professional lacks)."""

    code = "INVALID_PARAMETER"


class InvalidTransition(SchedulingError):
    """The appointment's status does not allow the change (e.g. completing a cancelled one)."""

    code = "CONFLICT"

    def __init__(
        self,
        message: str = "",
        *,
        from_status: str | None = None,
        to_status: str | None = None,
    ) -> None:
        super().__init__(message, field="status")
        self.from_status = from_status
        self.to_status = to_status

    def details(self) -> list[dict[str, Any]]:
        """The detail names the status the appointment has and the one asked for."""
        detail = super().details()[0] | {"code": "invalid_transition"}
        return [detail | {"from": self.from_status, "to": self.to_status}]


class AlreadyBooked(SlotUnavailable):
    """The client already holds a place in this slot (a group slot has room for others, not for
    them twice). A kind of SlotUnavailable: the bot answers it as a taken time."""

    code = "SLOT_ALREADY_BOOKED"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="client_id")


class ProfessionalBusy(SlotUnavailable):
    """The professional has another appointment at an overlapping time.

    A kind of SlotUnavailable: whoever books (the bot included) learns the time is not free;
    the REST API still answers it with its own code and the conflicting appointments.
    """

    code = "CONFLICT"

    def __init__(self, message: str, *, conflicts: list[AppointmentView]) -> None:
        super().__init__(message, field="start")
        self.conflicts = conflicts

    def details(self) -> list[dict[str, Any]]:
        """One detail per conflicting appointment, with its id and times."""
        return [
            {
                "code": "professional_busy",
                "message": str(self),
                "path": ["start"],
                "appointment_id": str(other.id),
                "start": other.start.isoformat(),
                "end": other.end.isoformat(),
                "status": str(other.status),
            }
            for other in self.conflicts
        ]
