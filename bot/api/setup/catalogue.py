"""Units and services: list, get, create, change (never deleted: PATCH active=false)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, Field

from bot.api.common import IdPath, one, parse_id
from bot.api.setup.base import (
    ActiveQuery,
    Name,
    PatchBody,
    api,
    changed,
    listing,
    owned,
    patchable,
    setup_for,
)
from bot.api.setup.schemas import (
    ServiceEnvelope,
    ServiceList,
    ServiceOut,
    UnitChanged,
    UnitEnvelope,
    UnitList,
    UnitOut,
)
from bot.core.zones import DEFAULT_ZONE
from bot.domain.clinic import setup
from bot.domain.clinic.setup.snapshots import service_record, unit_record
from bot.web.db import db
from models import (
    Location,
    Service,
)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError("not an IANA time zone such as America/Sao_Paulo")
    return value


Zone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_known_zone)]
Address = Annotated[str, Field(min_length=1, max_length=300)]
Phone = Annotated[str, Field(max_length=30, pattern=r"^[0-9+() .-]*$")]
Minutes = Annotated[int, Field(ge=5, le=480)]
Cents = Annotated[int, Field(ge=0, le=100_000_000)]


# -- units --------------------------------------------------------------------------------------


class UnitCreate(BaseModel):
    name: Name
    address: Address
    timezone: Zone = DEFAULT_ZONE
    phone: Phone | None = None
    active: bool = True


class UnitPatch(PatchBody):
    name: patchable(Name) = None
    address: patchable(Address) = None
    timezone: patchable(Zone) = Field(None, description="Changing it moves the unit's slots")
    phone: Phone | None = None
    active: patchable(bool) = None


def unit_public(unit: Location) -> dict[str, Any]:
    """A unit as the API shows it."""
    return UnitOut(**unit_record(unit)).model_dump()


@api.get("/units", responses={200: UnitList})
def list_units(query: ActiveQuery):
    """The clinic's units (unidades)."""
    return listing(
        db(), Location, query, lambda _s, rows: [unit_public(r) for r in rows], name="unit"
    )


@api.get("/units/<id>", responses={200: UnitEnvelope})
def get_unit(path: IdPath):
    """One unit."""
    return one(unit_public(owned(db(), Location, path.id, "unit")))


@api.post("/units", responses={201: UnitEnvelope})
def create_unit(body: UnitCreate):
    """Add a unit (it has no slots until working hours name it)."""
    session = db()
    unit = setup.create_unit(setup_for(session), body.model_dump())
    session.commit()
    return one(unit_public(unit), 201)


@api.patch("/units/<id>", responses={200: UnitChanged})
def update_unit(path: IdPath, body: UnitPatch):
    """Change a unit; a new timezone or active=false regenerates its future slots."""
    session = db()
    result = setup.update_unit(setup_for(session), parse_id(path.id, "unit"), body.changes())
    session.commit()
    return changed(session, unit_public(result.row), result.slots)


# -- services -----------------------------------------------------------------------------------


class ServiceCreate(BaseModel):
    name: Name
    duration_minutes: Minutes
    price_cents: Cents = 0
    active: bool = True


class ServicePatch(PatchBody):
    name: patchable(Name) = None
    duration_minutes: patchable(Minutes) = None
    price_cents: patchable(Cents) = None
    active: patchable(bool) = None


def service_public(service: Service) -> dict[str, Any]:
    """A service as the API shows it."""
    return ServiceOut(**service_record(service)).model_dump()


@api.get("/services", responses={200: ServiceList})
def list_services(query: ActiveQuery):
    """The clinic's services."""
    return listing(
        db(), Service, query, lambda _s, rows: [service_public(r) for r in rows], name="service"
    )


@api.get("/services/<id>", responses={200: ServiceEnvelope})
def get_service(path: IdPath):
    """One service."""
    return one(service_public(owned(db(), Service, path.id, "service")))


@api.post("/services", responses={201: ServiceEnvelope})
def create_service(body: ServiceCreate):
    """Add a service."""
    session = db()
    service = setup.create_service(setup_for(session), body.model_dump())
    session.commit()
    return one(service_public(service), 201)


@api.patch("/services/<id>", responses={200: ServiceEnvelope})
def update_service(path: IdPath, body: ServicePatch):
    """Change a service (active=false stops offering it; past appointments keep it)."""
    session = db()
    service = setup.update_service(setup_for(session), parse_id(path.id, "service"), body.changes())
    session.commit()
    return one(service_public(service))
