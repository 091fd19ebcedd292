"""The integrator REST API under /api/v1 (and the Clinia-spec /clients paths).

Every view is scoped to the calling key's clinic (auth.clinic_id()); errors use one envelope
(errors.py); lists come as JSON, XML or CSV (formats.py); the OpenAPI document is generated from
the views' pydantic models by flask-openapi3.
"""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from bot.api import (
    account,
    appointments,
    audit,
    auth,
    calendars,
    clients,
    clinia,
    conversations,
    errors,
    idempotency,
    limits,
    setup,
    statistics,
    webhooks,
)

# Each module exposes `api`, an APIBlueprint; the order is the order of the documentation.
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


def init_api(app: OpenAPI) -> None:
    """Errors, authentication, rate limits, then every resource's blueprint."""
    errors.register(app)

    @app.before_request
    def _authenticate() -> None:
        if errors.is_api_request():
            auth.authenticate()

    limits.init(app)  # after authentication: the limit is counted per key
    idempotency.init(app)  # after both: a replayed POST still counts against the limit
    for module in RESOURCES:
        app.register_api(module.api)
