"""/api/v1/clients."""

from __future__ import annotations

from bot.api.clients.views import api

__all__ = ["api"]
