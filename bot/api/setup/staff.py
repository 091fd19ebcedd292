"""Insurances and professionals: list, get, create, change (never deleted: PATCH active=false)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from bot.api import audit, auth
from bot.api.calendars.views import calendar_ident
from bot.api.common import IdPath, one
from bot.api.params import references
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
    regenerate_if,
    save,
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
from bot.domain.clinic.setup import change, link_insurance, link_services
from bot.web.db import db
from models import (
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    ProfessionalService,
    Service,
    WorkingHours,
)

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
        InsuranceOut(
            id=str(row.id),
            name=row.name,
            self_pay=row.self_pay,
            active=row.active,
            location_ids=units[row.id or 0],
            service_ids=services[row.id or 0],
        ).model_dump()
        for row in rows
    ]


def _insurance_links(session: Session, body: InsuranceCreate | InsurancePatch) -> dict[str, Any]:
    clinic_id = auth.clinic_id()
    return {
        "location_ids": None
        if body.location_ids is None
        else references(
            session, Location, body.location_ids, field="location_ids", clinic_id=clinic_id
        ),
        "service_ids": None
        if body.service_ids is None
        else references(
            session, Service, body.service_ids, field="service_ids", clinic_id=clinic_id
        ),
    }


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
    links = _insurance_links(session, body)
    insurance = HealthInsurance(
        clinic_id=auth.clinic_id(), name=body.name, self_pay=body.self_pay, active=body.active
    )
    session.add(insurance)
    session.flush()
    link_insurance(session, insurance_id=insurance.id or 0, **links)
    item = insurances_public(session, [insurance])[0]
    save(session, insurance, "insurance.create", "insurance", item)
    return one(item, 201)


@api.patch("/insurances/<id>", responses={200: InsuranceEnvelope})
def update_insurance(path: IdPath, body: InsurancePatch):
    """Change an insurance; location_ids / service_ids, when sent, replace the lists."""
    session = db()
    insurance = owned(session, HealthInsurance, path.id, "insurance")
    before = insurances_public(session, [insurance])[0]
    sent = body.changes()
    links = _insurance_links(session, body)
    change(insurance, {k: v for k, v in sent.items() if k not in links})
    link_insurance(session, insurance_id=insurance.id or 0, **links)
    after = insurances_public(session, [insurance])[0]
    audit.commit_change(
        session,
        action="insurance.update",
        resource="insurance",
        resource_id=insurance.id,
        before=before,
        after=after,
    )
    return one(after)


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
        ProfessionalOut(
            id=str(row.id),
            name=row.name,
            active=row.active,
            service_ids=offered[row.id or 0],
            calendar_ids=[calendar_ident(row.id or 0, lid) for lid in sorted(units[row.id or 0])],
        ).model_dump()
        for row in rows
    ]


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
    clinic_id = auth.clinic_id()
    ids = references(session, Service, body.service_ids, field="service_ids", clinic_id=clinic_id)
    professional = Professional(clinic_id=clinic_id, name=body.name, active=body.active)
    session.add(professional)
    session.flush()
    link_services(session, professional_id=professional.id or 0, service_ids=ids)
    item = professionals_public(session, [professional])[0]
    save(session, professional, "professional.create", "professional", item)
    return one(item, 201)


@api.patch("/professionals/<id>", responses={200: ProfessionalChanged})
def update_professional(path: IdPath, body: ProfessionalPatch):
    """Change a professional; active=false removes their free future slots (true adds them)."""
    session = db()
    professional = owned(session, Professional, path.id, "professional")
    before = professionals_public(session, [professional])[0]
    sent = body.changes()
    if "service_ids" in sent:
        ids = references(
            session,
            Service,
            sent.pop("service_ids"),
            field="service_ids",
            clinic_id=auth.clinic_id(),
        )
        link_services(session, professional_id=professional.id or 0, service_ids=ids)
    result = regenerate_if(session, change(professional, sent))
    after = professionals_public(session, [professional])[0]
    audit.commit_change(
        session,
        action="professional.update",
        resource="professional",
        resource_id=professional.id,
        before=before,
        after=after,
    )
    return changed(session, after, result)
