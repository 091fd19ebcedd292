"""(being written)"""

from __future__ import annotations

from bot.api.common import api_blueprint

api = api_blueprint("statistics", __name__, url_prefix="/api/v1/statistics", tag="Statistics")
