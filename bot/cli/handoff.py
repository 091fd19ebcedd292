"""`flask handoff list|release`: conversations an operator owns, and giving one back."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from bot.brazil.phones import mask
from bot.cli import deps
from bot.domain import handoffs


@click.group("handoff")
def handoff_group() -> None:
    """Conversations waiting for a human."""


@handoff_group.command("list")
@with_appcontext
def handoff_list() -> None:
    """Conversations an operator owns (the bot is silent in them)."""
    with deps.session() as session:
        rows = handoffs.waiting(session)
        for conversation in rows:
            click.echo(
                f"{conversation.id}\t{mask(conversation.address)}\t"
                f"since {conversation.handoff_at:%Y-%m-%d %H:%M} UTC"
            )
        if not rows:
            click.echo("no conversation is waiting for a human")


@handoff_group.command("release")
@click.argument("conversation_id", type=int)
@with_appcontext
def handoff_release(conversation_id: int) -> None:
    """Give a conversation back to the bot, in the state where it was."""
    with deps.session() as session:
        outcome = handoffs.release(session, conversation_id=conversation_id, now=deps.clock().now())
        session.commit()
    if outcome is handoffs.Release.not_found:
        raise click.ClickException(f"no conversation {conversation_id}")
    if outcome is handoffs.Release.already_with_the_bot:
        click.echo(f"conversation {conversation_id} was already with the bot")
        return
    click.echo(f"conversation {conversation_id} is back with the bot")
