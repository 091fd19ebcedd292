"""The audit trail: every change made through the API, with the record before and after."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlmodel import Session, col, func, select

from bot.api import auth, formats
from bot.api.common import ListEnvelope, Page, api_blueprint, ident, iso, page_meta
from bot.web import clock, db
from models import AuditEvent


def record(
    session: Session,
    *,
    action: str,
    resource: str,
    resource_id: int | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add the AuditEvent of a change to `session` (committed with the change itself)."""
    session.add(
        AuditEvent(
            clinic_id=auth.clinic_id(),
            at=clock().now(),
            key_prefix=auth.current_key().prefix,
            action=action,
            resource=resource,
            resource_id=str(resource_id),
            before=before,
            after=after,
        )
    )


def public(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": ident(event.id),
        "at": iso(event.at),
        "key_prefix": event.key_prefix,
        "action": event.action,
        "resource": event.resource,
        "resource_id": event.resource_id,
        "before": event.before,
        "after": event.after,
    }


api = api_blueprint("audit", __name__, url_prefix="/api/v1/audit", tag="Audit")


class AuditQuery(Page):
    resource: str | None = Field(None, max_length=50)
    resource_id: str | None = Field(None, max_length=50)
    action: str | None = Field(None, max_length=80)


@api.get("", responses={200: ListEnvelope})
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
