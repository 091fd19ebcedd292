"""/api/v1/conversations."""

from __future__ import annotations

from bot.api.conversations.views import api

__all__ = ["api"]
