"""/api/v1/clients: patients with the Clinia spec's fields, exact search, and LGPD erasure."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from bot.api import formats
from bot.api.auth import clinic_id
from bot.api.calendars.views import calendar_filter
from bot.api.clients import wire
from bot.api.clients.schemas import ClientCreate, ClientPatch, ClientRecord, NoNul
from bot.api.common import MAX_PER_PAGE, IdPath, ListEnvelope, Page, api_blueprint, one
from bot.api.errors import ErrorBody
from bot.domain.patients import lookup
from bot.web.db import db

api = api_blueprint(
    "clients",
    __name__,
    url_prefix="/api/v1/clients",
    tag="Clients",
    description="Patients, with the field names of the Clinia client integration spec.",
)

MAX_OFFSET = 1_000_000_000


class ClientEnvelope(BaseModel):
    """`{"data": client}`."""

    data: ClientRecord


class ClientListMeta(BaseModel):
    page: int
    per_page: int
    total: int
    total_pages: int
    limit: int
    offset: int


class ClientList(ListEnvelope):
    """`{"data": [client, ...], "meta": {...}}` (or the same as XML or CSV)."""

    data: list[ClientRecord]
    meta: ClientListMeta


class ClientWindow(Page, NoNul):
    """`page`/`per_page`, or the Clinia spec's `limit`/`offset` (these win when given)."""

    limit: int | None = Field(None, ge=1, le=MAX_PER_PAGE)
    offset: int | None = Field(None, ge=0, le=MAX_OFFSET)


class ClientQuery(ClientWindow):
    phone: str | None = Field(
        None, max_length=40, description="Exact phone, with or without the 9th digit or +55"
    )
    cpf: str | None = Field(None, max_length=20, description="Exact CPF, formatted or not")
    email: str | None = Field(None, max_length=254, description="Exact e-mail (any case)")
    external_id: str | None = Field(None, max_length=100, description="Exact externalId")
    search: str | None = Field(
        None, max_length=100, description="Part of the name or e-mail (not exact)"
    )
    created_from: date | None = Field(None, description="Created on or after (YYYY-MM-DD)")
    created_to: date | None = Field(None, description="Created on or before (YYYY-MM-DD)")
    calendar_id: str | None = Field(
        None, max_length=40, description="Clients with an appointment in this calendar"
    )


class ClientSearchQuery(ClientWindow):
    term: str = Field(
        min_length=1,
        max_length=254,
        description="A phone (either 9th-digit form), a CPF (formatted or not), an e-mail or a "
        "full name; the match is exact",
    )


def _listing(query: ClientWindow, total: int, items: list[dict[str, Any]]):
    offset, limit = wire.window(query.limit, query.offset, query.page, query.per_page)
    meta = {
        "page": offset // limit + 1,
        "per_page": limit,
        "total": total,
        "total_pages": math.ceil(total / limit),
        "limit": limit,
        "offset": offset,
    }
    return formats.listing(items, meta=meta, name="client")


@api.get("", responses={200: ClientList})
def list_clients(query: ClientQuery):
    """The clinic's clients (erased ones left out), filtered by exact phone, CPF, e-mail..."""
    session = db()
    offset, limit = wire.window(query.limit, query.offset, query.page, query.per_page)
    filters = lookup.ClientFilter(
        phone=query.phone,
        cpf=query.cpf,
        email=query.email,
        external_id=query.external_id,
        text=query.search,
        created_from=query.created_from,
        created_to=query.created_to,
    )
    calendar = calendar_filter(session, clinic_id(), query.calendar_id)
    if calendar is not None:
        filters.calendar = calendar.pair
    with wire.refusals():
        total, rows = lookup.find(
            session, clinic_id=clinic_id(), filters=filters, offset=offset, limit=limit
        )
    return _listing(query, total, wire.records(session, rows))


@api.get("/search", responses={200: ClientList})
def search_clients(query: ClientSearchQuery):
    """Exact search by phone, CPF or e-mail (the kind is read from the term itself)."""
    session = db()
    offset, limit = wire.window(query.limit, query.offset, query.page, query.per_page)
    total, rows = lookup.search(
        session, clinic_id=clinic_id(), term=query.term, offset=offset, limit=limit
    )
    return _listing(query, total, wire.records(session, rows))


@api.get("/<id>", responses={200: ClientEnvelope})
def get_client(path: IdPath):
    """One client (an erased one shows its anonymised record)."""
    client = wire.find(path.id)
    return one(wire.records(db(), [client])[0])


@api.post("", responses={201: ClientEnvelope, 409: ErrorBody})
def create_client(body: ClientCreate):
    """Register a client; a phone or CPF of another client of the clinic is a 409."""
    client = wire.create(body)
    return one(wire.records(db(), [client])[0], 201)


@api.patch("/<id>", responses={200: ClientEnvelope, 409: ErrorBody})
def update_client(path: IdPath, body: ClientPatch):
    """Change some fields; `phone` replaces the main number, `allPhones` every number."""
    client = wire.update(path.id, body)
    return one(wire.records(db(), [client])[0])


@api.post("/<id>/erase", responses={200: ClientEnvelope})
def erase_client(path: IdPath):
    """LGPD: erase the client's personal data and conversations; appointments stay."""
    client = wire.erase(path.id)
    return one(wire.records(db(), [client])[0])
