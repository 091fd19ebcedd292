"""The response models of clinic setup: units, services, insurances, professionals, working
hours, exceptions, and what regenerating the future slots did after a change."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from bot.api.common import Day, ListEnvelope, PageMeta, Timestamp

WeekdayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _no_default(schema: dict[str, Any]) -> None:
    # The key is left out rather than null: a `default: null` would contradict the schema.
    schema.pop("default", None)


# -- slot regeneration --------------------------------------------------------------------------


class KeptSlot(BaseModel):
    """A future slot the new rules no longer want, kept because patients hold places in it."""

    id: str
    calendar_id: str
    start: Timestamp = Field(description="Local time with the unit's offset")
    end: Timestamp
    timezone: str = Field(description="The unit's IANA zone")
    booked: int = Field(description="Scheduled or confirmed appointments in it")
    held: int = Field(description="Places held while a patient confirms")
    reason: Literal["outside_hours", "over_capacity"] = Field(
        description="outside_hours: no rule makes it now; over_capacity: more places taken than "
        "the new capacity"
    )


class SlotChanges(BaseModel):
    """What regenerating the future slots did."""

    created: int = Field(description="New slots")
    updated: int = Field(description="Slots whose end or capacity changed")
    removed: int = Field(description="Free slots deleted")
    closed: int = Field(description="Slots no longer worked, closed to new bookings")
    kept_slots: list[KeptSlot] = Field(description="Slots kept because patients hold them")


class MaybeRegenerated(BaseModel):
    """A change that may move slots: `slots` is present only when it did."""

    slots: SlotChanges | SkipJsonSchema[None] = Field(
        None,
        description="Present when the change regenerated the future slots",
        json_schema_extra=_no_default,
    )


class Regenerated(BaseModel):
    """A change that always regenerates the future slots."""

    slots: SlotChanges


# -- units and services -------------------------------------------------------------------------


class UnitOut(BaseModel):
    """A unit (unidade) of the clinic."""

    id: str
    name: str
    address: str
    timezone: str = Field(description="IANA zone its times are shown in")
    phone: str | None
    active: bool


class UnitEnvelope(BaseModel):
    """`{"data": unit}`."""

    data: UnitOut


class UnitChanged(MaybeRegenerated):
    """The changed unit; a new timezone or active flag regenerates its slots."""

    data: UnitOut


class UnitList(ListEnvelope):
    """A page of units."""

    data: list[UnitOut]
    meta: PageMeta


class ServiceOut(BaseModel):
    """A service the clinic offers."""

    id: str
    name: str
    duration_minutes: int
    price_cents: int = Field(description="Price in centavos (BRL)")
    active: bool


class ServiceEnvelope(BaseModel):
    """`{"data": service}`."""

    data: ServiceOut


class ServiceList(ListEnvelope):
    """A page of services."""

    data: list[ServiceOut]
    meta: PageMeta


# -- insurances and professionals ---------------------------------------------------------------


class InsuranceOut(BaseModel):
    """A health insurance (convênio), with the units that accept it and the services it covers."""

    id: str
    name: str
    self_pay: bool = Field(description='True for "Particular" (the patient pays)')
    active: bool
    location_ids: list[str] = Field(description="Units that accept it")
    service_ids: list[str] = Field(description="Services it covers")


class InsuranceEnvelope(BaseModel):
    """`{"data": insurance}`."""

    data: InsuranceOut


class InsuranceList(ListEnvelope):
    """A page of insurances."""

    data: list[InsuranceOut]
    meta: PageMeta


class ProfessionalOut(BaseModel):
    """A professional, with the services offered and their calendars."""

    id: str
    name: str
    active: bool
    service_ids: list[str] = Field(description="Services the professional offers")
    calendar_ids: list[str] = Field(description="Calendars: the units where they have hours")


class ProfessionalEnvelope(BaseModel):
    """`{"data": professional}`."""

    data: ProfessionalOut


class ProfessionalChanged(MaybeRegenerated):
    """The changed professional; a new active flag regenerates their slots."""

    data: ProfessionalOut


class ProfessionalList(ListEnvelope):
    """A page of professionals."""

    data: list[ProfessionalOut]
    meta: PageMeta


# -- working hours and exceptions ---------------------------------------------------------------


class WorkingHoursOut(BaseModel):
    """A weekly rule: a professional works at a unit on a weekday, in slots of a length."""

    id: str
    professional_id: str
    location_id: str
    calendar_id: str
    weekday: int = Field(description="0 = Monday ... 6 = Sunday")
    weekday_name: WeekdayName
    start: str = Field(description="HH:MM, local")
    end: str = Field(description="HH:MM, local")
    slot_minutes: int
    capacity: int = Field(description="Patients per slot (a class: > 1)")


class WorkingHoursEnvelope(BaseModel):
    """`{"data": rule}`."""

    data: WorkingHoursOut


class WorkingHoursChanged(MaybeRegenerated):
    """The changed rule and, when anything changed, what happened to the slots."""

    data: WorkingHoursOut


class WorkingHoursRegenerated(Regenerated):
    """The created or removed rule and what happened to the slots."""

    data: WorkingHoursOut


class WorkingHoursList(ListEnvelope):
    """A page of a professional's weekly rules."""

    data: list[WorkingHoursOut]
    meta: PageMeta


class ExceptionOut(BaseModel):
    """A day off of the clinic, a unit, a professional, or a professional at a unit."""

    id: str
    day: Day = Field(description="The local day off")
    professional_id: str | None
    location_id: str | None
    scope: Literal["clinic", "unit", "professional", "professional_at_unit"] = Field(
        description="Whom it covers"
    )
    reason: str


class ExceptionEnvelope(BaseModel):
    """`{"data": exception}`."""

    data: ExceptionOut


class ExceptionRegenerated(Regenerated):
    """The created or removed exception and what happened to the slots."""

    data: ExceptionOut


class ExceptionList(ListEnvelope):
    """A page of exceptions by day."""

    data: list[ExceptionOut]
    meta: PageMeta
