"""The integrator REST API under /api/v1 (and the Clinia-spec /clients paths).

Every view is scoped to the calling key's clinic (auth.clinic_id()); errors use one envelope
(errors.py); lists come as JSON, XML or CSV (formats.py); the OpenAPI document is generated from
the views' pydantic models by flask-openapi3.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_openapi3 import OpenAPI

from bot.api import (
    account,
    appointments,
    audit,
    auth,
    calendars,
    clients,
    conversations,
    errors,
    idempotency,
    limits,
    setup,
    statistics,
    webhooks,
)
from bot.api.clients import clinia

# Each resource (a package or a module) exposes `api`, an APIBlueprint; this order is the docs'.
RESOURCES = (
    account,
    clients,
    clinia,
    appointments,
    calendars,
    setup,
    statistics,
    conversations,
    webhooks,
    audit,
)


def refuse_nul_characters() -> None:
    """A NUL character in any text is a 400: PostgreSQL cannot store one (and no one means one)."""
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise _nul([name])
    if request.method in ("POST", "PUT", "PATCH"):
        found = _nul_path(request.get_json(silent=True), [])
        if found is not None:
            raise _nul(found)


def _nul_path(value: Any, path: list[str | int]) -> list[str | int] | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        if isinstance(key, str) and "\x00" in key:
            return [*path, key]
        found = _nul_path(inner, [*path, key])
        if found is not None:
            return found
    return None


def _nul(path: list[str | int]) -> errors.ApiError:
    return errors.ApiError(
        "INVALID_PARAMETER",
        details=[{"code": "nul_character", "message": "text may not contain NUL", "path": path}],
    )


def init_api(app: OpenAPI) -> None:
    """Errors, authentication, rate limits, then every resource's blueprint."""
    errors.register(app)

    @app.before_request
    def _authenticate() -> None:
        if errors.is_api_request():
            auth.authenticate()
            refuse_nul_characters()

    limits.init(app)  # after authentication: the limit is counted per key
    idempotency.init(app)  # after both: a replayed POST still counts against the limit
    for module in RESOURCES:
        app.register_api(module.api)
