"""Pieces every resource shares: ids, paging, the list query, the response models."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from bot.api.errors import ApiError, ErrorBody, not_found
from models.base import is_id

MAX_PER_PAGE = 1000

# Field types of the response models. Times are the text iso() makes (ISO 8601 with an offset):
# a str, not a datetime, so model_dump() keeps it (pydantic would write "Z", Flask an HTTP date).
# `example`, not `examples`: flask-openapi3's OpenAPI schema keeps only the former.
Timestamp = Annotated[
    str, Field(json_schema_extra={"format": "date-time", "example": "2025-12-10T12:00:00+00:00"})
]
Day = Annotated[str, Field(json_schema_extra={"format": "date", "example": "2025-12-10"})]
Id = Annotated[
    str,
    Field(description="The resource's id (an opaque string)", json_schema_extra={"example": "42"}),
]


class IdPath(BaseModel):
    id: str = Field(description="The resource's id (an opaque string)")


class Query(BaseModel):
    """A query string: a parameter the model does not name is a 400 INVALID_PARAMETER naming it.

    Never ignored: a misspelt or foreign filter (`customer_id`, `page_size`) would otherwise
    answer with everyone's rows as if it had filtered.
    """

    model_config = ConfigDict(extra="forbid")


class Page(Query):
    """`page` / `per_page` paging (per_page up to 1000) and the output format of a list."""

    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)
    format: Literal["json", "xml", "csv"] | None = Field(
        None, description="json (default), xml or csv; the Accept header works too"
    )


class PageMeta(BaseModel):
    page: int
    per_page: int
    total: int
    total_pages: int


def page_meta(query: Page, total: int) -> dict[str, int]:
    return {
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
        "total_pages": math.ceil(total / query.per_page) if total else 0,
    }


def parse_id(value: str | int | None, what: str = "resource") -> int:
    """Our ids are opaque strings to integrators; anything that is not one of ours is a 404."""
    text = str(value).strip() if value is not None else ""
    if not is_id(text):
        raise not_found(what)
    return int(text)


def optional_id(value: str | None, field: str) -> int | None:
    """A reference to another resource in a body or filter; a malformed one is a 400."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not is_id(text):
        raise ApiError(
            "INVALID_PARAMETER",
            details=[
                {"code": "invalid_id", "message": f"{field} is not a valid id", "path": [field]}
            ],
        )
    return int(text)


def ident(value: int | None) -> str | None:
    """An id as integrators see it."""
    return None if value is None else str(value)


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def one(item: dict[str, Any], status: int = 200) -> Response:
    """A single resource: `{"data": {...}}`."""
    response = jsonify({"data": item})
    response.status_code = status
    return response


class Envelope(BaseModel):
    """`{"data": ...}` around one resource."""

    data: dict[str, Any]


class ListEnvelope(BaseModel):
    """`{"data": [...], "meta": {...}}` around a page of resources; also served as XML and CSV.

    Subclass it for a list's response model so the document declares the three formats.
    """

    model_config = ConfigDict(
        openapi_extra={
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    )

    data: list[dict[str, Any]]
    meta: dict[str, Any]


SECURITY = [{"apiKey": []}, {"bearer": []}, {"adminKey": []}]
SECURITY_SCHEMES = {
    "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "adminKey": {"type": "apiKey", "in": "header", "name": "x-admin-api-key"},
}


def api_blueprint(
    name: str, import_name: str, *, url_prefix: str, tag: str, description: str = ""
) -> APIBlueprint:
    """An APIBlueprint with the API's security, tag and error answers declared once."""
    return APIBlueprint(
        name,
        import_name,
        url_prefix=url_prefix,
        abp_tags=[Tag(name=tag, description=description)],
        abp_security=SECURITY,
        abp_responses={
            "400": ErrorBody,
            "401": ErrorBody,
            "403": ErrorBody,
            "404": ErrorBody,
            "429": ErrorBody,
        },
    )
