"""Statistics by period: appointments (summary and daily rows), clients, calendars, the bot.

`period` is today, last7days, last15days, last30days (each ending today), specific_day (with
`date`) or custom (`start_date`/`end_date`, at most 365 days apart). Days are counted in
America/Sao_Paulo unless a unit (or a calendar, through its unit) is named.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from flask import Response
from pydantic import Field
from sqlmodel import Session

from bot.api import auth, formats
from bot.api.calendars.views import calendar_filter, parse_calendar_id
from bot.api.common import IdPath, Query, api_blueprint, ident, one
from bot.api.errors import not_found
from bot.api.params import check_range, day_field, reference, require_day
from bot.api.statistics.schemas import (
    AppointmentStats,
    BotStats,
    CalendarStats,
    ClientStats,
    Period,
)
from bot.core.zones import DEFAULT_ZONE, today_in, windows
from bot.domain.clinic.setup.snapshots import calendar_ident
from bot.domain.clinic.statistics import (
    appointment_stats,
    bot_stats,
    client_stats,
    ratio,
    utilisation,
)
from bot.domain.scheduling.calendars import Calendar, calendars, empty_totals, slot_totals
from bot.web.db import clock, db
from models import Location

api = api_blueprint(
    "statistics",
    __name__,
    url_prefix="/api/v1/statistics",
    tag="Statistics",
    description="Figures by period; days in America/Sao_Paulo unless a unit is named.",
)

MAX_CUSTOM_DAYS = 365
# period -> how many days it spans, ending today.
LAST_DAYS = {"today": 1, "last7days": 7, "last15days": 15, "last30days": 30}
Format = Literal["json", "xml", "csv"]


class PeriodQuery(Query):
    period: Period = Field(description="today, last7days, last15days, last30days, ...")
    date: str | None = day_field("The day of period=specific_day (YYYY-MM-DD)")
    start_date: str | None = day_field("First day of period=custom (YYYY-MM-DD)")
    end_date: str | None = day_field("Last day of period=custom, at most 365 days later")


class AppointmentStatsQuery(PeriodQuery):
    calendar_id: str | None = Field(None, max_length=40, description="Only this calendar")
    location_id: str | None = Field(None, max_length=20, description="Only this unit")
    format: Format | None = Field(None, description="xml / csv apply to the daily rows")


class CalendarStatsQuery(PeriodQuery):
    location_id: str | None = Field(None, max_length=20, description="Only this unit's calendars")
    format: Format | None = None


def resolve(query: PeriodQuery, today: date) -> tuple[date, date]:
    """The first and last local day of the query's period."""
    if query.period in LAST_DAYS:
        return today - timedelta(days=LAST_DAYS[query.period] - 1), today
    if query.period == "specific_day":
        day = require_day(query.date, "date")
        return day, day
    first = require_day(query.start_date, "start_date")
    last = require_day(query.end_date, "end_date")
    check_range(first, last, max_days=MAX_CUSTOM_DAYS, fields=("start_date", "end_date"))
    return first, last


def _period(query: PeriodQuery, zone: str) -> tuple[date, date, dict[str, Any]]:
    first, last = resolve(query, today_in(zone, clock().now()))
    info = {
        "period": query.period,
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "timezone": zone,
    }
    return first, last, info


def _appointments(query: AppointmentStatsQuery, calendar: Calendar | None) -> Response:
    session, clinic_id = db(), auth.clinic_id()
    unit = reference(session, Location, query.location_id, field="location_id", clinic_id=clinic_id)
    calendar = calendar or calendar_filter(session, clinic_id, query.calendar_id)
    zone = DEFAULT_ZONE
    if calendar is not None:
        zone = calendar.location.timezone
    elif unit is not None:
        zone = unit.timezone
    first, last, info = _period(query, zone)
    summary, daily = appointment_stats(
        session,
        clinic_id=clinic_id,
        zone=info["timezone"],
        first=first,
        last=last,
        pair=calendar.pair if calendar else None,
        location_id=unit.id if unit else None,
    )
    info |= {
        "calendar_id": calendar_ident(*calendar.pair) if calendar else None,
        "location_id": ident(unit.id) if unit else None,
        "summary": summary,
    }
    return formats.listing(daily, meta=info, name="day")


@api.get("/appointments", responses={200: AppointmentStats})
def appointment_statistics(query: AppointmentStatsQuery):
    """Appointments starting in the period: totals by status, rates, and one row per day."""
    return _appointments(query, None)


@api.get("/calendars/<id>", responses={200: AppointmentStats})
def calendar_statistics(path: IdPath, query: AppointmentStatsQuery):
    """One calendar's appointment statistics (TAP4BOOK's /statistics/{calendarId})."""
    session, clinic_id = db(), auth.clinic_id()
    pair = parse_calendar_id(path.id)
    found = calendars(session, clinic_id=clinic_id, pair=pair) if pair else []
    if not found:
        raise not_found("calendar")
    return _appointments(query, found[0])


def _calendar_rows(
    session: Session, clinic_id: int, unit: Location | None, first: date, last: date
) -> list[dict[str, Any]]:
    every = [
        c
        for c in calendars(session, clinic_id=clinic_id)
        if unit is None or c.location.id == unit.id
    ]
    zones = {c.location.id or 0: c.location.timezone for c in every}
    totals = slot_totals(
        session,
        clinic_id=clinic_id,
        windows=windows(zones, first, last),
        now=clock().now(),
        pairs=[c.pair for c in every],
    )
    return [
        {
            "calendar_id": calendar_ident(*c.pair),
            "name": f"{c.professional.name} - {c.location.name}",
            "professional_id": ident(c.professional.id),
            "location_id": ident(c.location.id),
            "active": c.active,
        }
        | utilisation(totals.get(c.pair) or empty_totals())
        for c in every
    ]


@api.get("/calendars", responses={200: CalendarStats})
def calendars_statistics(query: CalendarStatsQuery):
    """Per calendar: slots, capacity, places booked and utilisation (%) over the period."""
    session, clinic_id = db(), auth.clinic_id()
    unit = reference(session, Location, query.location_id, field="location_id", clinic_id=clinic_id)
    first, last, info = _period(query, unit.timezone if unit else DEFAULT_ZONE)
    rows = _calendar_rows(session, clinic_id, unit, first, last)
    capacity = sum(r["capacity"] for r in rows)
    booked = sum(r["booked"] for r in rows)
    share = ratio(booked, capacity)
    info["summary"] = {
        "total_calendars": len(rows),
        "active_calendars": sum(1 for r in rows if r["active"]),
        "calendars_with_appointments": sum(1 for r in rows if r["booked"]),
        "capacity": capacity,
        "booked": booked,
        "utilisation_percent": None if share is None else round(share * 100, 2),
        "average_booked_per_calendar": ratio(booked, len(rows)),
    }
    return formats.listing(rows, meta=info, name="calendar")


@api.get("/clients", responses={200: ClientStats})
def clients_statistics(query: PeriodQuery):
    """Patients: total, new in the period, seen in the period, returning, the most frequent."""
    first, last, info = _period(query, DEFAULT_ZONE)
    figures = client_stats(
        db(), clinic_id=auth.clinic_id(), zone=DEFAULT_ZONE, first=first, last=last
    )
    return one(info | figures)


@api.get("/bot", responses={200: BotStats})
def bot_statistics(query: PeriodQuery):
    """The bot: conversations started, bookings it made, handoffs, its bookings' rates."""
    first, last, info = _period(query, DEFAULT_ZONE)
    figures = bot_stats(db(), clinic_id=auth.clinic_id(), zone=DEFAULT_ZONE, first=first, last=last)
    return one(info | figures)
