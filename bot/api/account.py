"""The calling key itself, and the clinics an admin key reaches."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlmodel import col, func, select

from bot.api import auth, formats
from bot.api.common import Envelope, ListEnvelope, Page, api_blueprint, ident, iso, one, page_meta
from bot.web import db
from models import Clinic

api = api_blueprint("account", __name__, url_prefix="/api/v1", tag="Account")


@api.get("/me", responses={200: Envelope})
def me():
    """The key making the request: its clinic, kind and rate limit."""
    key = auth.current_key()
    return one(
        {
            "prefix": key.prefix,
            "name": key.name,
            "kind": key.kind.value,
            "clinic_id": ident(key.clinic_id),
            "rate_limit_per_minute": key.rate_limit or current_app.config["API_RATE_LIMIT"],
            "created_at": iso(key.created_at),
        }
    )


def clinic_public(clinic: Clinic) -> dict[str, Any]:
    return {
        "id": ident(clinic.id),
        "name": clinic.name,
        "slug": clinic.slug,
        "sandbox": clinic.sandbox_of_id is not None,
    }


@api.get("/admin/clinics", responses={200: ListEnvelope})
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
