"""Events out: POST each queued WebhookDelivery to its endpoint, signed, retried with back-off.

A pass claims the due rows in one short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite
serialises writers) by pushing their `next_attempt_at` past a lease, commits, and only then calls
the clinic's URL, so no transaction is open while we wait on the network. Two workers never send
the same row: the second one no longer sees it as due. A worker that dies mid-pass leaves its rows
to come due again when the lease ends, so an event may arrive twice (never zero times): receivers
deduplicate on `X-Agendai-Event-Id`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.worker import run_until_stopped
from models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds for the clinic's system to answer one POST
# Waits after the 1st, 2nd, ... failed attempt; after the last one the delivery is `failed`.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
PASS_LIMIT = 50  # deliveries claimed by one pass
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SIGNATURE_HEADER = "X-Agendai-Signature"
SIGNATURE_TOLERANCE = timedelta(minutes=5)
USER_AGENT = "Agendai-Webhooks/1.0"
ERROR_LIMIT = 500  # characters of last_error kept


class Http(Protocol):
    """What deliver_due needs of `requests` (a Session works too)."""

    def post(self, url: str, **kwargs: Any) -> requests.Response: ...


@dataclass
class DeliveryReport:
    """What one pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """Deliveries attempted in the pass."""
        return self.delivered + self.retrying + self.failed

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed"


@dataclass(frozen=True)
class _Job:
    """A claimed delivery, copied out of the session so no transaction stays open while sending."""

    id: int
    event_id: str
    event_type: str
    attempt: int
    body: bytes
    url: str | None  # None when the endpoint was deactivated after the event was queued
    secret: str


def sign(secret: str, body: bytes | str, timestamp: int) -> str:
    """The X-Agendai-Signature value: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + raw, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(
    secret: str,
    body: bytes | str,
    header: str,
    *,
    now: datetime,
    tolerance: timedelta = SIGNATURE_TOLERANCE,
) -> bool:
    """What a clinic's system does: True when `header` signs `body` with `secret`, recently."""
    parts = [part.partition("=") for part in header.split(",")]
    stamps = [value.strip() for name, _, value in parts if name.strip() == "t"]
    candidates = [value.strip() for name, _, value in parts if name.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not candidates:
        return False
    timestamp = int(stamps[0])
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False  # an old signed request replayed by someone who captured it
    expected = sign(secret, body, timestamp).partition(",v1=")[2]
    # Several v1 values are allowed so a secret can be rotated without losing events.
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


def deliver_due(
    session: Session,
    *,
    clock: Clock,
    http: Http | None = None,
    limit: int = PASS_LIMIT,
    timeout: float = TIMEOUT,
) -> DeliveryReport:
    """Claim up to `limit` due deliveries, POST each one, record every attempt; one pass."""
    report = DeliveryReport()
    for job in _claim(session, now=clock.now(), limit=limit, timeout=timeout):
        status_code, error = _post(job, http or requests, clock.now(), timeout)
        outcome = _record(session, job, status_code, error, clock.now())
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _claim(session: Session, *, now: datetime, limit: int, timeout: float) -> list[_Job]:
    """Take the due rows for this worker (a lease on next_attempt_at) and commit."""
    # Long enough to send the whole batch even if every POST times out.
    lease = timedelta(seconds=timeout * limit + 60)
    rows = session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        session.commit()
        return []
    endpoint_ids = {row.endpoint_id for row in rows}
    endpoints = {
        e.id: e
        for e in session.exec(
            select(WebhookEndpoint).where(col(WebhookEndpoint.id).in_(endpoint_ids))
        )
    }
    jobs = [_job(row, endpoints.get(row.endpoint_id)) for row in rows]
    # The attempt is counted when claimed: a worker that keeps dying on a row still uses it up.
    session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id).in_([job.id for job in jobs]))
        .values(next_attempt_at=now + lease, attempts=col(WebhookDelivery.attempts) + 1),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return jobs


def _job(row: WebhookDelivery, endpoint: WebhookEndpoint | None) -> _Job:
    active = endpoint is not None and endpoint.active
    return _Job(
        id=row.id,  # type: ignore[arg-type]
        event_id=row.event_id,
        event_type=row.event_type,
        attempt=row.attempts + 1,
        body=json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        url=endpoint.url if active else None,  # type: ignore[union-attr]
        secret=endpoint.secret if active else "",  # type: ignore[union-attr]
    )


def _post(job: _Job, http: Http, now: datetime, timeout: float) -> tuple[int | None, str]:
    """One HTTP attempt: (status code or None, error text; "" when delivered)."""
    if job.url is None:
        return None, "endpoint deactivated"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Agendai-Event": job.event_type,
        "X-Agendai-Event-Id": job.event_id,
        "X-Agendai-Delivery": str(job.id),
        SIGNATURE_HEADER: sign(job.secret, job.body, int(now.timestamp())),
    }
    try:
        # A redirect is not followed: it would turn the POST into a GET somewhere else.
        response = http.post(
            job.url, data=job.body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.Timeout:
        return None, f"timeout: no answer within {timeout:g} s"
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    snippet = " ".join((response.text or "")[:200].split())
    return response.status_code, f"HTTP {response.status_code}: {snippet}".strip()[:ERROR_LIMIT]


def _record(session: Session, job: _Job, status_code: int | None, error: str, now: datetime) -> str:
    """Write the attempt's outcome on the row; returns delivered / retrying / failed."""
    values: dict[str, Any] = {"last_status_code": status_code, "last_error": error}
    if not error:
        outcome = "delivered"
        values |= {"status": DELIVERED, "delivered_at": now}
    elif job.url is None or job.attempt >= MAX_ATTEMPTS:
        outcome, values["status"] = "failed", FAILED
    else:
        outcome, values["next_attempt_at"] = "retrying", now + BACKOFF[job.attempt - 1]
    session.execute(update(WebhookDelivery).where(col(WebhookDelivery.id) == job.id).values(values))
    session.commit()
    # No URL, payload or error text here: they may carry tokens or a patient's data.
    log.info(
        "webhook delivery %s (%s %s) attempt %s: %s%s",
        job.id,
        job.event_type,
        job.event_id,
        job.attempt,
        outcome,
        "" if status_code is None else f" (HTTP {status_code})",
    )
    return outcome


def run_forever(
    session_factory: Callable[[], Session],
    *,
    clock: Clock,
    interval: float,
    echo: Callable[[str], Any] = print,
) -> None:
    """A pass every `interval` seconds until SIGTERM or Ctrl-C (at once while more are due)."""

    def one_pass(_should_stop: Callable[[], bool]) -> bool:
        with session_factory() as session:
            report = deliver_due(session, clock=clock)
        if report.total:
            echo(f"events: {report}")
        return report.total >= PASS_LIMIT  # more may be due: go on without waiting

    run_until_stopped(one_pass, name="events", interval=interval, echo=echo)
