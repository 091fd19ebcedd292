"""`flask --app app events deliver [--loop]`: send the queued webhook deliveries."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from bot.cli import deps
from bot.integrations import deliveries


@click.group("events")
def events_group() -> None:
    """Events for the clinics' systems (webhooks)."""


@events_group.command("deliver")
@deps.worker_options(default_interval=10)
@with_appcontext
def deliver_command(forever: bool, interval: int) -> None:
    """POST the webhook deliveries that are due: one pass (for cron), or --loop as a worker."""
    clock = deps.clock()
    if forever:
        deliveries.run_forever(deps.session, clock=clock, interval=interval, echo=click.echo)
        return
    with deps.session() as session:
        report = deliveries.deliver_due(session, clock=clock)
    click.echo(f"events: {report}")
