"""The calling key itself, and the clinics an admin key reaches."""

from __future__ import annotations

from typing import Any, Literal

from flask import current_app
from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from bot.api import auth, formats
from bot.api.common import (
    Id,
    ListEnvelope,
    Page,
    PageMeta,
    Timestamp,
    api_blueprint,
    ident,
    iso,
    one,
    page_meta,
)
from bot.web.db import db
from models import Clinic

api = api_blueprint("account", __name__, url_prefix="/api/v1", tag="Account")


class KeyOut(BaseModel):
    """The API key making the request (never the key itself)."""

    prefix: str = Field(description="The key's first characters, e.g. agd_live_3fK9xQ2a")
    name: str = Field(description="The name given to the key when it was made")
    kind: Literal["live", "test", "admin"] = Field(
        description="live: the clinic's data; test: its sandbox; admin: every clinic"
    )
    clinic_id: str | None = Field(description="The key's clinic; null for an admin key")
    rate_limit_per_minute: int = Field(description="Requests allowed per minute")
    created_at: Timestamp


class KeyEnvelope(BaseModel):
    """`{"data": key}`."""

    data: KeyOut


class ClinicOut(BaseModel):
    """A clinic an admin key reaches."""

    id: Id
    name: str
    slug: str = Field(description="Its short unique name")
    sandbox: bool = Field(description="true: the generated-data clinic of test keys")


class ClinicList(ListEnvelope):
    """A page of clinics."""

    data: list[ClinicOut]
    meta: PageMeta


@api.get("/me", responses={200: KeyEnvelope})
def me():
    """The key making the request: its clinic, kind and rate limit."""
    key = auth.current_key()
    info = KeyOut(
        prefix=key.prefix,
        name=key.name,
        kind=key.kind.value,
        clinic_id=ident(key.clinic_id),
        rate_limit_per_minute=key.rate_limit or current_app.config["API_RATE_LIMIT"],
        created_at=iso(key.created_at) or "",
    )
    return one(info.model_dump())


def clinic_public(clinic: Clinic) -> dict[str, Any]:
    """A clinic as an admin key sees it."""
    return ClinicOut(
        id=str(clinic.id),
        name=clinic.name,
        slug=clinic.slug,
        sandbox=clinic.sandbox_of_id is not None,
    ).model_dump()


@api.get("/admin/clinics", responses={200: ClinicList})
def admin_clinics(query: Page):
    """Every clinic (admin keys only): use an id in X-Clinic-Id to act on that clinic."""
    auth.require_admin()
    session = db()
    total = session.exec(select(func.count()).select_from(Clinic)).one()
    rows = session.exec(
        select(Clinic)
        .order_by(col(Clinic.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing(
        [clinic_public(c) for c in rows], meta=page_meta(query, total), name="clinic"
    )
