"""When a slot can take a booking for a service: the one rule behind the bot's free slots, the
API's slot listing (`service_id`, `available_only`) and the checks every booking runs under the
slot's row lock, whichever way it comes in (the API's direct booking or the bot's hold + book).

A slot is open to a service when
  1. it has not started (occupancy.not_started: one starting exactly now is closed),
  2. it has a free place (occupancy.has_room),
  3. its professional offers the service, and the service is active,
  4. the service fits in it: the slot lasts at least the service's duration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from bot.domain.scheduling import occupancy
from models import ProfessionalService, Service, Slot


class _Seconds(FunctionElement[int]):
    """Whole seconds from one timestamp column to another (each database says it its own way)."""

    type = Integer()
    inherit_cache = True


@compiles(_Seconds)
def _seconds_sqlite(element: _Seconds, compiler: Any, **kw: Any) -> str:
    # SQLite keeps timestamps as UTC text; strftime('%s') reads them as Unix seconds.
    first, last = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(strftime('%s', {last}) AS INTEGER) - CAST(strftime('%s', {first}) AS INTEGER))"


@compiles(_Seconds, "postgresql")
def _seconds_postgresql(element: _Seconds, compiler: Any, **kw: Any) -> str:
    first, last = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({last} - {first})) AS INTEGER)"


def offered(service_id: int) -> ColumnElement[bool]:
    """SQL, per slot: its professional offers the service, which is the clinic's and active."""
    offering = (
        select(ProfessionalService.professional_id)
        .join(Service, col(Service.id) == col(ProfessionalService.service_id))
        .where(ProfessionalService.service_id == service_id, col(Service.active))
        .where(Service.clinic_id == Slot.clinic_id)
    )
    return col(Slot.professional_id).in_(offering)


def fits(service_id: int) -> ColumnElement[bool]:
    """SQL, per slot: the slot lasts at least as long as the service."""
    minutes = select(Service.duration_minutes).where(Service.id == service_id).scalar_subquery()
    return _Seconds(col(Slot.start), col(Slot.end)) >= minutes * 60


def serves(service_id: int) -> ColumnElement[bool]:
    """SQL, per slot: the slot can take the service at all (3 and 4 above)."""
    return and_(offered(service_id), fits(service_id))


def open_to(service_id: int, now: datetime) -> ColumnElement[bool]:
    """SQL, per slot: a booking for the service may take a place in it now (1 to 4 above)."""
    return and_(occupancy.not_started(now), occupancy.has_room(now), serves(service_id))


# The checks in the order a refusal reports them: the first that fails names the reason.
CHECKS = ("started", "full", "not_offered", "too_short")


def refusals(
    session: Session,
    *,
    slot_id: int,
    service_id: int | None,
    now: datetime,
    excluding_hold: int | None = None,
    excluding_appointment: int | None = None,
) -> list[str]:
    """Which of CHECKS the slot fails for a booking now (run it with the slot's row locked).

    The place being used is left out of the count: the hold a booking consumes, or the
    appointment a move keeps in the same slot. Without a service only time and room are checked.
    """
    clauses: dict[str, Any] = {
        "started": occupancy.not_started(now),
        "full": occupancy.has_room(
            now, excluding_hold=excluding_hold, excluding_appointment=excluding_appointment
        ),
    }
    if service_id is not None:
        clauses |= {"not_offered": offered(service_id), "too_short": fits(service_id)}
    passed = session.exec(
        select(*(clause.label(name) for name, clause in clauses.items())).where(Slot.id == slot_id)
    ).one()
    return [name for name, ok in zip(clauses, passed, strict=True) if not ok]
