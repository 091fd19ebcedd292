"""Patients and the keys their WhatsApp addresses are matched by."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import fk, table_args


class Client(SQLModel, table=True):
    """A patient, with the fields of the Clinia client integration spec."""

    __table_args__ = table_args()

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    name: str
    description: str | None = None
    cpf: str | None = Field(default=None, index=True)  # 11 digits, no formatting
    email: str | None = None
    birthday: date | None = None
    image: str | None = None
    external_id: str | None = None
    health_insurance_id: int | None = fk("healthinsurance.id", nullable=True, index=False)
    location_id: int | None = fk("location.id", nullable=True, index=False)
    created_at: datetime
    updated_at: datetime | None = None
    # Set when the patient's personal data was erased (LGPD); appointments stay for the clinic.
    erased_at: datetime | None = None


class ClientPhone(SQLModel, table=True):
    """One address of a client: `number` as given, `key` the same-patient key (9th digit added)."""

    __table_args__ = table_args(UniqueConstraint("clinic_id", "key"))

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = fk("clinic.id")
    client_id: int = fk("client.id")
    number: str
    key: str = Field(index=True)
