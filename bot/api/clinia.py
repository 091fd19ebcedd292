"""(being written)"""

from __future__ import annotations

from bot.api.common import api_blueprint

api = api_blueprint("clinia", __name__, url_prefix="/clients", tag="Clinia-compatible clients")
