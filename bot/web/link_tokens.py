"""Signed tokens for the links a patient opens to cancel or reschedule an appointment.

No login: the token is the key. It names the clinic and the appointment, is signed with the app's
SECRET_KEY (itsdangerous, one salt per action so a cancel token cannot reschedule) and expires
when the appointment starts. It also carries the appointment's creation instant (microseconds):
ids are never reused, and even a row that somehow got a deleted appointment's id was created at
another instant, so an old link finds no appointment rather than acting on someone else's.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer

from models import OPEN_STATUSES, Appointment

log = logging.getLogger(__name__)

ACTIONS = ("cancel", "reschedule")
_WARNED = "agendai.links_warned"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class LinkToken(NamedTuple):
    """What a genuine, unexpired token names: one appointment, created at `created` (µs)."""

    clinic_id: int
    appointment_id: int
    created: int


def instant(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (no float rounding); naive instants are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def names(token: LinkToken, appointment: Appointment | None) -> bool:
    """Whether `appointment` is the very one the token was made for (not a row with its id)."""
    return (
        appointment is not None
        and appointment.id == token.appointment_id
        and appointment.clinic_id == token.clinic_id
        and instant(appointment.created_at) == token.created
    )


def _serializer(secret: str, action: str) -> URLSafeSerializer:
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r}")
    return URLSafeSerializer(secret, salt=f"agendai.link.{action}")


def make_token(
    secret: str,
    action: str,
    *,
    clinic_id: int,
    appointment_id: int,
    created_at: datetime,
    expires: datetime,
) -> str:
    """A token for `action` on one appointment (created at `created_at`), valid until `expires`."""
    payload = [clinic_id, appointment_id, int(expires.timestamp()), instant(created_at)]
    return str(_serializer(secret, action).dumps(payload))


def read_token(secret: str, action: str, token: str, *, now: datetime) -> LinkToken | None:
    """What a genuine, unexpired token for `action` names; else None."""
    if not secret or len(token) > 200:
        return None
    try:
        payload = _serializer(secret, action).loads(token)
    except BadData:
        return None
    if (
        not isinstance(payload, list)
        or len(payload) != 4  # tokens without the creation instant are not honoured
        or not all(type(part) is int for part in payload)
    ):
        return None
    clinic_id, appointment_id, expires, created = payload
    if now.timestamp() >= expires:
        return None
    return LinkToken(clinic_id, appointment_id, created)


def secret_key() -> str:
    """The app's SECRET_KEY ("" when unset: then no link is made)."""
    return str(current_app.config.get("SECRET_KEY") or "")


def link_urls(appointment: Appointment, *, now: datetime) -> dict[str, str | None]:
    """`cancel_url` and `reschedule_url` of an appointment a patient can still change.

    None when it is closed or has started, and when SECRET_KEY is unset (never sign with a
    guessable key: the links would let anyone cancel anyone's appointment).
    """
    urls: dict[str, str | None] = {"cancel_url": None, "reschedule_url": None}
    if appointment.status not in OPEN_STATUSES or appointment.start <= now:
        return urls
    secret = secret_key()
    if not secret:
        if not current_app.extensions.get(_WARNED):
            current_app.extensions[_WARNED] = True
            log.warning("SECRET_KEY is not set: appointments get no cancel/reschedule links")
        return urls
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")
    for action in ACTIONS:
        token = make_token(
            secret,
            action,
            clinic_id=appointment.clinic_id,
            appointment_id=appointment.id or 0,
            created_at=appointment.created_at,
            expires=appointment.start,
        )
        urls[f"{action}_url"] = base + url_for(f"links.{action}_page", token=token)
    return urls
