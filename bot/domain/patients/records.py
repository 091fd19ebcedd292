"""Patient records: the one way to create a patient, and changes to one.

The chat (addresses.register), the REST API (/api/v1/clients and the Clinia-compatible
/clients) and the demo create patients through `create_patient`; the API changes them with
`update`. They validate with Brazil's rules (bot/brazil), change the session and never commit:
the caller audits and commits in the same transaction. Reading lives in lookup.py, erasure
(LGPD) in erasure.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.brazil.cpf import valid_cpf
from bot.brazil.phones import normalize_phone, number_of, phone_key
from bot.domain import events
from models import (
    Client,
    ClientPhone,
    HealthInsurance,
    Location,
)
from models.base import MAX_ID

MAX_PHONES = 10
# Ids are 32-bit integer columns on PostgreSQL: a larger number is nobody's id (and not an error).
# The REST API documents this expression, so integrators can check before they send.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_EMAIL = re.compile(EMAIL_PATTERN)
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


# -- normalising what integrators send (phones and CPFs: bot.brazil) ----------------------------


def normalize_email(text: str) -> str:
    """E-mails are compared without case: store them lower-cased."""
    return text.strip().lower()


# -- writing ------------------------------------------------------------------------------------


def create_patient(
    *,
    session: Session,
    clinic_id: int,
    name: str,
    now: datetime,
    phones: Sequence[str] = (),
    address: str | None = None,
    cpf: str | None = None,
    email: str | None = None,
    birthday: date | None = None,
    health_insurance_id: int | None = None,
    location_id: int | None = None,
    external_id: str | None = None,
    description: str | None = None,
    image: str | None = None,
    shared_cpf: bool = False,
) -> Client:
    """A new patient, validated, with its phone keys, and its client.created event queued.

    `phones` are typed numbers (main first); `address` is a channel address the patient writes
    from (a WhatsApp number or username id), kept first. A phone or CPF of another patient is
    refused, unless `shared_cpf`: the chat keeps a CPF typed by someone whose name is not its
    holder's on a record of its own (see addresses.register).
    """
    client = Client(clinic_id=clinic_id, name="", created_at=now)
    fields = {
        "name": name,
        "cpf": cpf,
        "email": email,
        "birthday": birthday,
        "external_id": external_id,
        "description": description,
        "image": image,
        "health_insurance_id": health_insurance_id,
        "location_id": location_id,
    }
    _apply(session, client, fields, now=now, shared_cpf=shared_cpf)
    numbers = _numbers(phones, address=address)
    session.add(client)
    session.flush()
    _replace_phones(session, client, numbers)
    data = events.client_data(client)
    events.emit(session, clinic_id=clinic_id, type="client.created", data=data, now=now)
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
    phones_changed = numbers is not None and _replace_phones(session, client, _numbers(numbers))
    if phones_changed or _snapshot(client) != before:
        client.updated_at = now
    session.add(client)
    session.flush()
    return client


def _snapshot(client: Client) -> tuple[Any, ...]:
    return tuple(getattr(client, name) for name in _SNAPSHOT)


def _apply(
    session: Session,
    client: Client,
    fields: dict[str, Any],
    *,
    now: datetime,
    shared_cpf: bool = False,
) -> None:
    """Validate and set the plain fields present in `fields`."""
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise invalid("name", "name must not be empty")
        client.name = name
    if "cpf" in fields:
        client.cpf = _checked_cpf(session, client, fields["cpf"], shared=shared_cpf)
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


def _checked_cpf(
    session: Session, client: Client, given: str | None, *, shared: bool
) -> str | None:
    if not given:
        return None
    cpf = valid_cpf(given)
    if cpf is None:
        raise invalid("cpf", "cpf is not a valid CPF (check digits)")
    if shared:
        return cpf
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


def _numbers(given: Sequence[str], *, address: str | None = None) -> dict[str, str]:
    """Same-patient key -> number to keep, in the given order (the address first)."""
    numbers: dict[str, str] = {}
    if address and phone_key(address):
        numbers[phone_key(address)] = number_of(address)
    for text in given:
        number = normalize_phone(text)
        if number is None:
            raise invalid("phones" if len(given) > 1 else "phone", "not a phone number")
        numbers.setdefault(phone_key(number), number)
    if len(numbers) > MAX_PHONES:
        raise invalid("phones", f"at most {MAX_PHONES} phone numbers")
    return numbers


def _replace_phones(session: Session, client: Client, numbers: dict[str, str]) -> bool:
    """Make `numbers` (main first) the client's (True if they changed); a number of another
    client is a 409."""
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
