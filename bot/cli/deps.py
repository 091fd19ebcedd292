"""What every command shares: a database session and the clock of the app it runs in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from flask import current_app
from sqlmodel import Session

from bot.core.clock import Clock
from models import new_session

Command = TypeVar("Command", bound=Callable[..., object])


def session() -> Session:
    """A new session on the app's engine (the command closes it)."""
    return new_session(current_app.extensions["agendai.engine"])


def clock() -> Clock:
    """The app's clock."""
    return current_app.extensions["agendai.clock"]


def worker_options(default_interval: int) -> Callable[[Command], Command]:
    """`--loop` (run as a worker until SIGTERM or Ctrl-C) and `--interval` between passes."""

    def apply(command: Command) -> Command:
        command = click.option(
            "--interval",
            default=default_interval,
            show_default=True,
            type=click.IntRange(min=1),
            help="Seconds between passes with --loop.",
        )(command)
        return click.option(
            "--loop", "forever", is_flag=True, help="Keep running until SIGTERM or Ctrl-C."
        )(command)

    return apply
