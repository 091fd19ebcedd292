"""`flask db upgrade`, `flask demo`, `flask setup`: the schema and the demo clinic."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from bot import demo
from bot.cli import deps
from models import Clinic
from models.migrate import upgrade


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or upgrade the database to the latest schema."""
    upgrade(current_app.extensions["agendai.engine"])
    click.echo("database is up to date")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load "Clínica Demo" (safe to run twice)."""
    now = deps.clock().now()
    with deps.session() as session:
        clinic = demo.load_demo(session, today=now.date(), now=now)
        click.echo(f"demo clinic ready: {clinic.name} (id {clinic.id})")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Upgrade the database, load the demo clinic when there is none, say how to talk to the bot."""
    upgrade(current_app.extensions["agendai.engine"])
    with deps.session() as session:
        empty = session.exec(select(Clinic.id)).first() is None
    if empty:
        demo_command.callback()  # type: ignore[misc]
    click.echo(
        "\nAgendaí is starting on http://127.0.0.1:5000\n"
        "  talk to the bot here:      .venv/bin/flask --app app chat\n"
        "  as a known demo patient:   .venv/bin/flask --app app chat --phone +5511987654321\n"
        "  health:                    curl -s http://127.0.0.1:5000/healthz\n"
        "  REST API key:              .venv/bin/flask --app app keys create --clinic 1 --name dev\n"
        "  REST API docs:             http://127.0.0.1:5000/api/v1/swagger\n"
        "  WhatsApp (Twilio sandbox): see README, 'Connecting Twilio'\n"
    )
