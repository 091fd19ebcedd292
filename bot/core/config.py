"""Settings from the environment, with safe defaults for development."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

TRUTHY = {"1", "true", "yes", "on"}
OUTBOUND_TRANSPORTS = ("outbox", "twilio")


class ConfigError(ValueError):
    """A setting with a value that cannot work; the message names it."""


def from_environment(instance_path: str) -> dict[str, Any]:
    """Read every setting the app knows from os.environ (values stay strings: no JSON parsing)."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "agendai.db")
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or default_db,
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID", ""),
        # How outbound messages leave: "outbox" (stored only; development, tests) or "twilio".
        "OUTBOUND_TRANSPORT": _choice(env, "OUTBOUND_TRANSPORT", OUTBOUND_TRANSPORTS),
        "TWILIO_SKIP_SIGNATURE": env.get("TWILIO_SKIP_SIGNATURE", "").lower() in TRUTHY,
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "PROXY_COUNT": _int(env, "PROXY_COUNT", 0),
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        # The REST API: requests per minute per key, and where the counts live (memory:// or redis://).
        "API_RATE_LIMIT": _int(env, "API_RATE_LIMIT", 60) or 60,
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
    }


def _int(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    return value


def _choice(env: os._Environ[str] | dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (case-insensitive); the first one when unset."""
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw
