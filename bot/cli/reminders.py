"""`flask reminders run [--loop]`: send the reminders that are due."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.cli import deps
from bot.messaging import reminders
from bot.messaging.outbound import get_transport


@click.group("reminders")
def reminders_group() -> None:
    """Reminders before appointments."""


@reminders_group.command("run")
@deps.worker_options(default_interval=60)
@with_appcontext
def reminders_run(forever: bool, interval: int) -> None:
    """Send the reminders that are due: one pass (for cron), or --loop as a worker."""
    dependencies = {"clock": deps.clock(), "transport": get_transport(current_app)}
    if forever:
        reminders.run_forever(deps.session, interval=interval, echo=click.echo, **dependencies)
        return
    report = reminders.run_once(deps.session, worker=reminders.worker_name(), **dependencies)
    click.echo(f"reminders: {report}")
