"""One log line per event, each carrying the id of the request it belongs to."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

FORMAT = "%(asctime)s %(levelname)s %(name)s rid=%(request_id)s %(message)s"
# A caller's id is kept only when it is short and plain, so it cannot forge log lines.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SIGNED_LINK = re.compile(r"^(/a/[a-z]+/).+")

log = logging.getLogger("agendai.http")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(level: str) -> None:
    """Send logs to stderr, one line each, with the request id (idempotent)."""
    root = logging.getLogger()
    if not any(getattr(handler, "_agendai", False) for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RequestIdFilter())
        handler._agendai = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)


def init_request_logging(app: Flask) -> None:
    """Give each request an id (X-Request-Id when sane) and log one line when it ends."""

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        log.info(
            "%s %s %s %.1fms", request.method, loggable_path(), response.status_code, elapsed_ms
        )
        return response


def loggable_path() -> str:
    """The request's path for a log line, without a signed link's token (valid until it expires)."""
    return _SIGNED_LINK.sub(r"\1…", request.path)
