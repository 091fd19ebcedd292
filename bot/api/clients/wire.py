"""Clients on the wire: the Client object, and the change flows (validate, change, audit, emit,
commit) that /api/v1/clients and the Clinia /clients paths share. Models: schemas.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.api import audit, auth
from bot.api.clients.schemas import ClientCreate, ClientPatch
from bot.api.common import ident, iso, optional_id, parse_id
from bot.api.errors import ApiError, not_found
from bot.brazil.cpf import format_cpf
from bot.domain.patients import erasure, lookup
from bot.domain.patients import records as client_records
from bot.domain.patients.records import RecordError
from bot.web.db import clock, db
from models import Client


def public(client: Client, phones: list[str]) -> dict[str, Any]:
    """The Client object of the spec."""
    return {
        "id": ident(client.id),
        "name": client.name,
        "description": client.description,
        "phone": phones[0] if phones else None,
        "allPhones": phones,
        "cpf": format_cpf(client.cpf),
        "image": client.image,
        "email": client.email,
        "birthday": client.birthday.isoformat() if client.birthday else None,
        "externalId": client.external_id,
        "healthInsurance": ident(client.health_insurance_id),
        "location": ident(client.location_id),
    }


def publics(session: Session, clients: list[Client]) -> list[dict[str, Any]]:
    """Spec Client objects of several clients (one query for all their phones)."""
    phones = lookup.phones_of(session, [_id(c) for c in clients])
    return [public(c, phones[_id(c)]) for c in clients]


def records(session: Session, clients: list[Client]) -> list[dict[str, Any]]:
    """/api/v1 client objects: the spec's fields plus times and appointment figures."""
    ids = [_id(c) for c in clients]
    stats = lookup.appointment_stats(session, ids)
    return [
        item
        | {
            "createdAt": iso(c.created_at),
            "updatedAt": iso(c.updated_at),
            "erasedAt": iso(c.erased_at),
            "appointmentsCount": stats[_id(c)][0],
            "lastAppointment": iso(stats[_id(c)][1]),
        }
        for c, item in zip(clients, publics(session, clients), strict=True)
    ]


def find(client_id: str) -> Client:
    """The key's clinic's client with this id, else 404."""
    client = lookup.get(db(), clinic_id=auth.clinic_id(), client_id=parse_id(client_id, "client"))
    if client is None:
        raise not_found("client")
    return client


def create(body: ClientCreate) -> Client:
    """Create (which queues client.created), audit and commit; RecordError becomes the API's
    error."""
    session, now, clinic_id = db(), clock().now(), auth.clinic_id()
    fields = _fields(body, body.model_fields_set | {"name", "phone"})
    fields["phones"] = [body.phone, *(body.all_phones or [])]
    with refusals():
        client = client_records.create_patient(
            session=session, clinic_id=clinic_id, now=now, **fields
        )
    after = publics(session, [client])[0]
    audit.record(
        session, action="client.create", resource="client", resource_id=_id(client), after=after
    )
    commit(session)
    return client


def update(client_id: str, body: ClientPatch) -> Client:
    """Change the fields sent, audit with before and after, commit."""
    session, client = db(), find(client_id)
    given = body.model_fields_set
    fields = _fields(body, given)
    if "all_phones" in given:
        main = [body.phone] if "phone" in given and body.phone else []
        fields["phones"] = main + list(body.all_phones or [])
    elif "phone" in given:
        fields["main_phone"] = body.phone
    before = publics(session, [client])[0]
    with refusals():
        client_records.update(session=session, client=client, now=clock().now(), fields=fields)
    after = publics(session, [client])[0]
    if after != before:
        audit.record(
            session,
            action="client.update",
            resource="client",
            resource_id=_id(client),
            before=before,
            after=after,
        )
    commit(session)
    return client


def erase(client_id: str) -> Client:
    """Anonymise the client (LGPD); a second call changes nothing and answers the same."""
    session, client = db(), find(client_id)
    if erasure.erase(session=session, client=client, now=clock().now()):
        audit.record(
            session,
            action="client.erase",
            resource="client",
            resource_id=_id(client),
            after=publics(session, [client])[0],
        )
        commit(session)
    return client


_FIELDS = {
    "name": "name",
    "description": "description",
    "email": "email",
    "birthday": "birthday",
    "cpf": "cpf",
    "image": "image",
    "external_id": "external_id",
}


def _fields(body: ClientCreate | ClientPatch, given: set[str]) -> dict[str, Any]:
    """The business fields of the keys the request sent (ids parsed: a malformed one is 400)."""
    fields = {target: getattr(body, name) for name, target in _FIELDS.items() if name in given}
    if "health_insurance" in given:
        fields["health_insurance_id"] = optional_id(body.health_insurance, "healthInsurance")
    if "location" in given:
        fields["location_id"] = optional_id(body.location, "location")
    return fields


@contextmanager
def refusals() -> Iterator[None]:
    """A refused change (RecordError) as the API's error envelope."""
    try:
        yield
    except RecordError as error:
        detail: dict[str, Any] = {
            "code": "conflict" if error.code == "CONFLICT" else "invalid",
            "message": error.message,
            "path": [error.field],
        }
        if error.client_id is not None:
            detail["client_id"] = str(error.client_id)
        raise ApiError(error.code, details=[detail]) from error


def commit(session: Session) -> None:
    """Commit; a phone taken by a concurrent request meanwhile is a 409, not a 500."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ApiError(
            "CONFLICT",
            details=[
                {
                    "code": "conflict",
                    "message": "phone already belongs to another client",
                    "path": ["phone"],
                }
            ],
        ) from error


def window(limit: int | None, offset: int | None, page: int, per_page: int) -> tuple[int, int]:
    """(offset, limit): the spec's limit/offset when given, else page/per_page."""
    if limit is None and offset is None:
        return (page - 1) * per_page, per_page
    return offset or 0, limit or per_page


def _id(client: Client) -> int:
    assert client.id is not None
    return client.id
