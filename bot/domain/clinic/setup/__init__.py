"""Clinic setup: units and services (catalogue.py), insurances and professionals (staff.py),
working hours and exceptions (hours.py), each change one function that checks ownership and the
rules, regenerates the slots when the change moves them and writes the audit row; snapshots.py is
how the rows are shown and audited, base.py what they share. Never commits: the caller owns the
transaction. The REST API, the demo loader and the staff console all change the setup here."""

from __future__ import annotations

from bot.domain.clinic.setup.base import (
    SLOT_FIELDS,
    Changed,
    Setup,
    SetupInvalid,
    SetupNotFound,
    change,
    link_insurance,
    link_services,
    owned,
)
from bot.domain.clinic.setup.catalogue import (
    create_service,
    create_unit,
    update_service,
    update_unit,
)
from bot.domain.clinic.setup.hours import (
    create_exception,
    create_hours,
    delete_exception,
    delete_hours,
    update_hours,
)
from bot.domain.clinic.setup.staff import (
    create_insurance,
    create_professional,
    update_insurance,
    update_professional,
)

__all__ = [
    "SLOT_FIELDS",
    "Changed",
    "Setup",
    "SetupInvalid",
    "SetupNotFound",
    "change",
    "create_exception",
    "create_hours",
    "create_insurance",
    "create_professional",
    "create_service",
    "create_unit",
    "delete_exception",
    "delete_hours",
    "link_insurance",
    "link_services",
    "owned",
    "update_hours",
    "update_insurance",
    "update_professional",
    "update_service",
    "update_unit",
]
