"""Reading ids and times from integrators, and the filters and order of the appointment list."""

from __future__ import annotations

import operator
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field
from sqlalchemy import and_, false, or_
from sqlmodel import Session, col, select

from bot.api.calendars.views import calendar_filter
from bot.api.common import Page
from bot.api.errors import ApiError
from bot.api.params import reference
from bot.core.zones import DEFAULT_ZONE
from models import Appointment, AppointmentStatus, Client, Location, Professional, Service, Slot

# Far enough for any schedule, near enough that offsets and durations never leave datetime's range.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SORT_COLUMNS = {
    "start": Appointment.start,
    "created_at": Appointment.created_at,
    "updated_at": Appointment.updated_at,
    "status": Appointment.status,
}


def bad_date(field: str, message: str | None = None) -> ApiError:
    """INVALID_DATE_FORMAT naming the field."""
    text = message or f"{field} must be a date (YYYY-MM-DD) or an ISO 8601 date-time"
    return ApiError(
        "INVALID_DATE_FORMAT", details=[{"code": "invalid_date", "message": text, "path": [field]}]
    )


def zone(name: str | None, field: str = "timezone") -> ZoneInfo:
    """An IANA time zone (America/Sao_Paulo when not given); an unknown one is a 400."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory
        raise ApiError(
            "INVALID_PARAMETER",
            details=[{"code": "invalid_timezone", "message": "unknown time zone", "path": [field]}],
        ) from None


def in_range(moment: datetime, field: str) -> datetime:
    """`moment` unchanged, or INVALID_DATE_FORMAT when its year is absurd."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise bad_date(field, f"{field} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


def to_utc(moment: datetime, local: ZoneInfo, field: str) -> datetime:
    """An aware moment in UTC; a naive one is read in `local` (the unit's zone)."""
    in_range(moment, field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local)
    return moment.astimezone(UTC)


def parse_moment(value: str, field: str) -> date | datetime:
    """A YYYY-MM-DD date, or an ISO 8601 date-time (with or without an offset)."""
    text = value.strip()
    try:
        parsed: date | datetime = (
            date.fromisoformat(text) if _DAY.fullmatch(text) else datetime.fromisoformat(text)
        )
    except ValueError:
        raise bad_date(field) from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise bad_date(field, f"{field} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return parsed


class AppointmentQuery(Page):
    """Filters, order and paging of the appointment list."""

    status: AppointmentStatus | None = None
    service_id: str | None = Field(None, max_length=20)
    professional_id: str | None = Field(None, max_length=20)
    client_id: str | None = Field(None, max_length=20)
    location_id: str | None = Field(None, max_length=20, description="The unit")
    calendar_id: str | None = Field(None, max_length=40, description="professional-unit")
    date_from: str | None = Field(
        None,
        max_length=40,
        description="From this day (YYYY-MM-DD, the unit's local day) or moment (ISO 8601)",
    )
    date_to: str | None = Field(
        None,
        max_length=40,
        description="Up to this day, included (YYYY-MM-DD) or moment (ISO 8601)",
    )
    sort_by: Literal["start", "created_at", "updated_at", "status"] = "start"
    sort_order: Literal["asc", "desc"] = "asc"


def filters(session: Session, query: AppointmentQuery, *, clinic_id: int) -> list[Any]:
    """The WHERE clauses of the list (the statement joins Slot for professional and unit)."""
    where: list[Any] = [Appointment.clinic_id == clinic_id]
    if query.status is not None:
        where.append(Appointment.status == query.status)
    # A reference that is not one of the clinic's rows is a 400, as in bodies: never a silently
    # empty (or, misread, unfiltered) list.
    for field, model, column in (
        ("service_id", Service, Appointment.service_id),
        ("client_id", Client, Appointment.client_id),
        ("professional_id", Professional, Slot.professional_id),
        ("location_id", Location, Slot.location_id),
    ):
        row = reference(session, model, getattr(query, field), field=field, clinic_id=clinic_id)
        if row is not None:
            where.append(column == row.id)
    calendar = calendar_filter(session, clinic_id, query.calendar_id)
    if calendar is not None:
        where += [Slot.professional_id == calendar.pair[0], Slot.location_id == calendar.pair[1]]
    low = _bound(session, query.date_from, "date_from", clinic_id, end=False)
    high = _bound(session, query.date_to, "date_to", clinic_id, end=True)
    return where + [clause for clause in (low, high) if clause is not None]


def _bound(session: Session, value: str | None, field: str, clinic_id: int, *, end: bool) -> Any:
    """One end of the date range. A day or a moment without offset is the unit's local time, so
    the clause compares each unit's appointments with that unit's own midnight."""
    if not value:
        return None
    parsed = parse_moment(value, field)
    is_day = not isinstance(parsed, datetime)
    # date_to names a day it includes: compare with the next midnight, excluded.
    compare = (operator.lt if is_day else operator.le) if end else operator.ge
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        return compare(Appointment.start, to_utc(parsed, ZoneInfo("UTC"), field))

    def local(zone_name: str) -> datetime:
        if isinstance(parsed, datetime):
            return to_utc(parsed, ZoneInfo(zone_name), field)
        day = parsed + timedelta(days=1) if end else parsed
        return datetime.combine(day, time(), ZoneInfo(zone_name)).astimezone(UTC)

    units = session.exec(
        select(Location.id, Location.timezone).where(Location.clinic_id == clinic_id)
    ).all()
    if not units:
        return false()
    return or_(
        *(and_(Slot.location_id == uid, compare(Appointment.start, local(tz))) for uid, tz in units)
    )


def order(query: AppointmentQuery) -> list[Any]:
    """ORDER BY of the list; the id breaks ties so pages never overlap."""
    column = col(SORT_COLUMNS[query.sort_by])
    ident = col(Appointment.id)
    if query.sort_order == "desc":
        return [column.desc(), ident.desc()]
    return [column.asc(), ident.asc()]
