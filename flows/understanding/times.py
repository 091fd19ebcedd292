"""Times of day patients type: "14h", "às 2", "10:30", "3 da tarde", "de manhã", "depois das 18h".

Times are minutes after local midnight; when.py decides which day they belong to. A number on
its own is never a time: it needs a mark ("14h", "10:30", "3 da tarde") or a cue before it
("às 2", "depois das 6"), so "2", a phone number, a CPF or a price never reads as a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flows.understanding.text import is_refused

DAY = 24 * 60
NOON = 12 * 60
# [start, end) in minutes. "Morning" is the fixture's "before 12:00": no early slot is lost.
PARTS: dict[str, tuple[int, int]] = {
    "madrugada": (0, 6 * 60),
    "manha": (0, NOON),
    "cedo": (0, NOON),
    "tarde": (NOON, 18 * 60),
    "noite": (18 * 60, DAY),
}
# Clinics do not open at 2 a.m.: "às 2" or "2h" is 14:00 unless "da manhã" says otherwise.
_LAST_AFTERNOON_HOUR = 5
# "14 horas" is a time; "2 horas" is more often a duration, so it needs a cue.
_FIRST_HOUR_BY_HORAS = 7

_TOKEN = re.compile(
    r"(?<![\w:/.])(?<!\d,)(?P<h>\d{1,2})"
    r"(?::(?P<cm>[0-5]\d)(?:\s?(?:h|hs|hrs?|horas?)(?![a-z]))?"
    r"|\s?(?P<unit>h|hs|hrs?|horas?)(?![a-z])(?P<um>[0-5]\d)?)?"
    r"(?:\s?(?:min|mins|minutos)(?![a-z]))?"
    r"(?P<half>\s+e\s+meia)?"
    r"(?:\s+d[ae]\s+(?P<q>manha|tarde|noite|madrugada))?"
    r"(?![\w/]|[:.,]\d)"
)
_NOON = re.compile(r"\b(?:(?P<noon>meio[\s-]?dia)|meia[\s-]?noite)(?P<half>\s+e\s+meia)?\b")
_CUE = re.compile(
    r"(?:\b(?P<after>depois d[aoe]s?|apos (?:as?|o)|a partir d[aoe]s?)"
    r"|\b(?P<before>ate(?: as?| o)?|antes d[aoe]s?|no maximo (?:ate )?as)"
    r"|\b(?:as|pelas|umas|por volta d[ao]s?|la pelas|perto d[ao]s?))\s*$"
)
# "dia 2 de manhã" is a date; "daqui a 2h", "dura 2h" are durations.
_NOT_A_CLOCK = re.compile(r"\b(?:dia|daqui a|daqui|dentro de|em|durante|por|dura|demora|leva)\s*$")
_RANGE_CUE = re.compile(r"\b(?P<c>entre|das|de|da)\s+(?:as\s+)?$")
_JOIN = re.compile(r"\s*(?P<j>e|as|a|ate|-)\s*(?:as\s+)?")
# What may follow a time that only a cue made ("às 2"): "as 2 opções" is no time.
_FOLLOWER_OK = re.compile(
    r"\s*(?:$|[^\w\s]|(?:ou|e|pode|podemos|pfv|pf|por|ta|ok|entao|mesmo|certo|beleza|blz|fica"
    r"|seria|serve|consigo|posso|prefiro|melhor|tambem|tb|tbm|que|se|tem|ja|para|pra|pro|hoje"
    r"|amanha|depois|dia|no|na|em|horas?|certinho|ne|obrigad[oa]|obg|segunda|terca|quarta"
    r"|quinta|sexta|sabado|domingo|de|do|da|nao|sim)\b)"
)
_PART = re.compile(
    r"\b(?:(?P<cue>de|a|na|pela|pelo|durante a|n?esta|n?essa|(?:n?o )?(?:periodo|turno) da"
    r"|(?:na |a )?parte da|(?:no )?(?:fim|final|inicio|comeco) da)\s+)?"
    r"(?P<part>manha|tarde|noite|madrugada|cedo)\b"
)
_CUE_REACH = 24
_MAX_TOKENS = 8


@dataclass(frozen=True)
class TimeItem:
    """One time expression: its span in the text and the minutes it allows, [lo, hi)."""

    start: int
    end: int
    lo: int
    hi: int
    exact: bool = False
    cued: bool = True
    refused: bool = False


@dataclass(frozen=True)
class Clock:
    """What the times of one message add up to: one exact minute, or a window, or neither."""

    at: int | None
    lo: int = 0
    hi: int = DAY
    times: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    minutes: int
    marked: bool


def _hour_minutes(m: re.Match[str]) -> int | None:
    hour, part = int(m["h"]), m["q"]
    minute = int(m["cm"] or m["um"] or 0) + (30 if m["half"] and not (m["cm"] or m["um"]) else 0)
    if hour > 23:
        return None
    evening = (part == "tarde" and hour < 12) or (part == "noite" and 6 <= hour < 12)
    small = part is None and 1 <= hour <= _LAST_AFTERNOON_HOUR and not m["h"].startswith("0")
    if evening or small:
        hour += 12
    return hour * 60 + minute


def _numeric_token(folded: str, m: re.Match[str]) -> _Token | None:
    minutes = _hour_minutes(m)
    if minutes is None or _NOT_A_CLOCK.search(folded, max(0, m.start() - _CUE_REACH), m.start()):
        return None
    unit = m["unit"] or ""
    strong_unit = not unit.startswith("hora") or int(m["h"]) >= _FIRST_HOUR_BY_HORAS
    marked = bool(m["cm"] or m["q"] or (unit and strong_unit))
    return _Token(m.start(), m.end(), minutes, marked)


def _tokens(folded: str) -> list[_Token]:
    """Every number that could be a time, and "meio-dia" / "meia-noite", in text order."""
    found = [t for m in _TOKEN.finditer(folded) if (t := _numeric_token(folded, m))]
    for m in _NOON.finditer(folded):
        minutes = (NOON if m["noon"] else 0) + (30 if m["half"] else 0)
        found.append(_Token(m.start(), m.end(), minutes, True))
    return sorted(found, key=lambda t: t.start)[:_MAX_TOKENS]


def _follower_ok(folded: str, end: int) -> bool:
    return bool(_FOLLOWER_OK.match(folded, end))


def _range(folded: str, first: _Token, second: _Token) -> TimeItem | None:
    """ "entre 14h e 16h", "das 9 às 12", "14h-16h": a window, when the words allow it."""
    join = _JOIN.fullmatch(folded, first.end, second.start)
    if not join:
        return None
    cue = _RANGE_CUE.search(folded, max(0, first.start - _CUE_REACH), first.start)
    if join["j"] == "e" and not (cue and cue["c"] == "entre"):
        return None
    if not (cue or first.marked or second.marked):
        return None
    if not second.marked and not _follower_ok(folded, second.end):
        return None
    hi = second.minutes or DAY
    if hi <= first.minutes:
        return None
    return TimeItem(cue.start() if cue else first.start, second.end, first.minutes, hi)


def _single(folded: str, token: _Token) -> TimeItem | None:
    """A time on its own: exact ("às 14h"), or a bound ("depois das 18h", "até as 12h")."""
    cue = _CUE.search(folded, max(0, token.start - _CUE_REACH), token.start)
    if not token.marked and not (cue and _follower_ok(folded, token.end)):
        return None
    start = cue.start() if cue else token.start
    if cue and cue["after"]:
        return TimeItem(start, token.end, token.minutes, DAY)
    if cue and cue["before"]:
        hi = token.minutes or DAY
        return TimeItem(start, token.end, 0, hi)
    return TimeItem(start, token.end, token.minutes, token.minutes + 1, exact=True)


def _clock_items(folded: str) -> list[TimeItem]:
    tokens, items, index = _tokens(folded), [], 0
    while index < len(tokens):
        pair = tokens[index : index + 2]
        item = _range(folded, *pair) if len(pair) == 2 else None
        index += 2 if item else 1
        item = item or _single(folded, pair[0])
        if item:
            items.append(item)
    return items


def _part_items(folded: str, taken: Sequence[TimeItem]) -> list[TimeItem]:
    """ "de manhã", "à tarde", "sexta noite" (cued=False: only right after a day)."""
    items = []
    for m in _PART.finditer(folded):
        if any(m.start() < t.end and t.start < m.end() for t in taken):
            continue
        alone = not folded[: m.start()].strip() and not folded[m.end() :].strip(" .!?")
        cued = bool(m["cue"]) or (alone and m["part"] != "cedo")
        lo, hi = PARTS[m["part"]]
        items.append(TimeItem(m.start(), m.end(), lo, hi, cued=cued))
    return items


def read_times(folded: str) -> list[TimeItem]:
    """Every time expression in folded text, in text order, each marked refused or not."""
    clocks = _clock_items(folded)
    items = sorted(clocks + _part_items(folded, clocks), key=lambda i: i.start)
    return [
        TimeItem(i.start, i.end, i.lo, i.hi, i.exact, i.cued, is_refused(folded, i.start, i.end))
        for i in items
    ]


def _fit(minutes: int, lo: int, hi: int) -> int:
    """ "à noite, às 8": an hour before noon moves to the afternoon when the window says so."""
    if not lo <= minutes < hi and minutes < NOON and lo <= minutes + NOON < hi:
        return minutes + NOON
    return minutes


def settle(items: Sequence[TimeItem]) -> Clock | None:
    """Join the wanted items: windows intersect; one exact time is the moment, two are a doubt."""
    kept = [i for i in items if not i.refused]
    if not kept:
        return None
    windows = [i for i in kept if not i.exact]
    lo = max((w.lo for w in windows), default=0)
    hi = min((w.hi for w in windows), default=DAY)
    if lo >= hi:
        lo, hi = 0, DAY  # "de manhã ou à noite": no single window, so none
    times = tuple(sorted({_fit(i.lo, lo, hi) for i in kept if i.exact}))
    if len(times) == 1 and lo <= times[0] < hi:
        return Clock(times[0], lo, hi, times)
    if times:
        return Clock(None, 0, DAY, times)  # two times, or one outside the window: ask
    return Clock(None, lo, hi)
