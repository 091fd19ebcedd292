"""Patient records as integrators see them: find, create and change clients of one clinic.

The REST API (/api/v1/clients and the Clinia-compatible /clients) calls these; they validate,
change the session and never commit: the caller audits and commits in the same transaction.
Reading lives in bot/client_lookup.py, erasure (LGPD) in bot/client_erasure.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.brazil.cpf import valid_cpf
from bot.brazil.phones import BRAZIL_DDDS, digits_of, phone_key
from models import (
    Client,
    ClientPhone,
    HealthInsurance,
    Location,
)

MAX_PHONES = 10
# Ids are 32-bit integer columns on PostgreSQL: a larger number is nobody's id (and not an error).
MAX_ID = 2**31 - 1
_CPF_FORMATTING = re.compile(r"[\s.\-/]")
FORMATTED_CPF = re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OLDEST_BIRTHDAY = date(1900, 1, 1)
# Public (API) names of the fields, for error paths.
_API_NAMES = {
    "external_id": "externalId",
    "health_insurance_id": "healthInsurance",
    "location_id": "location",
    "phones": "allPhones",
}
_TEXT_FIELDS = ("description", "image", "external_id")
_SNAPSHOT = (
    "name",
    "cpf",
    "email",
    "birthday",
    *_TEXT_FIELDS,
    "health_insurance_id",
    "location_id",
)


class RecordError(Exception):
    """A client change refused: `code` is the API error code, `field` the input at fault."""

    def __init__(
        self, code: str, message: str, *, field: str, client_id: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.client_id = client_id


def invalid(field: str, message: str) -> RecordError:
    """A 400 INVALID_PARAMETER about `field` (an attribute name or the API's name)."""
    return RecordError("INVALID_PARAMETER", message, field=_API_NAMES.get(field, field))


# -- normalising what integrators send ----------------------------------------------------------


def normalize_phone(text: str) -> str | None:
    """International digits of a typed phone ('(82) 8213-6275' -> '558282136275'), else None.

    Bare national numbers (DDD + 8 or 9 digits) are Brazilian; a leading '+' means the country
    code is already there.
    """
    text = (text or "").strip()
    digits = digits_of(text)
    if not digits or not digits.isascii():  # other scripts' digits are no phone number
        return None
    international = text.lstrip().startswith("+") or ":" in text
    if not international:
        if digits.startswith("00"):  # international dialling prefix
            digits, international = digits[2:], True
        elif digits.startswith("0") and len(digits) in (11, 12):  # trunk prefix before the DDD
            digits = digits[1:]
    if not international and _is_national(digits):
        digits = "55" + digits
    return digits if 8 <= len(digits) <= 15 else None


def _is_national(digits: str) -> bool:
    """DDD + landline/old mobile (10 digits) or DDD + 9 + 8 digits (11 digits)."""
    if digits[:2] not in BRAZIL_DDDS:
        return False
    if len(digits) == 11:
        return digits[2] == "9"
    return len(digits) == 10 and digits[2] in "23456789"


def cpf_digits(text: str) -> str | None:
    """The 11 digits of a CPF written with or without dots and dash (no check digits test)."""
    digits = _CPF_FORMATTING.sub("", text or "")
    return digits if len(digits) == 11 and digits.isascii() and digits.isdigit() else None


def format_cpf(cpf: str | None) -> str | None:
    """'52998224725' -> '529.982.247-25'."""
    if not cpf or len(cpf) != 11:
        return cpf
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def normalize_email(text: str) -> str:
    """E-mails are compared without case: store them lower-cased."""
    return text.strip().lower()


# -- writing ------------------------------------------------------------------------------------


def create(*, session: Session, clinic_id: int, now: datetime, fields: dict[str, Any]) -> Client:
    """A new client from API fields (names as on Client, plus `phones`: main number first)."""
    client = Client(clinic_id=clinic_id, name="", created_at=now)
    _apply(session, client, fields, now=now)
    session.add(client)
    session.flush()
    _replace_phones(session, client, fields.get("phones") or [])
    return client


def update(*, session: Session, client: Client, now: datetime, fields: dict[str, Any]) -> Client:
    """Change the given fields; `phones` replaces every number, `main_phone` the main one."""
    if client.erased_at is not None:
        raise RecordError(
            "CONFLICT", "the client's personal data was erased", field="id", client_id=client.id
        )
    before = _snapshot(client)
    _apply(session, client, fields, now=now)
    numbers: list[str] | None = None
    if "phones" in fields:
        numbers = list(fields["phones"] or [])
    elif "main_phone" in fields:
        current = session.exec(
            select(ClientPhone.number)
            .where(ClientPhone.client_id == client.id)
            .order_by(col(ClientPhone.id))
        ).all()
        numbers = ([fields["main_phone"]] if fields["main_phone"] else []) + list(current[1:])
    phones_changed = numbers is not None and _replace_phones(session, client, numbers)
    if phones_changed or _snapshot(client) != before:
        client.updated_at = now
    session.add(client)
    session.flush()
    return client


def _snapshot(client: Client) -> tuple[Any, ...]:
    return tuple(getattr(client, name) for name in _SNAPSHOT)


def _apply(session: Session, client: Client, fields: dict[str, Any], *, now: datetime) -> None:
    """Validate and set the plain fields present in `fields`."""
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise invalid("name", "name must not be empty")
        client.name = name
    if "cpf" in fields:
        client.cpf = _checked_cpf(session, client, fields["cpf"])
    if "email" in fields:
        email = normalize_email(fields["email"] or "")
        if email and not _EMAIL.match(email):
            raise invalid("email", "email is not an e-mail address")
        client.email = email or None
    if "birthday" in fields:
        birthday = fields["birthday"]
        if birthday is not None and not _OLDEST_BIRTHDAY <= birthday <= now.date():
            raise invalid("birthday", "birthday must be between 1900-01-01 and today")
        client.birthday = birthday
    for name in _TEXT_FIELDS:
        if name in fields:
            setattr(client, name, (fields[name] or "").strip() or None)
    if "health_insurance_id" in fields:
        client.health_insurance_id = _owned(
            session, HealthInsurance, fields["health_insurance_id"], client, "health_insurance_id"
        )
    if "location_id" in fields:
        client.location_id = _owned(session, Location, fields["location_id"], client, "location_id")


def _checked_cpf(session: Session, client: Client, given: str | None) -> str | None:
    if not given:
        return None
    cpf = valid_cpf(given)
    if cpf is None:
        raise invalid("cpf", "cpf is not a valid CPF (check digits)")
    holder = session.exec(
        select(Client.id).where(
            Client.clinic_id == client.clinic_id,
            Client.cpf == cpf,
            col(Client.erased_at).is_(None),
        )
    ).first()
    if holder is not None and holder != client.id:
        raise RecordError(
            "CONFLICT", f"cpf already belongs to client {holder}", field="cpf", client_id=holder
        )
    return cpf


def _owned(
    session: Session,
    model: type[HealthInsurance] | type[Location],
    row_id: int | None,
    client: Client,
    field: str,
) -> int | None:
    """`row_id` if that row belongs to the client's clinic; another clinic's id is refused."""
    if row_id is None:
        return None
    row = session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if row is None or row.clinic_id != client.clinic_id:
        raise invalid(field, f"{_API_NAMES[field]} is not an id of this clinic")
    return row_id


def _replace_phones(session: Session, client: Client, given: list[str]) -> bool:
    """Make `given` (main first) the client's numbers (True if they changed); a number of
    another client is a 409."""
    numbers: dict[str, str] = {}  # key -> number, in the given order
    for text in given:
        number = normalize_phone(text)
        if number is None:
            raise invalid("phones" if len(given) > 1 else "phone", "not a phone number")
        numbers.setdefault(phone_key(number), number)
    if len(numbers) > MAX_PHONES:
        raise invalid("phones", f"at most {MAX_PHONES} phone numbers")
    if numbers:
        holder = session.exec(
            select(ClientPhone.client_id).where(
                ClientPhone.clinic_id == client.clinic_id,
                col(ClientPhone.key).in_(list(numbers)),
                ClientPhone.client_id != client.id,
            )
        ).first()
        if holder is not None:
            raise RecordError(
                "CONFLICT",
                f"phone already belongs to client {holder}",
                field="phone",
                client_id=holder,
            )
    old = session.exec(select(ClientPhone).where(ClientPhone.client_id == client.id)).all()
    if [(p.key, p.number) for p in old] == list(numbers.items()):
        return False
    for row in old:
        session.delete(row)
    # Deletes first: the new rows may reuse a key the (clinic, key) constraint still holds.
    session.flush()
    session.add_all(
        ClientPhone(clinic_id=client.clinic_id, client_id=_id(client), number=number, key=key)
        for key, number in numbers.items()
    )
    session.flush()
    return True


def _id(client: Client) -> int:
    if client.id is None:
        raise RuntimeError("flush the client first")
    return client.id
