"""Time zones and local days: the one default zone, and the helpers that turn local dates into
UTC windows (times are stored in UTC and shown in the unit's zone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.base import DEFAULT_ZONE

__all__ = ["DEFAULT_ZONE", "days", "local_day", "today_in", "window", "windows", "zone_of"]


def zone_of(name: str | None) -> ZoneInfo:
    """The zone named, or the default zone when none is."""
    return ZoneInfo(name or DEFAULT_ZONE)


def today_in(zone: str, now: datetime) -> date:
    """The local date of `now` in the zone."""
    return now.astimezone(ZoneInfo(zone)).date()


def window(zone: str, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants [first 00:00, the day after last 00:00) of local days in the zone."""
    tz = ZoneInfo(zone)
    low = datetime.combine(first, time(), tz).astimezone(UTC)
    high = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    return low, high


def windows(
    zones: Mapping[int, str], first: date, last: date
) -> dict[int, tuple[datetime, datetime]]:
    """The window of the same local days in each unit's zone: {location_id: (low, high)}."""
    return {location_id: window(zone, first, last) for location_id, zone in zones.items()}


def days(first: date, last: date) -> list[date]:
    """Every date from first to last, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def local_day(moment: datetime, zone: str) -> date:
    """The local date of an instant (naive values are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date()
