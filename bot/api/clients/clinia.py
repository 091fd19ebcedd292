"""/clients exactly as the Clinia client integration spec describes it, for a bot built for it.

Bare JSON arrays and objects (no envelope), `limit`/`offset` paging, and 200 on create: the spec
treats any other status as an error. Errors still come in the API's envelope. The same business
functions and rules as /api/v1/clients apply (see wire.py).
"""

from __future__ import annotations

from flask import jsonify
from pydantic import ConfigDict, Field, RootModel

from bot.api.auth import clinic_id
from bot.api.clients import wire as client_io
from bot.api.clients.schemas import ClientCreate, ClientOut, ClientPatch, NoNul
from bot.api.common import MAX_PER_PAGE, IdPath, api_blueprint
from bot.api.errors import ErrorBody
from bot.domain.patients import lookup
from bot.web.db import db

api = api_blueprint(
    "clinia",
    __name__,
    url_prefix="/clients",
    tag="Clinia-compatible clients",
    description="The Clinia client integration spec's endpoints, as it describes them.",
)


class ClientArray(RootModel[list[ClientOut]]):
    """A JSON array of Client objects."""


class CliniaPaging(NoNul):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(MAX_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class CliniaTermQuery(CliniaPaging):
    term: str = Field(
        min_length=1, max_length=254, description="Phone, CPF or e-mail (exact match)"
    )


def _array(session, clients):
    return jsonify(client_io.publics(session, clients))


@api.get("", responses={200: ClientArray})
def clinia_list(query: CliniaPaging):
    """Every client of the clinic (erased ones left out), `limit`/`offset` paged."""
    session = db()
    _total, rows = lookup.find(
        session,
        clinic_id=clinic_id(),
        filters=lookup.ClientFilter(),
        offset=query.offset,
        limit=query.limit,
    )
    return _array(session, rows)


@api.get("/search", responses={200: ClientArray})
def clinia_search(query: CliniaTermQuery):
    """Clients matching the term exactly (phone in either 9th-digit form, CPF, e-mail)."""
    session = db()
    _total, rows = lookup.search(
        session, clinic_id=clinic_id(), term=query.term, offset=query.offset, limit=query.limit
    )
    return _array(session, rows)


@api.get("/<id>", responses={200: ClientOut})
def clinia_get(path: IdPath):
    """One Client object."""
    client = client_io.find(path.id)
    return jsonify(client_io.publics(db(), [client])[0])


@api.post("", responses={200: ClientOut, 409: ErrorBody})
def clinia_create(body: ClientCreate):
    """Create a client; answers 200 with the Client object, as the spec requires."""
    client = client_io.create(body)
    return jsonify(client_io.publics(db(), [client])[0])


@api.patch("/<id>", responses={200: ClientOut, 409: ErrorBody})
def clinia_update(path: IdPath, body: ClientPatch):
    """Change the fields sent; answers 200 with the updated Client object."""
    client = client_io.update(path.id, body)
    return jsonify(client_io.publics(db(), [client])[0])
