"""The audit trail: who changed what, with the record before and after (never commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from models import Actor, AuditEvent


@dataclass(frozen=True)
class Author:
    """Who makes a change: an API key (its prefix) today, a staff member or the system later."""

    kind: Actor
    ref: str

    @classmethod
    def api_key(cls, prefix: str) -> Author:
        """The API key whose prefix is `prefix`."""
        return cls(Actor.api_key, prefix)

    @property
    def label(self) -> str:
        """How the row names the author: a key's prefix as it is, anyone else as `kind:ref`."""
        return self.ref if self.kind is Actor.api_key else f"{self.kind.value}:{self.ref}"


def record(
    session: Session,
    *,
    clinic_id: int,
    by: Author,
    at: datetime,
    action: str,
    resource: str,
    resource_id: int | str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add the AuditEvent of a change to `session`, committed with the change by the caller."""
    event = AuditEvent(
        clinic_id=clinic_id,
        at=at,
        key_prefix=by.label,
        action=action,
        resource=resource,
        resource_id=str(resource_id if resource_id is not None else 0),
        before=before,
        after=after,
    )
    session.add(event)
    return event


def record_change(
    session: Session,
    *,
    clinic_id: int,
    by: Author | None,
    at: datetime,
    action: str,
    resource: str,
    resource_id: int | str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Like `record`, but nothing when the record did not change or nobody is named (None)."""
    if by is None or before == after:
        return None
    return record(
        session,
        clinic_id=clinic_id,
        by=by,
        at=at,
        action=action,
        resource=resource,
        resource_id=resource_id,
        before=before,
        after=after,
    )
