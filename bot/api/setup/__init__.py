"""/api/v1 clinic setup: units and services (catalogue.py), insurances and professionals
(staff.py), working hours (hours.py) and exceptions (exceptions.py), all on the one blueprint
of base.py; schemas.py holds their request and response models."""

from __future__ import annotations

# Imported for their routes: each module adds its views to the blueprint.
from bot.api.setup import catalogue, exceptions, hours, staff  # noqa: F401
from bot.api.setup.base import api

__all__ = ["api"]
