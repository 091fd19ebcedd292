"""Who is calling: the API key of the request and the clinic it reaches."""

from __future__ import annotations

from flask import g, request

from bot.api import keys
from bot.api.errors import ApiError
from bot.web.db import clock, db
from models import ApiKey, Clinic, KeyKind
from models.base import is_id

ADMIN_HEADER = "x-admin-api-key"
CLINIC_HEADER = "X-Clinic-Id"
# Blueprints anyone may read: the OpenAPI document and its pages.
PUBLIC_BLUEPRINTS = {"openapi", "swagger"}


def authenticate() -> None:
    """before_request of the API: find the key, or answer 401; views then scope by it."""
    if request.blueprint in PUBLIC_BLUEPRINTS or request.method == "OPTIONS":
        return
    admin = request.headers.get(ADMIN_HEADER, "").strip()
    presented = admin or request.headers.get("x-api-key", "").strip() or _bearer()
    if not presented:
        raise ApiError("AUTH_REQUIRED")
    key = keys.verify(db(), presented, now=clock().now())
    if key is None or (key.kind is KeyKind.admin) != bool(admin):
        raise ApiError("AUTH_INVALID")
    g.api_key = key


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_key() -> ApiKey:
    """The request's key (authenticate() ran before any view)."""
    return g.api_key


def is_admin() -> bool:
    return current_key().kind is KeyKind.admin


def clinic_id() -> int:
    """The clinic every query of this request is scoped to.

    A clinic key reaches its own clinic only; an admin key names one with the X-Clinic-Id header.
    """
    key = current_key()
    if key.kind is not KeyKind.admin:
        assert key.clinic_id is not None
        return key.clinic_id
    raw = request.headers.get(CLINIC_HEADER, "").strip()
    if not raw:
        raise ApiError(
            "MISSING_REQUIRED_FIELD",
            details=[
                {
                    "code": "missing",
                    "message": "admin keys name the clinic in the X-Clinic-Id header",
                    "path": [CLINIC_HEADER],
                }
            ],
        )
    clinic = db().get(Clinic, int(raw)) if is_id(raw) else None
    if clinic is None:
        raise ApiError(
            "RESOURCE_NOT_FOUND",
            details=[{"code": "not_found", "message": "clinic not found", "path": [CLINIC_HEADER]}],
        )
    return clinic.id  # type: ignore[return-value]


def require_admin() -> None:
    """Only an admin key (x-admin-api-key) may go on."""
    if not is_admin():
        raise ApiError(
            "FORBIDDEN",
            details=[{"code": "admin_only", "message": "needs an x-admin-api-key"}],
        )
