"""What the scheduling interface hands back: small frozen values, never table rows, so a backend
that keeps the schedule in a clinic's own system can answer with the same shapes.

The catalogue views keep the attribute names of the tables they mirror, so callers read
`service.duration_minutes` or `location.timezone` whichever backend answered.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, time
from typing import Any, Self


class _FromRow:
    """Build a view from any object with the view's attribute names (a row, another view)."""

    __slots__ = ()

    @classmethod
    def of(cls, row: Any) -> Self:
        """The view of `row`, attribute by attribute."""
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})


@dataclass(frozen=True, slots=True)
class InsuranceView(_FromRow):
    """A convênio; `self_pay` marks "Particular"."""

    id: int
    clinic_id: int
    name: str
    self_pay: bool
    active: bool


@dataclass(frozen=True, slots=True)
class LocationView(_FromRow):
    """A unit of the clinic, with the zone its times are shown in."""

    id: int
    clinic_id: int
    name: str
    address: str
    timezone: str
    phone: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class ServiceView(_FromRow):
    """Something the clinic offers, how long it takes and its self-pay price (cents)."""

    id: int
    clinic_id: int
    name: str
    duration_minutes: int
    price_cents: int
    active: bool


@dataclass(frozen=True, slots=True)
class AppointmentView(_FromRow):
    """An appointment as it was when the call returned (ask again for a fresh one)."""

    id: int
    clinic_id: int
    slot_id: int
    client_id: int
    service_id: int
    insurance_id: int | None
    status: str
    start: datetime
    end: datetime
    cancel_reason: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SlotView:
    """A slot and how many places a new booking may still take (0 once it has started)."""

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
    """When a unit sees patients on one weekday."""

    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class HoldView:
    """A place kept for a conversation until `expires_at`."""

    id: int
    slot: SlotView
    expires_at: datetime
