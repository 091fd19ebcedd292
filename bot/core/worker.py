"""The loop of a background worker (`reminders run --loop`, `events deliver --loop`)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# A pass gets "should I stop?" and says whether more work is waiting (then no pause follows).
Pass = Callable[[Callable[[], bool]], bool]


def run_until_stopped(
    one_pass: Pass, *, name: str, interval: float, echo: Callable[[str], Any] = print
) -> None:
    """A pass every `interval` seconds until SIGTERM or Ctrl-C; a failed pass is only logged."""
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        while not stop.is_set():
            busy = False
            try:
                busy = one_pass(stop.is_set)
            except Exception:
                log.exception("%s pass failed; next try in %ss", name, interval)
            if not busy:
                stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    echo(f"{name}: stopped")
