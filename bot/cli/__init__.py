"""`flask --app app <command>`: database, demo data, terminal chat, handoffs, diagram."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import col, select

from bot import demo
from bot.brazil.phones import mask
from bot.cli.events import events_group
from bot.cli.keys import keys_group
from bot.domain.scheduling.calendar import generate_slots
from bot.messaging import reminders
from bot.messaging.channels.base import Inbound
from bot.messaging.outbound import get_transport
from flows.conversation import ConversationFlow
from flows.engine import handle
from flows.understanding.command import understand_command
from models import Clinic, Conversation, new_session
from models.migrate import upgrade

CHAT_PROVIDER = "chat"


def register(app: Flask) -> None:
    """Attach every command to the app."""
    for command in (
        db_group,
        demo_command,
        setup_command,
        chat_command,
        slots_group,
        handoff_group,
        diagram_command,
        understand_command,
        reminders_group,
        keys_group,
        events_group,
    ):
        app.cli.add_command(command)


def _session():
    return new_session(current_app.extensions["agendai.engine"])


def _clock():
    return current_app.extensions["agendai.clock"]


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
    now = _clock().now()
    with _session() as session:
        clinic = demo.load_demo(session, today=now.date(), now=now)
        click.echo(f"demo clinic ready: {clinic.name} (id {clinic.id})")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Upgrade the database, load the demo clinic when there is none, say how to talk to the bot."""
    upgrade(current_app.extensions["agendai.engine"])
    with _session() as session:
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


@click.command("chat")
@click.option("--phone", default="+5511900000000", show_default=True, help="The patient's number.")
@click.option("--name", default="", help="The WhatsApp profile name to send.")
@click.option(
    "--clinic-number",
    default=demo.DEMO_NUMBERS[0],
    show_default=True,
    help="The clinic number to write to.",
)
@with_appcontext
def chat_command(phone: str, name: str, clinic_number: str) -> None:
    """Talk to the bot in the terminal, through the same handle() as WhatsApp."""
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
        with _session() as session:
            replies = handle(
                inbound, session=session, clock=_clock(), transport=get_transport(current_app)
            )
        for reply in replies:
            click.echo(click.style("bot", fg="cyan") + "> " + whatsapp_to_terminal(reply.render()))
            click.echo()


def whatsapp_to_terminal(text: str) -> str:
    """Show WhatsApp's *bold* as terminal bold."""
    return re.sub(r"\*([^*\n]+)\*", lambda match: click.style(match.group(1), bold=True), text)


@click.group("slots")
def slots_group() -> None:
    """Bookable slots."""


@slots_group.command("generate")
@click.option("--days", default=30, show_default=True, help="How many days ahead.")
@with_appcontext
def slots_generate(days: int) -> None:
    """Create missing slots from working hours for every clinic (safe to run daily)."""
    today = _clock().now().date()
    with _session() as session:
        clinic_ids = session.exec(select(Clinic.id)).all()
        created = sum(
            generate_slots(session, clinic_id=cid, start=today, days=days) for cid in clinic_ids
        )
        session.commit()
    click.echo(f"{created} slots created")


@click.group("handoff")
def handoff_group() -> None:
    """Conversations waiting for a human."""


@handoff_group.command("list")
@with_appcontext
def handoff_list() -> None:
    """Conversations an operator owns (the bot is silent in them)."""
    with _session() as session:
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
    with _session() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise click.ClickException(f"no conversation {conversation_id}")
        if conversation.handoff_at is None:
            click.echo(f"conversation {conversation_id} was already with the bot")
            return
        conversation.handoff_at = None
        conversation.updated_at = _clock().now()
        session.commit()
    click.echo(f"conversation {conversation_id} is back with the bot")


@click.group("reminders")
def reminders_group() -> None:
    """Reminders before appointments."""


@reminders_group.command("run")
@click.option("--loop", "forever", is_flag=True, help="Keep running until SIGTERM or Ctrl-C.")
@click.option(
    "--interval",
    default=60,
    show_default=True,
    type=click.IntRange(min=1),
    help="Seconds between passes with --loop.",
)
@with_appcontext
def reminders_run(forever: bool, interval: int) -> None:
    """Send the reminders that are due: one pass (for cron), or --loop as a worker."""
    dependencies = {"clock": _clock(), "transport": get_transport(current_app)}
    if forever:
        reminders.run_forever(_session, interval=interval, echo=click.echo, **dependencies)
        return
    report = reminders.run_once(_session, worker=reminders.worker_name(), **dependencies)
    click.echo(f"reminders: {report}")


DIAGRAM_START = "<!-- state-diagram:start -->"
DIAGRAM_END = "<!-- state-diagram:end -->"


@click.command("diagram")
@click.option(
    "--readme",
    type=click.Path(dir_okay=False, exists=True),
    help="Rewrite the diagram between the state-diagram markers of this file.",
)
def diagram_command(readme: str | None) -> None:
    """Print the conversation's state diagram (mermaid), or refresh it in the README."""
    mermaid = state_diagram()
    if readme is None:
        click.echo(mermaid)
        return
    path = Path(readme)
    text = path.read_text(encoding="utf-8")
    if DIAGRAM_START not in text or DIAGRAM_END not in text:
        raise click.ClickException(f"{readme} has no {DIAGRAM_START} ... {DIAGRAM_END} block")
    head, rest = text.split(DIAGRAM_START, 1)
    _, tail = rest.split(DIAGRAM_END, 1)
    block = f"{DIAGRAM_START}\n```mermaid\n{mermaid}\n```\n{DIAGRAM_END}"
    path.write_text(head + block + tail, encoding="utf-8")
    click.echo(f"diagram updated in {readme}")


def state_diagram() -> str:
    """The conversation machine as a mermaid state diagram."""
    return format(ConversationFlow, "mermaid").strip()  # type: ignore[arg-type]
