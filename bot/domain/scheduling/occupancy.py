"""How full a slot is at an instant: the one occupancy rule of our own tables.

A place is taken by an open appointment (scheduled or confirmed) or by a hold that has not
expired: a hold counts while `expires_at > now`, so at its `expires_at` it no longer does.
Cancelled, completed and no-show appointments take no place. A slot takes new bookings only
before it starts (`start > now`): one starting exactly now is closed.

Every reader uses these expressions: the bot's free slots, the API's slot listings and calendar
totals (statistics read those), the capacity check a booking runs under the slot's row lock, and
the regeneration that tells setup which slots patients still hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func
from sqlmodel import Session, col, select

from models import OPEN_STATUSES, Appointment, Slot, SlotHold

# The statuses that keep a place.
OCCUPYING = OPEN_STATUSES
# SQLite refuses statements with too many parameters: ask about this many slots at a time.
_CHUNK = 500


def booked(*, excluding_appointment: int | None = None) -> ColumnElement[int]:
    """SQL, per slot of the enclosing query: its open appointments."""
    query = (
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.slot_id == Slot.id, col(Appointment.status).in_(OCCUPYING))
    )
    if excluding_appointment is not None:
        query = query.where(Appointment.id != excluding_appointment)
    return query.scalar_subquery()


def held(now: datetime, *, excluding_hold: int | None = None) -> ColumnElement[int]:
    """SQL, per slot of the enclosing query: its holds still running at `now`."""
    query = (
        select(func.count())
        .select_from(SlotHold)
        .where(SlotHold.slot_id == Slot.id, SlotHold.expires_at > now)
    )
    if excluding_hold is not None:
        query = query.where(SlotHold.id != excluding_hold)
    return query.scalar_subquery()


def taken(
    now: datetime,
    *,
    excluding_hold: int | None = None,
    excluding_appointment: int | None = None,
) -> ColumnElement[int]:
    """SQL, per slot: places taken at `now` (leaving out a hold or appointment being used)."""
    return booked(excluding_appointment=excluding_appointment) + held(
        now, excluding_hold=excluding_hold
    )


def not_started(now: datetime) -> ColumnElement[bool]:
    """SQL, per slot: it still takes bookings at `now` (a slot starting exactly now does not)."""
    return col(Slot.start) > now


def has_room(
    now: datetime,
    *,
    excluding_hold: int | None = None,
    excluding_appointment: int | None = None,
) -> ColumnElement[bool]:
    """SQL, per slot: fewer places taken than it has."""
    used = taken(now, excluding_hold=excluding_hold, excluding_appointment=excluding_appointment)
    return used < col(Slot.capacity)


def available(now: datetime) -> ColumnElement[int]:
    """SQL, per slot: places a new booking may take at `now` (none once it has started)."""
    free = col(Slot.capacity) - taken(now)
    return case((and_(not_started(now), free > 0), free), else_=0)


@dataclass(frozen=True, slots=True)
class Use:
    """A slot's places in use at one instant."""

    booked: int
    held: int

    @property
    def taken(self) -> int:
        """Places no new booking may take."""
        return self.booked + self.held


def use_of(session: Session, slot_ids: Iterable[int], now: datetime) -> dict[int, Use]:
    """Per slot id: its open appointments and running holds at `now`."""
    ids = sorted(set(slot_ids))
    found: dict[int, Use] = {}
    for chunk in (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        rows = session.exec(
            select(Slot.id, booked(), held(now)).where(col(Slot.id).in_(chunk))
        ).all()
        found.update(
            {slot_id: Use(int(n_booked), int(n_held)) for slot_id, n_booked, n_held in rows}
        )
    return found
