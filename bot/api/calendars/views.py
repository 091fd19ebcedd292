"""Calendars (a professional at a unit) with their totals, and slots with capacity and use.

A calendar's id is "<professional_id>-<location_id>" (opaque to integrators). Dates are local
days in each unit's zone; times come with the unit's UTC offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlmodel import Session, select

from bot.api import auth, formats
from bot.api.calendars.schemas import (
    CalendarEnvelope,
    CalendarList,
    CalendarOut,
    SlotDetail,
    SlotEnvelope,
    SlotList,
    SlotOut,
)
from bot.api.common import (
    IdPath,
    Page,
    Query,
    api_blueprint,
    one,
    page_meta,
    parse_id,
)
from bot.api.errors import not_found
from bot.api.params import check_range, day_field, invalid_reference, parse_day, reference
from bot.core.zones import DEFAULT_ZONE, today_in, windows
from bot.domain.clinic.setup.snapshots import calendar_ident
from bot.domain.scheduling.calendars import (
    Calendar,
    Pair,
    SlotFilter,
    SlotRow,
    calendars,
    empty_totals,
    find_slot,
    find_slots,
)
from bot.domain.scheduling.calendars import slot_totals as totals_of
from bot.web.db import clock, db
from models import Location, Professional, Service

api = api_blueprint(
    "calendars",
    __name__,
    url_prefix="/api/v1",
    tag="Calendars",
    description="A calendar is a professional at a unit; its slots carry capacity and use.",
)

DEFAULT_SPAN_DAYS = 30
MAX_SPAN_DAYS = 92
_CALENDAR_ID = re.compile(r"([0-9]{1,18})-([0-9]{1,18})")


def parse_calendar_id(value: str | None) -> Pair | None:
    """(professional_id, location_id) from a calendar id, or None when it is not one."""
    match = _CALENDAR_ID.fullmatch((value or "").strip())
    return (int(match[1]), int(match[2])) if match else None


class RangeQuery(Page):
    date_from: str | None = day_field("First local day (YYYY-MM-DD); default: today")
    date_to: str | None = day_field(
        "Last local day, included (at most 92 days after date_from); default: date_from + 30 days"
    )


class OneCalendarQuery(Query):
    date_from: str | None = day_field("First local day (YYYY-MM-DD); default: today")
    date_to: str | None = day_field("Last local day, included; default: date_from + 30 days")


class SlotQuery(Page):
    calendar_id: str | None = Field(None, max_length=40, description="A calendar's id")
    location_id: str | None = Field(None, max_length=20)
    professional_id: str | None = Field(None, max_length=20)
    service_id: str | None = Field(
        None,
        max_length=20,
        description="Only slots that can take the service: their professional offers it and "
        "they last at least its duration",
    )
    available_only: bool = Field(
        False,
        description="Only slots not yet started with a free place (with service_id: "
        "the times the WhatsApp bot offers for that service)",
    )
    date_from: str | None = day_field("First local day (YYYY-MM-DD); default: today")
    date_to: str | None = day_field(
        "Last local day, included (at most 92 days after date_from); default: date_from, "
        "or today + 30 days when neither is given"
    )


def _span(
    raw_from: str | None, raw_to: str | None, today: date, *, default_days: int
) -> tuple[date, date]:
    first = parse_day(raw_from, "date_from") or today
    last = parse_day(raw_to, "date_to")
    if last is None:
        last = date.fromordinal(first.toordinal() + default_days)
    check_range(first, last, max_days=MAX_SPAN_DAYS)
    return first, last


def _zones(session: Session, clinic_id: int) -> dict[int, str]:
    rows = session.exec(
        select(Location.id, Location.timezone).where(Location.clinic_id == clinic_id)
    ).all()
    return {location_id: zone for location_id, zone in rows if location_id is not None}


def calendar_public(
    calendar: Calendar, totals: dict[str, Any], span: tuple[date, date]
) -> dict[str, Any]:
    """A calendar as the API shows it, with its totals over `span`."""
    professional, location = calendar.professional, calendar.location
    return CalendarOut(
        id=calendar_ident(*calendar.pair),
        name=f"{professional.name} - {location.name}",
        professional_id=str(professional.id),
        professional_name=professional.name,
        location_id=str(location.id),
        location_name=location.name,
        timezone=location.timezone,
        active=calendar.active,
        has_working_hours=calendar.has_hours,
        date_from=span[0].isoformat(),
        date_to=span[1].isoformat(),
        totals=totals,
    ).model_dump()


@api.get("/calendars", responses={200: CalendarList})
def list_calendars(query: RangeQuery):
    """Every calendar of the clinic, with slot and appointment totals over a date range."""
    session, clinic_id, now = db(), auth.clinic_id(), clock().now()
    span = _span(
        query.date_from,
        query.date_to,
        today_in(DEFAULT_ZONE, now),
        default_days=DEFAULT_SPAN_DAYS,
    )
    every = calendars(session, clinic_id=clinic_id)
    start = (query.page - 1) * query.per_page
    page = every[start : start + query.per_page]
    totals = totals_of(
        session,
        clinic_id=clinic_id,
        windows=windows(_zones(session, clinic_id), *span),
        now=now,
        pairs=[c.pair for c in page],
    )
    items = [calendar_public(c, totals.get(c.pair) or empty_totals(), span) for c in page]
    meta = page_meta(query, len(every)) | {
        "date_from": span[0].isoformat(),
        "date_to": span[1].isoformat(),
    }
    return formats.listing(items, meta=meta, name="calendar")


@api.get("/calendars/<id>", responses={200: CalendarEnvelope})
def get_calendar(path: IdPath, query: OneCalendarQuery):
    """One calendar with slots, capacity, booked, held, available and appointments by status."""
    session, clinic_id, now = db(), auth.clinic_id(), clock().now()
    pair = parse_calendar_id(path.id)
    found = calendars(session, clinic_id=clinic_id, pair=pair) if pair else []
    if not found:
        raise not_found("calendar")
    calendar = found[0]
    zone = calendar.location.timezone
    span = _span(
        query.date_from, query.date_to, today_in(zone, now), default_days=DEFAULT_SPAN_DAYS
    )
    totals = totals_of(
        session,
        clinic_id=clinic_id,
        windows=windows({calendar.pair[1]: zone}, *span),
        now=now,
        pairs=[calendar.pair],
    )
    return one(calendar_public(calendar, totals.get(calendar.pair) or empty_totals(), span))


def _slot_fields(row: SlotRow) -> dict[str, Any]:
    slot, zone = row.slot, ZoneInfo(row.timezone)
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    return {
        "id": str(slot.id),
        "calendar_id": calendar_ident(slot.professional_id, slot.location_id),
        "professional_id": str(slot.professional_id),
        "professional_name": row.professional,
        "location_id": str(slot.location_id),
        "location_name": row.location,
        "date": start.date().isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timezone": row.timezone,
        "capacity": slot.capacity,
        "booked": row.booked,
        "held": row.held,
        "available": row.available,
        "is_available": row.available > 0,
    }


def slot_public(row: SlotRow) -> dict[str, Any]:
    """A slot as the API shows it: times in its unit's zone, with capacity and use."""
    return SlotOut(**_slot_fields(row)).model_dump()


def calendar_filter(session: Session, clinic_id: int, value: str | None) -> Calendar | None:
    """The clinic's calendar named by a `calendar_id` filter (None when absent), else a 400."""
    if not value:
        return None
    pair = parse_calendar_id(value)
    found = calendars(session, clinic_id=clinic_id, pair=pair) if pair else []
    if not found:
        raise invalid_reference("calendar_id", "calendar")
    return found[0]


def _slot_filter(session: Session, clinic_id: int, query: SlotQuery, now: datetime) -> SlotFilter:
    """The query's filters checked against the clinic (unknown ids are a 400 naming the field)."""
    zones = _zones(session, clinic_id)
    location = reference(
        session, Location, query.location_id, field="location_id", clinic_id=clinic_id
    )
    professional = reference(
        session, Professional, query.professional_id, field="professional_id", clinic_id=clinic_id
    )
    service = reference(session, Service, query.service_id, field="service_id", clinic_id=clinic_id)
    professional_id = professional.id if professional else None
    location_id = location.id if location else None
    calendar = calendar_filter(session, clinic_id, query.calendar_id)
    if calendar is not None:
        pair = calendar.pair
        if (professional_id or pair[0], location_id or pair[1]) != pair:
            zones = {}  # the calendar and the other filters exclude each other: nothing matches
        professional_id, location_id = pair
    if location_id is not None:
        zones = {location_id: zones[location_id]} if location_id in zones else {}
    today = today_in(zones.get(location_id or 0, DEFAULT_ZONE), now)
    given = query.date_from not in (None, "")
    first, last = _span(
        query.date_from, query.date_to, today, default_days=0 if given else DEFAULT_SPAN_DAYS
    )
    return SlotFilter(
        windows=windows(zones, first, last),
        professional_id=professional_id,
        location_id=location_id,
        service_id=service.id if service else None,
        available_only=query.available_only,
    )


@api.get("/slots", responses={200: SlotList})
def list_slots(query: SlotQuery):
    """Slots by calendar, unit, professional or service over local days, in start order."""
    session, clinic_id, now = db(), auth.clinic_id(), clock().now()
    wanted = _slot_filter(session, clinic_id, query, now)
    total, rows = find_slots(
        session,
        clinic_id=clinic_id,
        now=now,
        wanted=wanted,
        offset=(query.page - 1) * query.per_page,
        limit=query.per_page,
    )
    return formats.listing(
        [slot_public(row) for row in rows], meta=page_meta(query, total), name="slot"
    )


@api.get("/slots/<id>", responses={200: SlotEnvelope})
def get_slot(path: IdPath):
    """One slot with its calendar, capacity, booked, held and available places."""
    session, now = db(), clock().now()
    slot_id = parse_id(path.id, "slot")
    row = find_slot(session, clinic_id=auth.clinic_id(), slot_id=slot_id, now=now)
    if row is None:
        raise not_found("slot")
    calendar_name = f"{row.professional} - {row.location}"
    return one(SlotDetail(**_slot_fields(row), calendar_name=calendar_name).model_dump())
