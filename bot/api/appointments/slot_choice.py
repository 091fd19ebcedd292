"""Which slot a booking or a move asks for: by `slot_id`, or by professional, unit and time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Protocol

from pydantic import BeforeValidator, StringConstraints
from sqlmodel import Session, select

from bot.api.appointments.query import to_utc, zone
from bot.api.common import optional_id
from bot.api.errors import ApiError
from models import Location, Professional, Slot

TIME_FIELDS = ("start", "professional_id", "location_id")


def id_text(value: Any) -> Any:
    """Ids are strings; a JSON number is taken too (several clinic systems send integers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Field types of the appointment bodies.
IdText = Annotated[str, BeforeValidator(id_text), StringConstraints(max_length=20)]
Notes = Annotated[str, StringConstraints(max_length=2000)]
TimeZone = Annotated[str, StringConstraints(max_length=64)]


def _detail(code: str, message: str, field: str) -> dict[str, Any]:
    return {"code": code, "message": message, "path": [field]}


def missing(fields: list[str]) -> ApiError:
    """MISSING_REQUIRED_FIELD naming each field."""
    return ApiError(
        "MISSING_REQUIRED_FIELD",
        details=[_detail("missing", f"{name} is required", name) for name in fields],
    )


def required_id(value: str, field: str) -> int:
    """An id the body must carry (malformed: 400; empty: missing)."""
    found = optional_id(value, field)
    if found is None:
        raise missing([field])
    return found


def reference(session: Session, model: Any, value: str | None, field: str, clinic: int) -> Any:
    """The clinic's row named in the body (None when absent); another clinic's is a 400."""
    row_id = optional_id(value, field)
    if row_id is None:
        return None
    row = session.get(model, row_id)
    if row is None or row.clinic_id != clinic:
        raise ApiError(
            "INVALID_PARAMETER", details=[_detail("unknown_id", f"no such {field} here", field)]
        )
    return row


class SlotRequest(Protocol):
    """The fields of a create or change body that name a slot."""

    slot_id: str | None
    start: datetime | None
    professional_id: str | None
    location_id: str | None
    timezone: str | None


def target_slot(
    session: Session, clinic: int, body: SlotRequest, *, current: Slot | None = None
) -> int | None:
    """The slot asked for: `slot_id`, or the professional's slot at the unit at `start`.

    For a move, `current` is the appointment's slot and fills in what the body leaves out;
    None then means the time was not asked to change. A `start` without offset is the unit's
    local time (or `timezone`'s). No such slot: 404 SLOT_NOT_FOUND.
    """
    slot_id, start, timezone = body.slot_id, body.start, body.timezone
    professional_id, location_id = body.professional_id, body.location_id
    asked = {"start": start, "professional_id": professional_id, "location_id": location_id}
    if slot_id is not None:
        if any(value is not None for value in asked.values()):
            raise ApiError(
                "INVALID_PARAMETER",
                details=[_detail("ambiguous", "give slot_id or start, not both", "slot_id")],
            )
        return _named_slot(session, clinic, slot_id)
    if current is None:
        absent = [name for name in TIME_FIELDS if asked[name] is None]
        if absent:
            raise missing(["slot_id"] if len(absent) == len(TIME_FIELDS) else absent)
    elif all(value is None for value in asked.values()):
        return None
    professional = reference(session, Professional, professional_id, "professional_id", clinic)
    location = reference(session, Location, location_id, "location_id", clinic)
    if current is not None:
        professional = professional or session.get(Professional, current.professional_id)
        location = location or session.get(Location, current.location_id)
    if start is not None:
        when = to_utc(start, zone(timezone or location.timezone), "start")
    else:
        assert current is not None  # a create without start was refused above
        when = current.start
    slot = session.exec(
        select(Slot).where(
            Slot.clinic_id == clinic,
            Slot.professional_id == professional.id,
            Slot.location_id == location.id,
            Slot.start == when,
        )
    ).first()
    if slot is None:
        raise ApiError(
            "SLOT_NOT_FOUND",
            details=[_detail("not_found", "the professional has no slot there then", "start")],
        )
    return slot.id


def _named_slot(session: Session, clinic: int, slot_id: str) -> int:
    found = optional_id(slot_id, "slot_id")
    slot = session.get(Slot, found) if found is not None else None
    if found is None or slot is None or slot.clinic_id != clinic:
        raise ApiError("SLOT_NOT_FOUND", details=[_detail("not_found", "no such slot", "slot_id")])
    return found
