"""`flask chat`: talk to the bot in the terminal, through the same handle() as WhatsApp."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from bot import demo
from bot.brazil.phones import mask
from bot.cli import deps
from bot.core.clock import ShiftedClock
from bot.messaging.channels.base import Inbound
from bot.messaging.outbound import get_transport
from flows.engine import handle

CHAT_PROVIDER = "chat"


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date-time: {value!r}", ctx, param) from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the offset too, e.g. 2025-12-12T22:30:00-03:00", ctx, param)
    return moment


@click.command("chat")
@click.option("--phone", default="+5511900000000", show_default=True, help="The patient's number.")
@click.option("--name", default="", help="The WhatsApp profile name to send.")
@click.option(
    "--clinic-number",
    default=demo.DEMO_NUMBERS[0],
    show_default=True,
    help="The clinic number to write to.",
)
@click.option(
    "--now",
    "start",
    callback=_instant,
    help="Start the clock at this ISO date-time with its offset (2025-12-12T22:30:00-03:00).",
)
@with_appcontext
def chat_command(phone: str, name: str, clinic_number: str, start: datetime | None) -> None:
    """Talk to the bot in the terminal, through the same handle() as WhatsApp."""
    clock = ShiftedClock(start) if start else deps.clock()
    sender = "whatsapp:+" + re.sub(r"\D", "", phone)
    receiver = "whatsapp:+" + re.sub(r"\D", "", clinic_number)
    click.echo(f"Chatting as {mask(sender)} with {receiver}. Ctrl-D to leave.\n")
    while True:
        try:
            text = click.prompt(click.style("você", fg="green"), prompt_suffix="> ")
        except (click.Abort, EOFError):
            click.echo()
            return
        inbound = Inbound(
            provider=CHAT_PROVIDER,
            message_id=f"chat-{uuid.uuid4().hex}",
            from_address=sender,
            to_address=receiver,
            body=text,
            profile_name=name or None,
        )
        with deps.session() as session:
            replies = handle(
                inbound, session=session, clock=clock, transport=get_transport(current_app)
            )
        for reply in replies:
            click.echo(click.style("bot", fg="cyan") + "> " + whatsapp_to_terminal(reply.render()))
            click.echo()


def whatsapp_to_terminal(text: str) -> str:
    """Show WhatsApp's *bold* as terminal bold."""
    return re.sub(r"\*([^*\n]+)\*", lambda match: click.style(match.group(1), bold=True), text)
