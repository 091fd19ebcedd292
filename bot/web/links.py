"""(being written) Signed links a patient opens in a browser to cancel or reschedule."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("links", __name__, url_prefix="/a")
