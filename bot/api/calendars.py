"""(being written)"""

from __future__ import annotations

from bot.api.common import api_blueprint

api = api_blueprint("calendars", __name__, url_prefix="/api/v1/calendars", tag="Calendars")
