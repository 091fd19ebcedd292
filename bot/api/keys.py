"""API keys: made once, shown once, stored as a SHA-256; checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from models import ApiKey, Clinic, KeyKind

PREFIXES = {KeyKind.live: "agd_live_", KeyKind.test: "agd_test_", KeyKind.admin: "agd_admin_"}
# Characters of the secret kept in `prefix`: enough to tell a clinic's keys apart in a list.
VISIBLE = 8
# `last_used_at` is written at most this often per key, not on every request.
LAST_USE_PRECISION = timedelta(minutes=1)


class InvalidKeyRequest(ValueError):
    """A key that cannot be created as asked; the message says why."""


def digest(key: str) -> str:
    """The stored form of a key (its secret has 256 bits: a plain SHA-256 is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def visible_prefix(key: str) -> str:
    kind = next((p for p in PREFIXES.values() if key.startswith(p)), "")
    return key[: len(kind) + VISIBLE]


def create(
    session: Session,
    *,
    clinic_id: int | None,
    name: str,
    kind: KeyKind,
    now: datetime,
    rate_limit: int | None = None,
) -> tuple[ApiKey, str]:
    """Make a key and commit; returns the row and the key itself (shown once, never stored)."""
    if kind is KeyKind.admin and clinic_id is not None:
        raise InvalidKeyRequest("an admin key works on every clinic: give no clinic")
    if kind is not KeyKind.admin:
        clinic = session.get(Clinic, clinic_id) if clinic_id is not None else None
        if clinic is None:
            raise InvalidKeyRequest(f"no clinic with id {clinic_id}")
        if (kind is KeyKind.test) != (clinic.sandbox_of_id is not None):
            raise InvalidKeyRequest(
                "agd_test_ keys work on a sandbox clinic only, agd_live_ never do"
            )
    if rate_limit is not None and rate_limit < 1:
        raise InvalidKeyRequest("rate limit must be at least 1 request per minute")
    key = PREFIXES[kind] + secrets.token_urlsafe(32)
    row = ApiKey(
        clinic_id=clinic_id,
        kind=kind,
        name=name.strip() or "unnamed",
        prefix=visible_prefix(key),
        hash=digest(key),
        rate_limit=rate_limit,
        created_at=now,
    )
    session.add(row)
    session.commit()
    return row, key


def verify(session: Session, presented: str, *, now: datetime) -> ApiKey | None:
    """The active key matching `presented`, or None; records when it was last used."""
    if not presented or len(presented) > 200:
        return None
    wanted = digest(presented)
    candidates = session.exec(
        select(ApiKey).where(
            ApiKey.prefix == visible_prefix(presented), col(ApiKey.revoked_at).is_(None)
        )
    ).all()
    found = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.hash, wanted):
            found = candidate
    if found is not None:
        _touch(session, found, now)
    return found


def _touch(session: Session, key: ApiKey, now: datetime) -> None:
    session.exec(
        update(ApiKey)
        .where(
            col(ApiKey.id) == key.id,
            or_(
                col(ApiKey.last_used_at).is_(None),
                col(ApiKey.last_used_at) < now - LAST_USE_PRECISION,
            ),
        )
        .values(last_used_at=now)
    )
    session.commit()


def listing(session: Session, *, clinic_id: int | None = None) -> list[ApiKey]:
    """Keys, newest first; one clinic's (with its sandbox's) when `clinic_id` is given."""
    query = select(ApiKey).order_by(col(ApiKey.id).desc())
    if clinic_id is not None:
        sandboxes = select(Clinic.id).where(Clinic.sandbox_of_id == clinic_id)
        query = query.where(
            or_(col(ApiKey.clinic_id) == clinic_id, col(ApiKey.clinic_id).in_(sandboxes))
        )
    return list(session.exec(query))


def revoke(session: Session, *, prefix: str, now: datetime) -> ApiKey:
    """Revoke the key shown as `prefix` (from `keys list`) and commit."""
    matches = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).all()
    if len(matches) != 1:
        raise InvalidKeyRequest(f"no single key with prefix {prefix!r}")
    key = matches[0]
    if key.revoked_at is None:
        key.revoked_at = now
        session.commit()
    return key
