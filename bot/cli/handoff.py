"""`flask handoff list|release`: conversations an operator owns, and giving one back."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import col, select

from bot.brazil.phones import mask
from bot.cli import deps
from models import Conversation


@click.group("handoff")
def handoff_group() -> None:
    """Conversations waiting for a human."""


@handoff_group.command("list")
@with_appcontext
def handoff_list() -> None:
    """Conversations an operator owns (the bot is silent in them)."""
    with deps.session() as session:
        rows = session.exec(
            select(Conversation)
            .where(col(Conversation.handoff_at).is_not(None))
            .order_by(col(Conversation.handoff_at))
        ).all()
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
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise click.ClickException(f"no conversation {conversation_id}")
        if conversation.handoff_at is None:
            click.echo(f"conversation {conversation_id} was already with the bot")
            return
        conversation.handoff_at = None
        conversation.updated_at = deps.clock().now()
        session.commit()
    click.echo(f"conversation {conversation_id} is back with the bot")
