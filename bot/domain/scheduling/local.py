"""The embedded backend: the clinic's schedule lives in our own tables.

LocalScheduling answers the Scheduling interface by handing each request to one of four small
collaborators that share the session and the clock:

    catalogue.Catalogue          insurances, units, services, prices, opening hours
    reads.ScheduleReads          free slots, one slot, appointment details, upcoming appointments
    holds.Holds                  holds, and booking or rescheduling through a hold (the bot)
    changes.AppointmentChanges   direct booking, moves, status changes, notes, deletion (the API)

The last two write through guards.Guards (locks, the place checks, the history). Nothing here
commits: the caller owns the transaction.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.core.clock import Clock
from bot.domain.scheduling.catalogue import Catalogue
from bot.domain.scheduling.changes import AppointmentChanges
from bot.domain.scheduling.guards import Guards
from bot.domain.scheduling.holds import Holds
from bot.domain.scheduling.reads import ScheduleReads


class _AnsweredBy:
    """A method of the interface answered by the collaborator of one kind: the same name and
    signature, so the collaborator's method is the documentation (and what `inspect` sees)."""

    def __init__(self, kind: type) -> None:
        self.kind = kind
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, backend: LocalScheduling | None, owner: type | None = None) -> Any:
        if backend is None:
            return getattr(self.kind, self.name)
        return getattr(backend._parts[self.kind], self.name)


class LocalScheduling:
    """Scheduling on our own tables: each method is its collaborator's."""

    def __init__(self, *, session: Session, clock: Clock) -> None:
        guards = Guards(session=session, clock=clock)
        reads = ScheduleReads(session=session, clock=clock)
        self._parts: dict[type, object] = {
            Catalogue: Catalogue(session=session, clock=clock),
            ScheduleReads: reads,
            Holds: Holds(guards, reads),
            AppointmentChanges: AppointmentChanges(guards),
        }

    # -- catalogue: insurances, units, services, prices, opening hours ---------------------
    insurances = _AnsweredBy(Catalogue)
    locations = _AnsweredBy(Catalogue)
    services = _AnsweredBy(Catalogue)
    location = _AnsweredBy(Catalogue)
    service = _AnsweredBy(Catalogue)
    price = _AnsweredBy(Catalogue)
    opening_hours = _AnsweredBy(Catalogue)

    # -- slots and appointments, read ------------------------------------------------------
    free_slots = _AnsweredBy(ScheduleReads)
    slot = _AnsweredBy(ScheduleReads)
    details = _AnsweredBy(ScheduleReads)
    upcoming = _AnsweredBy(ScheduleReads)

    # -- the bot: holds, and booking or moving through one ---------------------------------
    hold = _AnsweredBy(Holds)
    release_holds = _AnsweredBy(Holds)
    book = _AnsweredBy(Holds)
    reschedule = _AnsweredBy(Holds)

    # -- the API and staff: direct booking, moves, status changes, notes, deletion ---------
    book_slot = _AnsweredBy(AppointmentChanges)
    change = _AnsweredBy(AppointmentChanges)
    annotate = _AnsweredBy(AppointmentChanges)
    cancel = _AnsweredBy(AppointmentChanges)
    confirm = _AnsweredBy(AppointmentChanges)
    complete = _AnsweredBy(AppointmentChanges)
    no_show = _AnsweredBy(AppointmentChanges)
    delete = _AnsweredBy(AppointmentChanges)
    conflicts = _AnsweredBy(AppointmentChanges)
