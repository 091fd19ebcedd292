"""understand(): one patient message in, everything the flows need to know out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.brazil.cpf import find_cpf
from flows.understanding.choices import choose
from flows.understanding.commands import asks_for_human, command_of
from flows.understanding.dates import DateRange
from flows.understanding.intents import intent_of
from flows.understanding.names import person_name
from flows.understanding.text import Prepared
from flows.understanding.when import read_when
from flows.understanding.yesno import yes_no_of


@dataclass(frozen=True)
class Understanding:
    """What one message says, read without any conversation state.

    `when` is the window to search slots in and `at` the exact moment named, if any: see
    flows.understanding.when for how days, parts of days, bounds and bare times map onto them.
    """

    text: str
    normalized: str
    command: str | None
    intent: str
    choice: int | None
    ambiguous: tuple[int, ...]
    out_of_range: bool
    yes_no: bool | None
    when: DateRange | None
    at: datetime | None
    cpf: str | None
    cpf_invalid: bool
    name: str | None
    # "sexta, 16/12" when the 16th is a Tuesday: (the date written, the weekday's date).
    day_conflict: tuple[date, date] | None = None


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
    """Read one patient message: command, intent, option, yes/no, day and time, CPF and name."""
    p = Prepared.of(text)
    command = command_of(p)
    if asks_for_human(p.key):
        command = "human"
    yes_no = yes_no_of(p)
    when = read_when(p.folded, now=now, tz=tz)
    if command == "human":
        intent = "handoff"
    else:
        has_day = when.window is not None
        intent = _with_command(intent_of(p, has_day=has_day, yes=yes_no), command, p.plain)
    picked = choose(p.normalized, options)
    cpf, cpf_invalid = find_cpf(p.normalized, p.folded)
    picked_any = picked.index is not None or bool(picked.ambiguous)
    said = (
        command,
        intent != "other",
        yes_no is not None,
        when.window,
        when.conflict,
        cpf,
        cpf_invalid,
    )
    busy = picked_any or any(said)
    return Understanding(
        text=p.raw,
        normalized=p.normalized,
        command=command,
        intent=intent,
        choice=picked.index,
        ambiguous=picked.ambiguous,
        out_of_range=picked.out_of_range,
        yes_no=yes_no,
        when=when.window,
        day_conflict=when.conflict,
        at=when.at,
        cpf=cpf,
        cpf_invalid=cpf_invalid,
        name=_name_or_none(p, busy=busy),
    )
