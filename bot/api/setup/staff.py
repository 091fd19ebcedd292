"""Insurances and professionals: list, get, create, change (never deleted: PATCH active=false)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from bot.api.common import IdPath, one, parse_id
from bot.api.setup.base import (
    ActiveQuery,
    Ids,
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
    InsuranceEnvelope,
    InsuranceList,
    InsuranceOut,
    ProfessionalChanged,
    ProfessionalEnvelope,
    ProfessionalList,
    ProfessionalOut,
)
from bot.domain.clinic import setup
from bot.domain.clinic.setup.snapshots import insurance_records, professional_records
from bot.web.db import db
from models import HealthInsurance, Professional

# -- insurances ---------------------------------------------------------------------------------


class InsuranceCreate(BaseModel):
    name: Name
    self_pay: bool = Field(False, description='True for "Particular" (the patient pays)')
    active: bool = True
    location_ids: Ids = Field(default_factory=list, description="Units that accept it")
    service_ids: Ids = Field(default_factory=list, description="Services it covers")


class InsurancePatch(PatchBody):
    name: patchable(Name) = None
    self_pay: patchable(bool) = None
    active: patchable(bool) = None
    location_ids: patchable(Ids) = Field(None, description="Replaces the accepting units")
    service_ids: patchable(Ids) = Field(None, description="Replaces the covered services")


def insurances_public(session: Session, rows: Sequence[HealthInsurance]) -> list[dict[str, Any]]:
    """Insurances with the units that accept them and the services they cover."""
    return [InsuranceOut(**item).model_dump() for item in insurance_records(session, rows)]


@api.get("/insurances", responses={200: InsuranceList})
def list_insurances(query: ActiveQuery):
    """The clinic's insurances (convênios), with accepting units and covered services."""
    return listing(db(), HealthInsurance, query, insurances_public, name="insurance")


@api.get("/insurances/<id>", responses={200: InsuranceEnvelope})
def get_insurance(path: IdPath):
    """One insurance."""
    session = db()
    return one(
        insurances_public(session, [owned(session, HealthInsurance, path.id, "insurance")])[0]
    )


@api.post("/insurances", responses={201: InsuranceEnvelope})
def create_insurance(body: InsuranceCreate):
    """Add an insurance, with the units that accept it and the services it covers."""
    session = db()
    insurance = setup.create_insurance(setup_for(session), body.model_dump())
    session.commit()
    return one(insurances_public(session, [insurance])[0], 201)


@api.patch("/insurances/<id>", responses={200: InsuranceEnvelope})
def update_insurance(path: IdPath, body: InsurancePatch):
    """Change an insurance; location_ids / service_ids, when sent, replace the lists."""
    session = db()
    insurance = setup.update_insurance(
        setup_for(session), parse_id(path.id, "insurance"), body.changes()
    )
    session.commit()
    return one(insurances_public(session, [insurance])[0])


# -- professionals ------------------------------------------------------------------------------


class ProfessionalCreate(BaseModel):
    name: Name
    active: bool = True
    service_ids: Ids = Field(default_factory=list, description="Services the professional offers")


class ProfessionalPatch(PatchBody):
    name: patchable(Name) = None
    active: patchable(bool) = Field(None, description="false removes their free future slots")
    service_ids: patchable(Ids) = Field(None, description="Replaces the offered services")


def professionals_public(session: Session, rows: Sequence[Professional]) -> list[dict[str, Any]]:
    """Professionals with the services they offer and their calendars (units with hours)."""
    return [ProfessionalOut(**item).model_dump() for item in professional_records(session, rows)]


@api.get("/professionals", responses={200: ProfessionalList})
def list_professionals(query: ActiveQuery):
    """The clinic's professionals."""
    return listing(db(), Professional, query, professionals_public, name="professional")


@api.get("/professionals/<id>", responses={200: ProfessionalEnvelope})
def get_professional(path: IdPath):
    """One professional."""
    session = db()
    return one(
        professionals_public(session, [owned(session, Professional, path.id, "professional")])[0]
    )


@api.post("/professionals", responses={201: ProfessionalEnvelope})
def create_professional(body: ProfessionalCreate):
    """Add a professional (slots come with their working hours)."""
    session = db()
    professional = setup.create_professional(setup_for(session), body.model_dump())
    session.commit()
    return one(professionals_public(session, [professional])[0], 201)


@api.patch("/professionals/<id>", responses={200: ProfessionalChanged})
def update_professional(path: IdPath, body: ProfessionalPatch):
    """Change a professional; active=false removes their free future slots (true adds them)."""
    session = db()
    result = setup.update_professional(
        setup_for(session), parse_id(path.id, "professional"), body.changes()
    )
    session.commit()
    return changed(session, professionals_public(session, [result.row])[0], result.slots)
