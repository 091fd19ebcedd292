"""/api/v1/webhooks."""

from __future__ import annotations

from bot.api.webhooks.views import api

__all__ = ["api"]
