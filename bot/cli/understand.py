"""`flask understand "texto"`: what the bot reads in one message, as one JSON object."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from bot.core.zones import DEFAULT_ZONE
from flows.understanding.core import Understanding, understand


def _zone(ctx: click.Context, param: click.Parameter, value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise click.BadParameter(f"unknown time zone {value!r}", ctx, param) from None


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date-time: {value!r}", ctx, param) from None


def _options(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def as_json(u: Understanding, options: list[str]) -> dict[str, Any]:
    """The reading of one message in the JSON shape the command prints."""
    when = {"start": u.when.start.isoformat(), "end": u.when.end.isoformat()} if u.when else None
    return {
        "intent": u.intent,
        "option": options[u.choice] if u.choice is not None else None,
        "when": when,
        "at": u.at.isoformat() if u.at else None,
        "yes_no": u.yes_no,
        "command": u.command,
        "cpf_valid": True if u.cpf else (False if u.cpf_invalid else None),
        "day_conflict": [day.isoformat() for day in u.day_conflict] if u.day_conflict else None,
    }


@click.command("understand")
@click.argument("text")
@click.option("--now", "now", callback=_moment, help="ISO date-time; default: now in --tz.")
@click.option("--tz", "tz", default=DEFAULT_ZONE, show_default=True, callback=_zone)
@click.option("--options", "options", help='Options offered, separated by "|": "a|b|c".')
def understand_command(text: str, now: datetime | None, tz: ZoneInfo, options: str | None) -> None:
    """Print what the bot understands in TEXT (intent, option, when, yes/no) as JSON."""
    if now is None:
        now = datetime.now(tz)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    offered = _options(options)
    reading = understand(text, options=offered, now=now, tz=tz)
    click.echo(json.dumps(as_json(reading, offered), ensure_ascii=False))
