"""Units and services: create and change (never deleted: active=false), each with its audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.clinic.setup.base import SLOT_FIELDS, Changed, Setup, change, filled, owned
from bot.domain.clinic.setup.snapshots import service_record, unit_record
from models import Location, Service


def create_unit(setup: Setup, fields: Mapping[str, Any]) -> Location:
    """Add a unit (name, address, timezone, phone, active); it has no slots until hours name it."""
    unit = Location(clinic_id=setup.clinic_id, **fields)
    setup.session.add(unit)
    setup.session.flush()
    setup.audit("unit.create", unit.id, after=unit_record(unit))
    return unit


def update_unit(setup: Setup, unit_id: int, changes: Mapping[str, Any]) -> Changed[Location]:
    """Change a unit; a new timezone or active flag regenerates the future slots."""
    unit = owned(setup, Location, unit_id, "unit")
    before = unit_record(unit)
    fields = change(unit, filled(changes, nullable=frozenset({"phone"})))
    slots = setup.regenerate() if fields & SLOT_FIELDS else None
    setup.audit("unit.update", unit.id, before, unit_record(unit))
    return Changed(unit, slots)


def create_service(setup: Setup, fields: Mapping[str, Any]) -> Service:
    """Add a service (name, duration_minutes, price_cents, active)."""
    service = Service(clinic_id=setup.clinic_id, **fields)
    setup.session.add(service)
    setup.session.flush()
    setup.audit("service.create", service.id, after=service_record(service))
    return service


def update_service(setup: Setup, service_id: int, changes: Mapping[str, Any]) -> Service:
    """Change a service (active=false stops offering it; past appointments keep it)."""
    service = owned(setup, Service, service_id, "service")
    before = service_record(service)
    change(service, filled(changes))
    setup.audit("service.update", service.id, before, service_record(service))
    return service
