"""/api/v1/calendars."""

from __future__ import annotations

from bot.api.calendars.views import api

__all__ = ["api"]
