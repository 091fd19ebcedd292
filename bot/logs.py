"""One log line per event."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str) -> None:
    """Send the app's logs to stderr, one line each (idempotent)."""
    logger = logging.getLogger()
    if not any(getattr(handler, "_agendai", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._agendai = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
