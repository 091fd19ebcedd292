"""Setup rows as records: what the REST API shows and what the audit trail keeps of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from models import (
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    ProfessionalService,
    ScheduleException,
    Service,
    WorkingHours,
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def calendar_ident(professional_id: int, location_id: int) -> str:
    """A calendar's id (a professional at a unit) as integrators and staff see it."""
    return f"{professional_id}-{location_id}"


def _ident(value: int | None) -> str | None:
    return None if value is None else str(value)


def unit_record(unit: Location) -> dict[str, Any]:
    """A unit as a record."""
    return {
        "id": str(unit.id),
        "name": unit.name,
        "address": unit.address,
        "timezone": unit.timezone,
        "phone": unit.phone,
        "active": unit.active,
    }


def service_record(service: Service) -> dict[str, Any]:
    """A service as a record."""
    return {
        "id": str(service.id),
        "name": service.name,
        "duration_minutes": service.duration_minutes,
        "price_cents": service.price_cents,
        "active": service.active,
    }


def insurance_records(session: Session, rows: Sequence[HealthInsurance]) -> list[dict[str, Any]]:
    """Insurances with the units that accept them and the services they cover."""
    ids = [row.id for row in rows]
    units: dict[int, list[str]] = defaultdict(list)
    services: dict[int, list[str]] = defaultdict(list)
    for iid, lid in session.exec(
        select(InsuranceLocation.insurance_id, InsuranceLocation.location_id)
        .where(col(InsuranceLocation.insurance_id).in_(ids))
        .order_by(col(InsuranceLocation.location_id))
    ):
        units[iid].append(str(lid))
    for iid, sid in session.exec(
        select(InsuranceService.insurance_id, InsuranceService.service_id)
        .where(col(InsuranceService.insurance_id).in_(ids))
        .order_by(col(InsuranceService.service_id))
    ):
        services[iid].append(str(sid))
    return [
        {
            "id": str(row.id),
            "name": row.name,
            "self_pay": row.self_pay,
            "active": row.active,
            "location_ids": units[row.id or 0],
            "service_ids": services[row.id or 0],
        }
        for row in rows
    ]


def professional_records(session: Session, rows: Sequence[Professional]) -> list[dict[str, Any]]:
    """Professionals with the services they offer and their calendars (units with hours)."""
    ids = [row.id for row in rows]
    offered: dict[int, list[str]] = defaultdict(list)
    units: dict[int, set[int]] = defaultdict(set)
    for pid, sid in session.exec(
        select(ProfessionalService.professional_id, ProfessionalService.service_id)
        .where(col(ProfessionalService.professional_id).in_(ids))
        .order_by(col(ProfessionalService.service_id))
    ):
        offered[pid].append(str(sid))
    for pid, lid in session.exec(
        select(WorkingHours.professional_id, WorkingHours.location_id).where(
            col(WorkingHours.professional_id).in_(ids)
        )
    ):
        units[pid].add(lid)
    return [
        {
            "id": str(row.id),
            "name": row.name,
            "active": row.active,
            "service_ids": offered[row.id or 0],
            "calendar_ids": [
                calendar_ident(pid, lid) for pid in [row.id or 0] for lid in sorted(units[pid])
            ],
        }
        for row in rows
    ]


def hours_record(rule: WorkingHours) -> dict[str, Any]:
    """A working-hours rule as a record (times are local HH:MM)."""
    return {
        "id": str(rule.id),
        "professional_id": str(rule.professional_id),
        "location_id": str(rule.location_id),
        "calendar_id": calendar_ident(rule.professional_id, rule.location_id),
        "weekday": rule.weekday,
        "weekday_name": WEEKDAYS[rule.weekday],
        "start": rule.start.strftime("%H:%M"),
        "end": rule.end.strftime("%H:%M"),
        "slot_minutes": rule.slot_minutes,
        "capacity": rule.capacity,
    }


def exception_record(row: ScheduleException) -> dict[str, Any]:
    """An exception as a record; `scope` says whom it covers."""
    if row.professional_id is not None:
        scope = "professional_at_unit" if row.location_id is not None else "professional"
    else:
        scope = "unit" if row.location_id is not None else "clinic"
    return {
        "id": str(row.id),
        "day": row.day.isoformat(),
        "professional_id": _ident(row.professional_id),
        "location_id": _ident(row.location_id),
        "scope": scope,
        "reason": row.reason,
    }
