"""`Idempotency-Key` on POSTs: a retried create gets the first answer, and runs only once.

Before the view runs, the key is claimed by inserting an in-progress IdempotencyRecord and
committing, so of two concurrent retries only one can claim it (unique api_key_id + key); the
other is told the first is still running. After the view, its answer is stored on the record
(status < 500), or the record is dropped (5xx: the client may try again).

A worker killed between the view's commit and the answer being stored leaves the record in
progress: retries then get 409 until it expires, rather than risking the create running twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, Response, g, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from bot.api.auth import CLINIC_HEADER
from bot.api.errors import ApiError, is_api_request
from bot.web.db import clock, db
from models import IdempotencyRecord

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEEP = timedelta(hours=24)  # an older record is ignored (and deleted): the key may be reused
IN_PROGRESS = 0  # the status of a record whose request is still running
_RECORD = "idempotency_record_id"


class IdempotencyHeader(BaseModel):
    """Declare `header: IdempotencyHeader` on a POST view to document the header."""

    model_config = ConfigDict(populate_by_name=True)

    # Typed `str` (not `str | None`) so the document shows one plain string with its limits.
    idempotency_key: str = Field(  # type: ignore[assignment]
        None,
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="Any unique string (e.g. a UUID): a retry with the same key and the same "
        "request gets the first answer again (Idempotent-Replayed: true) instead of a second "
        "create. Kept for 24 hours.",
    )


def init(app: Flask) -> None:
    """Attach the request hooks (after authentication)."""
    app.before_request(_claim)
    app.after_request(_store)
    app.teardown_request(_release)


def _applies() -> bool:
    return request.method == "POST" and is_api_request() and g.get("api_key") is not None


def _claim() -> Response | None:
    """Claim the key for this request, or answer a retry without running the view."""
    if not _applies() or HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ApiError(
            "INVALID_PARAMETER",
            details=[
                {
                    "code": "invalid_idempotency_key",
                    "message": f"{HEADER} must have 1 to {MAX_KEY_LENGTH} characters",
                    "path": [HEADER],
                }
            ],
        )
    fingerprint = _fingerprint()
    session = db()
    for _ in range(3):
        record_id = _insert(session, key, fingerprint)
        if record_id is not None:
            g.setdefault(_RECORD, record_id)
            return None
        existing = session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == g.api_key.id, IdempotencyRecord.key == key
            )
        ).first()
        session.commit()  # end the read before the view runs (SQLite: it holds the write lock)
        if existing is not None:
            return _answer(existing, fingerprint)
        # The first request failed (5xx) and dropped its record in between: claim it again.
    raise _conflict("idempotency_key_in_progress", "a request with this key is still running")


def _insert(session: Session, key: str, fingerprint: str) -> int | None:
    """The new in-progress record's id (committed), or None when the key is already taken."""
    now = clock().now()
    session.execute(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.api_key_id) == g.api_key.id,
            col(IdempotencyRecord.created_at) < now - KEEP,
        )
    )
    record = IdempotencyRecord(
        api_key_id=g.api_key.id,
        key=key,
        fingerprint=fingerprint,
        status=IN_PROGRESS,
        body="",
        created_at=now,
    )
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return record.id


def _answer(existing: IdempotencyRecord, fingerprint: str) -> Response:
    if existing.fingerprint != fingerprint:
        raise _conflict(
            "idempotency_key_reused", f"this {HEADER} was used with a different request"
        )
    if existing.status == IN_PROGRESS:
        raise _conflict("idempotency_key_in_progress", "a request with this key is still running")
    response = Response(existing.body, status=existing.status, mimetype="application/json")
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _conflict(code: str, message: str) -> ApiError:
    return ApiError("CONFLICT", details=[{"code": code, "message": message, "path": [HEADER]}])


def _fingerprint() -> str:
    """Method, path, query, the clinic an admin key names, and a digest of the body.

    A JSON body is compared by meaning, so a retry that re-serialises it the same way matches.
    """
    body = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = body
    parts = (
        request.method,
        request.path,
        urlencode(sorted(request.args.items(multi=True))),
        request.headers.get(CLINIC_HEADER, "").strip(),
        hashlib.sha256(canonical).hexdigest(),
    )
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _store(response: Response) -> Response:
    """Keep the view's answer for retries; a server error is not kept (try again)."""
    record_id = g.pop(_RECORD, None)
    if record_id is None:
        return response
    session = db()
    # Anything the view left uncommitted is discarded at teardown anyway; end it now so this
    # write does not wait behind it (on SQLite the open transaction holds the write lock).
    session.rollback()
    row = col(IdempotencyRecord.id) == record_id
    try:
        if response.status_code >= 500 or response.direct_passthrough:
            session.execute(delete(IdempotencyRecord).where(row))
        else:
            # Buffers an iterable answer (error answers come wrapped in one) so it is kept whole.
            body = response.get_data(as_text=True)
            status = response.status_code
            session.execute(update(IdempotencyRecord).where(row).values(status=status, body=body))
        session.commit()
    except SQLAlchemyError:
        # The change itself is committed: leaving the record in progress blocks retries (409)
        # instead of letting them create a second time.
        session.rollback()
        log.exception("could not store the answer of idempotency record %s", record_id)
    return response


def _release(_exc: BaseException | None) -> None:
    """A request that ended without an answer (after_request never ran) frees its key."""
    record_id = g.pop(_RECORD, None)
    if record_id is None:
        return
    session = db()
    try:
        session.rollback()
        session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record_id))
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not release idempotency record %s", record_id)
