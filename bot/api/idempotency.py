"""(being written) `Idempotency-Key` on POSTs: a retried create gets the first answer."""

from __future__ import annotations

from flask import Flask


def init(app: Flask) -> None:
    """Attach the request hooks (after authentication)."""
