"""/api/v1/appointments: views.py (list, create, read, change, delete) and actions.py (status
actions, the conflict check, history) on one blueprint; public.py is an appointment as
integrators see it, query.py reads filters, slot_choice.py names the slot a body asks for."""

from __future__ import annotations

from bot.api.appointments import actions  # noqa: F401  (its routes join the blueprint)
from bot.api.appointments.views import api

__all__ = ["api"]
