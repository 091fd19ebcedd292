"""GET /api/v1/audit, and the adapter that records a change as made by the calling API key
(the rows themselves are written by bot.domain.audit)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from bot.api import auth, formats
from bot.api.common import (
    Id,
    ListEnvelope,
    Page,
    PageMeta,
    Timestamp,
    api_blueprint,
    iso,
    page_meta,
)
from bot.domain import audit
from bot.domain.audit import Author
from bot.web.db import clock, db
from models import AuditEvent


def author() -> Author:
    """The calling API key, as the author of a change."""
    return Author.api_key(auth.current_key().prefix)


def record(session: Session, **change: Any) -> None:
    """Add the AuditEvent of a change made by the calling key (committed with the change).

    `change`: action, resource, resource_id, and before / after as `bot.domain.audit.record`."""
    audit.record(session, **_origin(), **change)


def _origin() -> dict[str, Any]:
    """Who made the change and when: the calling key, its clinic, the request's clock."""
    return {"clinic_id": auth.clinic_id(), "by": author(), "at": clock().now()}


class AuditEventOut(BaseModel):
    """One change made through the API: who, what, and the record before and after it."""

    id: Id
    at: Timestamp = Field(description="When the change was made")
    key_prefix: str = Field(description="The prefix of the API key that made it")
    action: str = Field(description="e.g. appointment.cancel, webhook.create")
    resource: str = Field(description="The kind of record changed, e.g. appointment")
    resource_id: str = Field(description="Its id")
    before: dict[str, Any] | None = Field(
        description="The record as the API showed it before; null when there was none (a creation)"
    )
    after: dict[str, Any] | None = Field(
        description="The record after the change; null when it is gone (a deletion)"
    )


class AuditList(ListEnvelope):
    """A page of the audit trail."""

    data: list[AuditEventOut]
    meta: PageMeta


def commit_change(session: Session, **change: Any) -> None:
    """Commit a change made by the calling key with its AuditEvent (none when nothing changed)."""
    audit.record_change(session, **_origin(), **change)
    session.commit()


def public(event: AuditEvent) -> dict[str, Any]:
    """An audit event as integrators see it."""
    return AuditEventOut(
        id=str(event.id),
        at=iso(event.at) or "",
        key_prefix=event.key_prefix,
        action=event.action,
        resource=event.resource,
        resource_id=event.resource_id,
        before=event.before,
        after=event.after,
    ).model_dump()


api = api_blueprint("audit", __name__, url_prefix="/api/v1/audit", tag="Audit")


class AuditQuery(Page):
    resource: str | None = Field(None, max_length=50)
    resource_id: str | None = Field(None, max_length=50)
    action: str | None = Field(None, max_length=80)


@api.get("", responses={200: AuditList})
def list_audit(query: AuditQuery):
    """Changes made through the API, newest first."""
    session = db()
    where = [AuditEvent.clinic_id == auth.clinic_id()]
    for name in ("resource", "resource_id", "action"):
        value = getattr(query, name)
        if value:
            where.append(getattr(AuditEvent, name) == value)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    rows = session.exec(
        select(AuditEvent)
        .where(*where)
        .order_by(col(AuditEvent.id).desc())
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing([public(r) for r in rows], meta=page_meta(query, total), name="event")
