"""Insurances (with the units and services they take) and professionals (with the services they
offer): create and change (never deleted: active=false), each with its audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.clinic.setup.base import (
    SLOT_FIELDS,
    Changed,
    Setup,
    change,
    filled,
    link_insurance,
    link_services,
    owned,
    references,
)
from bot.domain.clinic.setup.snapshots import insurance_records, professional_records
from models import HealthInsurance, Location, Professional, Service


def _links(setup: Setup, fields: Mapping[str, Any]) -> dict[str, list[int] | None]:
    """The units and services named by an insurance change, checked (None: not sent)."""
    return {
        "location_ids": None
        if fields.get("location_ids") is None
        else references(setup, Location, fields["location_ids"], field="location_ids"),
        "service_ids": None
        if fields.get("service_ids") is None
        else references(setup, Service, fields["service_ids"], field="service_ids"),
    }


def create_insurance(setup: Setup, fields: Mapping[str, Any]) -> HealthInsurance:
    """Add an insurance (name, self_pay, active) with the units and services it takes."""
    links = _links(setup, fields)
    own = {k: v for k, v in fields.items() if k not in links}
    insurance = HealthInsurance(clinic_id=setup.clinic_id, **own)
    setup.session.add(insurance)
    setup.session.flush()
    link_insurance(setup.session, insurance_id=insurance.id or 0, **links)
    setup.audit(
        "insurance.create", insurance.id, after=insurance_records(setup.session, [insurance])[0]
    )
    return insurance


def update_insurance(
    setup: Setup, insurance_id: int, changes: Mapping[str, Any]
) -> HealthInsurance:
    """Change an insurance; location_ids / service_ids, when given, replace the lists."""
    insurance = owned(setup, HealthInsurance, insurance_id, "insurance")
    before = insurance_records(setup.session, [insurance])[0]
    sent = filled(changes)
    links = _links(setup, sent)
    change(insurance, {k: v for k, v in sent.items() if k not in links})
    link_insurance(setup.session, insurance_id=insurance.id or 0, **links)
    setup.audit(
        "insurance.update", insurance.id, before, insurance_records(setup.session, [insurance])[0]
    )
    return insurance


def create_professional(setup: Setup, fields: Mapping[str, Any]) -> Professional:
    """Add a professional (name, active) with the services they offer; slots come with hours."""
    own = dict(fields)
    ids = references(setup, Service, own.pop("service_ids", []), field="service_ids")
    professional = Professional(clinic_id=setup.clinic_id, **own)
    setup.session.add(professional)
    setup.session.flush()
    link_services(setup.session, professional_id=professional.id or 0, service_ids=ids)
    after = professional_records(setup.session, [professional])[0]
    setup.audit("professional.create", professional.id, after=after)
    return professional


def update_professional(
    setup: Setup, professional_id: int, changes: Mapping[str, Any]
) -> Changed[Professional]:
    """Change a professional; active=false removes their free future slots (true adds them)."""
    professional = owned(setup, Professional, professional_id, "professional")
    before = professional_records(setup.session, [professional])[0]
    sent = filled(changes)
    if "service_ids" in sent:
        ids = references(setup, Service, sent.pop("service_ids"), field="service_ids")
        link_services(setup.session, professional_id=professional.id or 0, service_ids=ids)
    slots = setup.regenerate() if change(professional, sent) & SLOT_FIELDS else None
    after = professional_records(setup.session, [professional])[0]
    setup.audit("professional.update", professional.id, before, after)
    return Changed(professional, slots)
