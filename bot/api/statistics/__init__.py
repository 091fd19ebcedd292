"""/api/v1/statistics."""

from __future__ import annotations

from bot.api.statistics.views import api

__all__ = ["api"]
