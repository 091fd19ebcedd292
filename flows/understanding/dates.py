"""Days patients type: "amanhã", "sexta", "15/12", "dia 20", "semana que vem".

Times of day are read in times.py and joined to the day in when.py. All arithmetic here is on
calendar dates (the clinic's local "today"); a day found is a first date and a number of days.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flows.understanding.text import is_refused


@dataclass(frozen=True)
class DateRange:
    """A span of time to search slots in: aware datetimes in the clinic's zone, end exclusive."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class FoundDay:
    """A day (or several) named in the text: its span there, first date and length in days."""

    start: int
    end: int
    first: date
    days: int
    kind: str = "day"  # "date" when written as a date, "weekday" when named by its weekday
    # A weekday written with the date that falls on another day ("sexta, 16/12" when the 16th
    # is a Tuesday): the date that weekday would mean. Neither is picked: the patient is asked.
    disagrees: date | None = None


_NUMBER_WORDS = {
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "tres": 3,
    "quatro": 4,
    "cinco": 5,
    "seis": 6,
    "sete": 7,
    "oito": 8,
    "nove": 9,
    "dez": 10,
}
_WEEKDAYS = {
    "segunda": 0,
    "seg": 0,
    "terca": 1,
    "ter": 1,
    "quarta": 2,
    "qua": 2,
    "quinta": 3,
    "qui": 3,
    "sexta": 4,
    "sex": 4,
    "sabado": 5,
    "sab": 5,
    "domingo": 6,
    "dom": 6,
}
_MONTHS = {
    "janeiro": 1,
    "jan": 1,
    "fevereiro": 2,
    "fev": 2,
    "marco": 3,
    "mar": 3,
    "abril": 4,
    "abr": 4,
    "maio": 5,
    "mai": 5,
    "junho": 6,
    "jun": 6,
    "julho": 7,
    "jul": 7,
    "agosto": 8,
    "ago": 8,
    "setembro": 9,
    "set": 9,
    "outubro": 10,
    "out": 10,
    "novembro": 11,
    "nov": 11,
    "dezembro": 12,
    "dez": 12,
}
_NEXT_WEEK = r"(?:semana que vem|proxima semana|semana seguinte)"

# "depois de amanhã" as people type it: "dps de amanhã", "dpois d amanha", "depois amanhã".
_AFTER_TOMORROW = r"(?:depois|dps|dpois|dep)\s+(?:de\s+|d\s+)?(?:amanha|amnh)"
_RELATIVE = re.compile(rf"\b({_AFTER_TOMORROW}|hoje|hj|amanha|amnh)\b")
_IN_DAYS = re.compile(
    rf"\b(?:daqui a|daqui|em|dentro de) (\d{{1,2}}|{'|'.join(_NUMBER_WORDS)}) dias?\b"
)
# "ter" and "dom" are common words ("vou ter que..."), so they need a cue to count as days.
_WEEKDAY = re.compile(
    r"\b(?:(?P<cue>na|no|nesta|neste|nessa|nesse|esta|este|essa|esse|proxima|proximo|ate|a)\s+)?"
    r"(?P<day>segunda|terca|quarta|quinta|sexta|sabado|domingo|seg|ter|qua|qui|sex|sab|dom"
    r"|(?P<num>[2-6])a?(?=[\s-]*feira))"
    r"(?P<feira>[\s-]*feira)?(?!\s+(?:opcao|vez|via|chamada|alternativa|consulta))\b"
    rf"(?P<week>\s+(?:da|na|de)\s+{_NEXT_WEEK})?"
)
_WEEK = re.compile(rf"\b{_NEXT_WEEK}\b")
_THIS_WEEK = re.compile(r"\b(?:n?essa|n?esta) semana\b")
_NUMERIC = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*([/-])\s*(\d{1,2})(?:\s*\2\s*(\d{4}|\d{2}))?(?![\d/]|-\d)"
)
_MONTH_NAME = re.compile(
    rf"\b(?:dia\s+)?(\d{{1,2}})(?:\s+de)?\s+({'|'.join(_MONTHS)})\b(?:\s+de\s+(\d{{4}}))?"
)
_DAY_OF_MONTH = re.compile(r"\bdia\s+(\d{1,2})\b(?!\s*[/-]\s*\d)")
# The day after "para" is the one wanted in "remarcar de hoje para amanhã".
_TARGET_CUE = re.compile(r"(?:\bpara|\bpra|\bp/)\s*(?:o |a |dia )?$")
_CUE_REACH = 12
# A reader's length in days; this one means "from today up to next Monday".
_REST_OF_WEEK = 0
# A message naming more days than this is not an answer about one day; stop reading.
_MAX_CANDIDATES = 8


def _relative(m: re.Match[str], today: date) -> date | None:
    word = m.group(1)
    offset = 2 if " " in word else 0 if word in ("hoje", "hj") else 1
    return today + timedelta(days=offset)


def _in_days(m: re.Match[str], today: date) -> date | None:
    count = m.group(1)
    return today + timedelta(days=int(count) if count.isdigit() else _NUMBER_WORDS[count])


def _weekday(m: re.Match[str], today: date) -> date | None:
    word, cue = m.group("day"), m.group("cue")
    if word in ("ter", "dom") and not (cue or m.group("feira") or m.group("week")):
        return None
    target = int(m.group("num")) - 2 if m.group("num") else _WEEKDAYS[word]
    if m.group("week"):
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=target)
    return today + timedelta(days=(target - today.weekday()) % 7 or 7)


def _next_week(m: re.Match[str], today: date) -> date | None:
    return today + timedelta(days=7 - today.weekday())


def _this_week(m: re.Match[str], today: date) -> date | None:
    return today


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: int | None, today: date) -> date | None:
    """An explicit date; without a year, the next occurrence from today (today included)."""
    if year is not None:
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    for candidate_year in range(today.year, today.year + 5):
        found = _safe_date(candidate_year, month, day)
        if found and found >= today:
            return found
    return None


def _numeric(m: re.Match[str], today: date) -> date | None:
    year = int(m.group(4)) if m.group(4) else None
    return _day_month(int(m.group(1)), int(m.group(3)), year, today)


def _month_name(m: re.Match[str], today: date) -> date | None:
    year = int(m.group(3)) if m.group(3) else None
    return _day_month(int(m.group(1)), _MONTHS[m.group(2)], year, today)


def _day_of_month(m: re.Match[str], today: date) -> date | None:
    """The next such day-of-month: this month if still ahead (today counts), else later."""
    day = int(m.group(1))
    year, month = today.year, today.month
    for _ in range(13):
        found = _safe_date(year, month, day)
        if found and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


_Reader = Callable[[re.Match[str], date], date | None]
# Order matters only for overlaps: an earlier reader claims its span first.
_READERS: tuple[tuple[re.Pattern[str], _Reader, int, str], ...] = (
    (_NUMERIC, _numeric, 1, "date"),
    (_MONTH_NAME, _month_name, 1, "date"),
    (_DAY_OF_MONTH, _day_of_month, 1, "date"),
    (_IN_DAYS, _in_days, 1, "day"),
    (_RELATIVE, _relative, 1, "day"),
    (_WEEKDAY, _weekday, 1, "weekday"),
    (_WEEK, _next_week, 7, "week"),
    (_THIS_WEEK, _this_week, _REST_OF_WEEK, "week"),
)
# How far apart a weekday and a date may stand and still name one day ("quarta, dia 16").
_QUALIFIER_GAP = 8


def _candidates(folded: str, today: date) -> list[FoundDay]:
    found: list[FoundDay] = []
    for pattern, read, days, kind in _READERS:
        for m in pattern.finditer(folded):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            first = read(m, today)
            if first is not None:
                length = days or 7 - first.weekday()
                found.append(FoundDay(m.start(), m.end(), first, length, kind))
            if len(found) >= _MAX_CANDIDATES:
                return sorted(found, key=lambda f: f.start)
    return sorted(found, key=lambda f: f.start)


def _is_target(folded: str, start: int) -> bool:
    return bool(_TARGET_CUE.search(folded, max(0, start - _CUE_REACH), start))


def _pick(folded: str, found: list[FoundDay]) -> FoundDay:
    """The day after "para" if any, else the first day not refused, else the first day."""
    targeted = [f for f in found if _is_target(folded, f.start)]
    if targeted:
        return targeted[-1]
    return next((f for f in found if not is_refused(folded, f.start, f.end)), found[0])


def _qualified(found: list[FoundDay]) -> list[FoundDay]:
    """A weekday written next to a date ("sexta, 18/12", "quarta dia 16") names that date: it
    is one day, the date's, marked when the weekday is not the date's own."""
    settled = list(found)
    for day in (f for f in found if f.kind == "date"):
        for named in (f for f in found if f.kind == "weekday" and f in settled):
            gap = day.start - named.end if named.end <= day.start else named.start - day.end
            if 0 <= gap <= _QUALIFIER_GAP:
                settled.remove(named)
                if named.first.weekday() != day.first.weekday():
                    settled[settled.index(day)] = replace(day, disagrees=named.first)
                break
    return settled


def find_day(folded: str, today: date) -> FoundDay | None:
    """The day (or week) the folded text asks for, relative to the clinic's local `today`."""
    found = _qualified(_candidates(folded, today))
    return _pick(folded, found) if found else None
