"""Day and time of day together: the window to search slots in, and the exact moment if any.

Semantics (all aware datetimes in the clinic's zone, end exclusive):

- an exact moment ("amanhã às 14h"): `at` = that moment, `window` = its whole day;
- a day ("sexta", "15/12"): `window` = that day, `at` = None;
- a part of a day ("segunda de manhã"): `window` = that part (times.PARTS);
- a bound ("amanhã depois das 18h", "até as 12h"): `window` = the day from / up to it;
- a week ("semana que vem"): `window` = Monday to the next Monday, whatever time is named;
- a time with no day ("14h", "à tarde"): today if still ahead of `now`, else tomorrow;
- two exact times ("14h ou 15h") or a time against its window ("de manhã às 15h"): `at` =
  None and `window` = the whole day, so the flow asks instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.understanding.dates import DateRange, FoundDay, find_day
from flows.understanding.times import DAY, Clock, TimeItem, read_times, settle


@dataclass(frozen=True)
class When:
    """Where to look for slots (None when no day or time was named) and the exact moment asked."""

    window: DateRange | None = None
    at: datetime | None = None
    # A date and a weekday that disagree: (the date written, the date the weekday means).
    conflict: tuple[date, date] | None = None


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """`minutes` after the local midnight that starts `day` (DAY is the next midnight)."""
    day += timedelta(days=minutes // DAY)
    minutes %= DAY
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)


def _mask(folded: str, items: Sequence[TimeItem]) -> str:
    """Blank the time expressions so "10-12h" is not read as the 10th of December."""
    chars = list(folded)
    for item in items:
        chars[item.start : item.end] = " " * (item.end - item.start)
    return "".join(chars)


def _after_day(masked: str, day: FoundDay | None, item: TimeItem) -> bool:
    """ "sexta manhã", "amanhã cedo": a part of day with no cue counts right after a day."""
    return day is not None and day.end <= item.start and not masked[day.end : item.start].strip()


def _bare_day(clock: Clock, now: datetime, tz: ZoneInfo) -> date:
    """A time with no day: today if it is still ahead, else tomorrow."""
    today = now.date()
    last = max(clock.times) if clock.times else clock.hi
    return today if _local(today, last, tz) > now else today + timedelta(days=1)


def _combine(first: date, days: int, clock: Clock | None, tz: ZoneInfo) -> When:
    whole = DateRange(_local(first, 0, tz), _local(first + timedelta(days=days), 0, tz))
    if clock is None or days != 1:
        return When(whole)
    if clock.at is not None:
        return When(whole, _local(first, clock.at, tz))
    return When(DateRange(_local(first, clock.lo, tz), _local(first, clock.hi, tz)))


def read_when(folded: str, *, now: datetime, tz: ZoneInfo) -> When:
    """The day, window and moment named in folded text, relative to `now` in the clinic's zone."""
    if not folded or not any(ch.isalnum() for ch in folded):
        return When()
    local_now = now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)
    items = read_times(folded)
    masked = _mask(folded, items) if items else folded
    day = find_day(masked, local_now.date())
    clock = settle([i for i in items if i.cued or _after_day(masked, day, i)])
    if day is not None and day.disagrees is not None:
        return When(conflict=(day.first, day.disagrees))  # asked about, never guessed
    if day is not None:
        return _combine(day.first, day.days, clock, tz)
    if clock is not None:
        return _combine(_bare_day(clock, local_now, tz), 1, clock, tz)
    return When()
