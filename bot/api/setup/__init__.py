"""Clinic setup through the API: units, insurances, services, professionals, working hours and
exceptions. The routes live in setup_catalogue, setup_staff, setup_hours and setup_exceptions, all
mounted on the one blueprint `api` (setup_base)."""

from __future__ import annotations

# Imported for their routes: each module adds its views to `api`.
from bot.api.setup import catalogue as setup_catalogue
from bot.api.setup import exceptions as setup_exceptions
from bot.api.setup import hours as setup_hours
from bot.api.setup import staff as setup_staff
from bot.api.setup.base import api

__all__ = ["api", "setup_catalogue", "setup_exceptions", "setup_hours", "setup_staff"]
