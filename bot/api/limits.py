"""Requests per minute per key (60 by default, per key configurable), shared through Redis.

`RATELIMIT_STORAGE_URI` (e.g. redis://127.0.0.1:6379/0) makes every gunicorn worker count against
one total; the default, memory://, counts per process.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_limiter import Limiter


def _key() -> str:
    key = g.get("api_key")
    return f"key:{key.id}" if key is not None else "-"


def _limit() -> str:
    key = g.get("api_key")
    per_minute = (key.rate_limit if key is not None else None) or current_app.config[
        "API_RATE_LIMIT"
    ]
    return f"{per_minute} per minute"


def _exempt() -> bool:
    # Only authenticated API calls count: authenticate() runs first and refuses the others.
    return g.get("api_key") is None


def init(app: Flask) -> Limiter:
    """One limiter per app (tests build many apps), counting every API call of a key together."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(
        key_func=_key,
        application_limits=[_limit],
        application_limits_exempt_when=_exempt,
        retry_after="delta-seconds",
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "agendai"),
    )
    limiter.request_filter(_exempt)  # webhooks and docs skip the limiter before any work
    limiter.init_app(app)
    app.extensions["agendai.limiter"] = limiter
    return limiter
