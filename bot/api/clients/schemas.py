"""The request and response models of the client endpoints (/api/v1/clients and /clients).

Field names are the Clinia integration spec's (camelCase); ids are strings.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.brazil.cpf import CPF_PATTERN
from bot.domain.patients.records import EMAIL_PATTERN, MAX_PHONES

# CPF_PATTERN and EMAIL_PATTERN are the expressions the records check, documented so clients
# can validate first.
IMAGE_PATTERN = r"^https?://\S+$"
# Optional fields where an empty string means "none" (bots often send "" for unknown values).
_BLANKABLE = (
    "email",
    "birthday",
    "cpf",
    "healthInsurance",
    "location",
    "externalId",
    "description",
    "image",
)


class ClientOut(BaseModel):
    """A client as the Clinia integration spec defines it (plus its insurance and unit ids)."""

    id: str
    name: str
    description: str | None = None
    phone: str | None = Field(None, description="Main number, international digits")
    allPhones: list[str] = Field(default_factory=list)
    cpf: str | None = Field(None, description="Formatted: 123.456.789-09")
    image: str | None = None
    email: str | None = None
    birthday: date | None = None
    externalId: str | None = None
    healthInsurance: str | None = None
    location: str | None = None


class ClientRecord(ClientOut):
    """A client in /api/v1: the spec's fields, times, and its appointments in figures."""

    createdAt: datetime
    updatedAt: datetime | None = None
    erasedAt: datetime | None = Field(None, description="Set when the personal data was erased")
    appointmentsCount: int = Field(0, description="Appointments not cancelled")
    lastAppointment: datetime | None = Field(None, description="Start of the latest of them")


class NoNul(BaseModel):
    """Refuses NUL characters in any text field: PostgreSQL cannot store or compare them."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("text must not contain NUL characters")
        return value


class _ClientInput(NoNul):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                key: None
                if key in _BLANKABLE and isinstance(value, str) and not value.strip()
                else value
                for key, value in data.items()
            }
        return data


class ClientCreate(_ClientInput):
    """A new client: name and phone (international digits, with or without formatting)."""

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=40, description="e.g. 5511999999999")
    all_phones: list[str] | None = Field(
        None,
        alias="allPhones",
        max_length=MAX_PHONES,
        description="More numbers of the client (after the main one)",
    )
    email: str | None = Field(None, max_length=254, pattern=EMAIL_PATTERN)
    birthday: date | None = Field(None, description="YYYY-MM-DD")
    cpf: str | None = Field(None, max_length=20, pattern=CPF_PATTERN)
    health_insurance: str | None = Field(None, alias="healthInsurance", max_length=20)
    location: str | None = Field(None, max_length=20)
    external_id: str | None = Field(None, alias="externalId", max_length=100)
    description: str | None = Field(None, max_length=2000)
    image: str | None = Field(None, max_length=2000, pattern=IMAGE_PATTERN)


class ClientPatch(_ClientInput):
    """The fields to change (every key optional; null clears an optional field)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, min_length=1, max_length=40, description="The main number")
    all_phones: list[str] | None = Field(
        None,
        alias="allPhones",
        max_length=MAX_PHONES,
        description="Every number, the main one first (replaces them all)",
    )
    email: str | None = Field(None, max_length=254, pattern=EMAIL_PATTERN)
    birthday: date | None = None
    cpf: str | None = Field(None, max_length=20, pattern=CPF_PATTERN)
    health_insurance: str | None = Field(None, alias="healthInsurance", max_length=20)
    location: str | None = Field(None, max_length=20)
    external_id: str | None = Field(None, alias="externalId", max_length=100)
    description: str | None = Field(None, max_length=2000)
    image: str | None = Field(None, max_length=2000, pattern=IMAGE_PATTERN)
