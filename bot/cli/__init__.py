"""Every `flask --app app <command>`, one module per command group."""

from __future__ import annotations

from flask import Flask

from bot.cli import chat, database, diagram, events, handoff, keys, reminders, slots, understand


def register(app: Flask) -> None:
    """Attach every command to the app."""
    for command in (
        database.db_group,
        database.demo_command,
        database.setup_command,
        chat.chat_command,
        slots.slots_group,
        handoff.handoff_group,
        diagram.diagram_command,
        understand.understand_command,
        reminders.reminders_group,
        keys.keys_group,
        events.events_group,
    ):
        app.cli.add_command(command)
