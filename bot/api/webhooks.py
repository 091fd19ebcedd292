"""(being written)"""

from __future__ import annotations

from bot.api.common import api_blueprint

api = api_blueprint("api_webhooks", __name__, url_prefix="/api/v1/webhooks", tag="Event webhooks")
