"""Changes to a clinic's setup: fields of a row, which units and services an insurance takes,
which services a professional offers.

After working hours, exceptions, a unit's zone (SLOT_FIELDS) or who is active change, the caller
runs the one slot generator's `regenerate_slots` (bot.domain.scheduling.generation), which also
reports the slots patients still hold. Never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col

from models import InsuranceLocation, InsuranceService, ProfessionalService

# Fields whose change moves slots: a unit's zone shifts its hours; inactive means no new slots.
SLOT_FIELDS = frozenset({"timezone", "active"})


def change(row: SQLModel, changes: Mapping[str, Any]) -> set[str]:
    """Set the given fields on `row`; return the names whose value really changed."""
    changed = set()
    for name, value in changes.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.add(name)
    return changed


def link_insurance(
    session: Session,
    *,
    insurance_id: int,
    location_ids: Iterable[int] | None,
    service_ids: Iterable[int] | None,
) -> None:
    """Replace the units that accept the insurance and the services it covers (None: keep)."""
    if location_ids is not None:
        session.exec(
            delete(InsuranceLocation).where(col(InsuranceLocation.insurance_id) == insurance_id)
        )
        session.add_all(
            InsuranceLocation(insurance_id=insurance_id, location_id=lid)
            for lid in sorted(set(location_ids))
        )
    if service_ids is not None:
        session.exec(
            delete(InsuranceService).where(col(InsuranceService.insurance_id) == insurance_id)
        )
        session.add_all(
            InsuranceService(insurance_id=insurance_id, service_id=sid)
            for sid in sorted(set(service_ids))
        )
    session.flush()


def link_services(session: Session, *, professional_id: int, service_ids: Iterable[int]) -> None:
    """Replace the services a professional offers."""
    session.exec(
        delete(ProfessionalService).where(
            col(ProfessionalService.professional_id) == professional_id
        )
    )
    session.add_all(
        ProfessionalService(professional_id=professional_id, service_id=sid)
        for sid in sorted(set(service_ids))
    )
    session.flush()
