"""The response models of calendars and slots (/api/v1/calendars, /api/v1/slots).

Ids are strings, days `YYYY-MM-DD`, times ISO 8601 with the unit's UTC offset. The per-status
counts are used by the setup and statistics models too.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.api.common import Day, ListEnvelope, PageMeta, Timestamp


class StatusCounts(BaseModel):
    """Appointments by status."""

    scheduled: int
    confirmed: int
    completed: int
    no_show: int
    cancelled: int


class CalendarAppointments(BaseModel):
    """Appointments in the calendar's slots over the range: all of them and by status."""

    total: int
    scheduled: int
    confirmed: int
    completed: int
    no_show: int
    cancelled: int


class CalendarTotals(BaseModel):
    """A calendar's slots over the range and how full they are."""

    slots: int = Field(description="Slots starting in the range")
    capacity: int = Field(description="Places in those slots")
    booked: int = Field(description="Places taken by scheduled or confirmed appointments")
    held: int = Field(description="Places held while a patient confirms")
    available: int = Field(description="Places still free in slots not yet started")
    appointments: CalendarAppointments


class CalendarOut(BaseModel):
    """A calendar (a professional at a unit) with its totals over a date range."""

    id: str = Field(description='"<professional_id>-<location_id>"')
    name: str = Field(description='"<professional> - <unit>"')
    professional_id: str
    professional_name: str
    location_id: str
    location_name: str
    timezone: str = Field(description="The unit's IANA zone")
    active: bool = Field(description="Open to bookings: both active and weekly hours defined")
    has_working_hours: bool
    date_from: Day = Field(description="First local day of the totals")
    date_to: Day = Field(description="Last local day of the totals, included")
    totals: CalendarTotals


class CalendarEnvelope(BaseModel):
    """`{"data": calendar}`."""

    data: CalendarOut


class CalendarPageMeta(PageMeta):
    """Paging, and the local days the totals cover."""

    date_from: Day
    date_to: Day


class CalendarList(ListEnvelope):
    """A page of calendars with their totals."""

    data: list[CalendarOut]
    meta: CalendarPageMeta


class SlotOut(BaseModel):
    """A bookable time of one calendar, with capacity and use."""

    id: str
    calendar_id: str
    professional_id: str
    professional_name: str
    location_id: str
    location_name: str
    date: Day = Field(description="The local day")
    start: Timestamp = Field(description="Local time with the unit's offset")
    end: Timestamp
    timezone: str = Field(description="The unit's IANA zone")
    capacity: int = Field(description="Patients per slot (a class: > 1)")
    booked: int = Field(description="Scheduled or confirmed appointments")
    held: int = Field(description="Places held while a patient confirms")
    available: int = Field(description="Places free for a new booking (0 once started)")
    is_available: bool


class SlotDetail(SlotOut):
    """One slot, with its calendar's name."""

    calendar_name: str


class SlotEnvelope(BaseModel):
    """`{"data": slot}`."""

    data: SlotDetail


class SlotList(ListEnvelope):
    """A page of slots in start order."""

    data: list[SlotOut]
    meta: PageMeta
