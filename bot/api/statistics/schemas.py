"""The response models of /api/v1/statistics: the period, then the figures.

Rates are 0..1 with 4 decimals and percentages 0..100 with 2; either is null when its base is 0.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from bot.api.calendars.schemas import StatusCounts
from bot.api.common import Day, ListEnvelope

Period = Literal["today", "last7days", "last15days", "last30days", "specific_day", "custom"]
Rate = float | None
ConfirmationRate = Annotated[Rate, Field(description="Confirmed at some point / all")]
NoShowRate = Annotated[Rate, Field(description="No-shows / (completed + no-shows)")]
CancellationRate = Annotated[Rate, Field(description="Cancelled / all")]


class PeriodInfo(BaseModel):
    """The local days counted and the zone they are counted in."""

    period: Period
    start_date: Day = Field(description="First local day")
    end_date: Day = Field(description="Last local day, included")
    timezone: str = Field(description="The IANA zone of the days")


# -- appointments -------------------------------------------------------------------------------


class DayRow(BaseModel):
    """Appointments starting on one local day: all of them and by status."""

    date: Day
    total: int
    scheduled: int
    confirmed: int
    completed: int
    no_show: int
    cancelled: int


class AppointmentSummary(BaseModel):
    """Appointments starting in the period."""

    total: int
    by_status: StatusCounts
    unique_clients: int
    calendars_with_appointments: int
    days_with_appointments: int
    confirmation_rate: ConfirmationRate
    no_show_rate: NoShowRate
    cancellation_rate: CancellationRate


class AppointmentStatsMeta(PeriodInfo):
    """The period, the filters applied, and the summary of the daily rows."""

    calendar_id: str | None = Field(description="The calendar counted; null: all")
    location_id: str | None = Field(description="The unit counted; null: all")
    summary: AppointmentSummary


class AppointmentStats(ListEnvelope):
    """One row per local day of the period (XML / CSV carry the rows), and the summary."""

    data: list[DayRow]
    meta: AppointmentStatsMeta


# -- calendars ----------------------------------------------------------------------------------


class CalendarUse(BaseModel):
    """A calendar's slots in the period and how many of their places were used."""

    calendar_id: str
    name: str = Field(description='"<professional> - <unit>"')
    professional_id: str
    location_id: str
    active: bool = Field(description="Open to bookings: both active and weekly hours defined")
    slots: int
    capacity: int = Field(description="Places in the slots")
    booked: int = Field(description="Appointments not cancelled")
    cancelled: int
    utilisation_percent: Rate = Field(description="booked / capacity, in percent")


class CalendarUseSummary(BaseModel):
    """All the calendars counted together."""

    total_calendars: int
    active_calendars: int
    calendars_with_appointments: int
    capacity: int
    booked: int
    utilisation_percent: Rate = Field(description="booked / capacity, in percent")
    average_booked_per_calendar: Rate


class CalendarStatsMeta(PeriodInfo):
    """The period and the summary of the calendars."""

    summary: CalendarUseSummary


class CalendarStats(ListEnvelope):
    """One row per calendar (XML / CSV carry the rows), and the summary."""

    data: list[CalendarUse]
    meta: CalendarStatsMeta


# -- clients and the bot ------------------------------------------------------------------------


class TopClient(BaseModel):
    """One of the patients with the most appointments in the period."""

    client_id: str
    name: str
    appointments: int = Field(description="Appointments not cancelled in the period")
    last_appointment: Day = Field(description="Local day of the latest of them")


class ClientFigures(PeriodInfo):
    """Patients over the period."""

    total_clients: int = Field(description="Patients on record (not erased)")
    erased_clients: int
    new_clients: int = Field(description="Created in the period")
    clients_with_appointments: int = Field(description="With an appointment in the period")
    returning_clients: int = Field(description="Of those, the ones with an earlier appointment")
    new_client_share: Rate = Field(description="new_clients / total_clients")
    top_clients: list[TopClient] = Field(description="At most 10, the most frequent first")


class ClientStats(BaseModel):
    """`{"data": figures}`."""

    data: ClientFigures


class BotFigures(PeriodInfo):
    """The bot's work over the period; the rates are of the bookings it made."""

    conversations_started: int
    handoffs: int = Field(description="Conversations handed to a human")
    messages_in: int
    messages_out: int
    bookings_total: int = Field(description="Appointments made in the period, by anyone")
    bookings_by_bot: int = Field(description="Of those, made by patients through the bot")
    bot_share: Rate = Field(description="bookings_by_bot / bookings_total")
    bot_bookings_by_status: StatusCounts
    confirmation_rate: ConfirmationRate
    no_show_rate: NoShowRate
    cancellation_rate: CancellationRate


class BotStats(BaseModel):
    """`{"data": figures}`."""

    data: BotFigures
