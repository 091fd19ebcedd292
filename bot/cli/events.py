"""`flask --app app events deliver [--loop]`: send the queued webhook deliveries."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from bot.integrations import deliveries as deliveries_out
from models import new_session


def _session() -> Session:
    return new_session(current_app.extensions["agendai.engine"])


@click.group("events")
def events_group() -> None:
    """Events for the clinics' systems (webhooks)."""


@events_group.command("deliver")
@click.option("--loop", "forever", is_flag=True, help="Keep running until SIGTERM or Ctrl-C.")
@click.option(
    "--interval",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Seconds between passes with --loop.",
)
@with_appcontext
def deliver_command(forever: bool, interval: int) -> None:
    """POST the webhook deliveries that are due: one pass (for cron), or --loop as a worker."""
    clock = current_app.extensions["agendai.clock"]
    if forever:
        deliveries_out.run_forever(_session, clock=clock, interval=interval, echo=click.echo)
        return
    with _session() as session:
        report = deliveries_out.deliver_due(session, clock=clock)
    click.echo(f"events: {report}")
