"""The Flask application factory. `app = create_app()` is what servers load."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import cli
from bot.api import init_api
from bot.api.common import SECURITY_SCHEMES
from bot.api.errors import ErrorBody, validation_failed
from bot.core.clock import SystemClock
from bot.core.config import from_environment
from bot.core.logs import configure_logging, init_request_logging
from bot.web import health, links, twilio_webhooks
from bot.web.db import close_db
from models import make_engine

log = logging.getLogger("agendai")


def create_app(config: dict[str, Any] | None = None) -> OpenAPI:
    """Build the app: settings (environment, then `config`), database, blueprints, CLI."""
    app = OpenAPI(
        __name__,
        instance_relative_config=True,
        info=Info(title="Agendaí API", version="1.0.0"),
        security_schemes=SECURITY_SCHEMES,
        validation_error_status="400",
        validation_error_model=ErrorBody,
        validation_error_callback=validation_failed,
        doc_prefix="/api/v1",
        doc_url="/openapi.json",
    )
    app.config.update(from_environment(app.instance_path))
    app.config.update(config or {})
    configure_logging(app.config["LOG_LEVEL"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.extensions["agendai.engine"] = make_engine(app.config["DATABASE_URL"])
    app.extensions["agendai.clock"] = app.config.get("CLOCK") or SystemClock()
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    init_request_logging(app)
    app.teardown_appcontext(close_db)
    app.register_blueprint(health.bp)
    app.register_blueprint(twilio_webhooks.bp)
    app.register_blueprint(links.bp)
    init_api(app)
    cli.register(app)
    _warn_if_insecure(app)
    return app


def _warn_if_insecure(app: OpenAPI) -> None:
    if app.config["TWILIO_SKIP_SIGNATURE"]:
        log.warning(
            "!!! TWILIO_SKIP_SIGNATURE is on: webhook signatures are NOT checked. "
            "Anyone can post messages as any patient. Development only. !!!"
        )
    elif not app.config["TWILIO_AUTH_TOKEN"]:
        log.warning("TWILIO_AUTH_TOKEN is not set: /webhooks/twilio answers 503 until it is")


app = create_app()
