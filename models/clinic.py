"""The clinic and what it offers: units, insurances, services, professionals, hours, slots."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import DEFAULT_ZONE, fk, json_field, table_args


class Clinic(SQLModel, table=True):
    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    name: str
    slug: str = Field(unique=True, index=True)
    # Validated by bot.domain.clinic.settings; stored raw so a bad edit is reported, not lost.
    settings: dict[str, Any] = json_field()
    # Per-clinic overrides of the bot's texts: {"key": "text"}.
    texts: dict[str, str] = json_field()
    # A sandbox clinic holds generated data for `agd_test_` keys of the clinic it mirrors.
    sandbox_of_id: int | None = fk("clinic.id", nullable=True, index=False)


class ClinicNumber(SQLModel, table=True):
    """A WhatsApp number a clinic answers on, in E.164 without the plus (e.g. 14155238886)."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    number: str = Field(unique=True, index=True)


class Location(SQLModel, table=True):
    """A unit (unidade) of the clinic."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    name: str
    address: str
    timezone: str = DEFAULT_ZONE
    phone: str | None = None
    active: bool = True


class HealthInsurance(SQLModel, table=True):
    """A convênio; `self_pay` marks "Particular"."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    name: str
    self_pay: bool = False
    active: bool = True


class InsuranceLocation(SQLModel, table=True):
    """The insurance is accepted at this unit."""

    insurance_id: int = Field(foreign_key="healthinsurance.id", primary_key=True)
    location_id: int = Field(foreign_key="location.id", primary_key=True)


class InsuranceService(SQLModel, table=True):
    """The insurance covers this service."""

    insurance_id: int = Field(foreign_key="healthinsurance.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)


class Service(SQLModel, table=True):
    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    name: str
    duration_minutes: int
    price_cents: int = 0
    active: bool = True


class Professional(SQLModel, table=True):
    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    name: str
    active: bool = True


class ProfessionalService(SQLModel, table=True):
    professional_id: int = Field(foreign_key="professional.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)


class WorkingHours(SQLModel, table=True):
    """A weekly rule: a professional works at a unit on a weekday, in slots of a fixed length."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    professional_id: int = fk("professional.id")
    location_id: int = fk("location.id")
    weekday: int  # 0 = Monday
    start: time
    end: time
    slot_minutes: int = 30
    capacity: int = 1


class ScheduleException(SQLModel, table=True):
    """A day off (holiday, leave) for one professional, or for a whole unit when none is named."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    day: date = Field(index=True)
    professional_id: int | None = fk("professional.id", nullable=True)
    location_id: int | None = fk("location.id", nullable=True)
    reason: str = ""


class Slot(SQLModel, table=True):
    """A bookable time of one professional at one unit; `capacity` > 1 makes a group slot."""

    __table_args__ = table_args(UniqueConstraint("professional_id", "location_id", "start"))

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    location_id: int = fk("location.id")
    professional_id: int = fk("professional.id")
    start: datetime = Field(index=True)
    end: datetime
    capacity: int = 1
