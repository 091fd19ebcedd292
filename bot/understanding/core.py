"""understand(): one patient message in, everything the flows need to know out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.understanding.choices import choose
from bot.understanding.commands import asks_for_human, command_of
from bot.understanding.cpf import find_cpf
from bot.understanding.dates import DateRange, when_of
from bot.understanding.intents import intent_of
from bot.understanding.names import person_name
from bot.understanding.text import Prepared
from bot.understanding.yesno import yes_no_of


@dataclass(frozen=True)
class Understanding:
    """What one message says, read without any conversation state."""

    text: str
    normalized: str
    command: str | None
    intent: str
    choice: int | None
    ambiguous: tuple[int, ...]
    out_of_range: bool
    yes_no: bool | None
    when: DateRange | None
    cpf: str | None
    cpf_invalid: bool
    name: str | None


def _with_command(intent: str, command: str | None, plain: str) -> str:
    """A typo'd "canclar" is still the cancel command, so it is the cancel intent too."""
    if command == "cancel" and intent == "other" and plain != "sair":
        return "cancel"
    return intent


def _name_or_none(p: Prepared, *, busy: bool) -> str | None:
    """A name only when nothing else was read: "sim" or "amanhã" is not a person."""
    return None if busy else person_name(p.raw)


def understand(
    text: str | None, *, options: Sequence[str] = (), now: datetime, tz: ZoneInfo
) -> Understanding:
    """Read one patient message: command, intent, option, yes/no, day, CPF and name."""
    p = Prepared.of(text)
    command = command_of(p)
    if asks_for_human(p.key):
        command = "human"
    yes_no = yes_no_of(p)
    when = when_of(p.folded, now=now, tz=tz)
    if command == "human":
        intent = "handoff"
    else:
        intent = _with_command(intent_of(p, has_day=when is not None, yes=yes_no), command, p.plain)
    picked = choose(p.normalized, options)
    cpf, cpf_invalid = find_cpf(p.normalized, p.folded)
    busy = bool(
        command
        or intent != "other"
        or yes_no is not None
        or when
        or cpf
        or cpf_invalid
        or picked.index is not None
        or picked.ambiguous
    )
    return Understanding(
        text=p.raw,
        normalized=p.normalized,
        command=command,
        intent=intent,
        choice=picked.index,
        ambiguous=picked.ambiguous,
        out_of_range=picked.out_of_range,
        yes_no=yes_no,
        when=when,
        cpf=cpf,
        cpf_invalid=cpf_invalid,
        name=_name_or_none(p, busy=busy),
    )
