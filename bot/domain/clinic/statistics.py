"""Figures over a period: appointments (summary and daily rows), clients, the bot's own work.

Read-only: nothing here changes a row. A period is the local days [first, last] in a zone;
instants are compared in UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.core.zones import days, local_day, window
from bot.domain.scheduling.calendars import STATUSES, Pair
from models import (
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Client,
    Conversation,
    Message,
    Slot,
)


def _confirmed_once() -> Any:
    """SQL: the appointment was confirmed at some point (an event into `confirmed`)."""
    # An alias: the outer query may read AppointmentEvent itself (the first event of each).
    event = aliased(AppointmentEvent)
    return exists().where(
        event.appointment_id == Appointment.id,
        event.to_status == AppointmentStatus.confirmed,
    )


def appointment_stats(
    session: Session,
    *,
    clinic_id: int,
    zone: str,
    first: date,
    last: date,
    pair: Pair | None = None,
    location_id: int | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Appointments starting on local days [first, last]: a summary and one row per day."""
    low, high = window(zone, first, last)
    query = (
        select(
            Appointment.start,
            Appointment.status,
            Appointment.client_id,
            Slot.professional_id,
            Slot.location_id,
            _confirmed_once(),
        )
        .join(Slot, col(Slot.id) == col(Appointment.slot_id))
        .where(Appointment.clinic_id == clinic_id)
        .where(Appointment.start >= low, Appointment.start < high)
    )
    if pair is not None:
        query = query.where(Slot.professional_id == pair[0], Slot.location_id == pair[1])
    if location_id is not None:
        query = query.where(Slot.location_id == location_id)
    rows = session.exec(query).all()
    daily = {
        day: {"date": day.isoformat(), "total": 0} | dict.fromkeys(STATUSES, 0)
        for day in days(first, last)
    }
    statuses: Counter[str] = Counter()
    confirmed = 0
    for start, status, _client, _pid, _lid, was_confirmed in rows:
        row = daily[local_day(start, zone)]
        row["total"] += 1
        row[str(status)] += 1
        statuses[str(status)] += 1
        confirmed += _was_confirmed(status, was_confirmed)
    summary = {
        "total": len(rows),
        "by_status": {status: statuses[status] for status in STATUSES},
        "unique_clients": len({row[2] for row in rows}),
        "calendars_with_appointments": len({(row[3], row[4]) for row in rows}),
        "days_with_appointments": sum(1 for row in daily.values() if row["total"]),
    } | rates(statuses, confirmed)
    return summary, list(daily.values())


def rates(statuses: Mapping[str, int], confirmed: int) -> dict[str, float | None]:
    """Confirmation, no-show and cancellation rates (0..1, 4 decimals; None without a base).

    confirmation: appointments confirmed at some point / all; no-show: no-shows / (completed +
    no-shows), the appointments whose time came; cancellation: cancelled / all.
    """
    total = sum(statuses.values())
    happened = statuses.get("completed", 0) + statuses.get("no_show", 0)
    return {
        "confirmation_rate": ratio(confirmed, total),
        "no_show_rate": ratio(statuses.get("no_show", 0), happened),
        "cancellation_rate": ratio(statuses.get("cancelled", 0), total),
    }


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 decimals, None when whole is 0."""
    return round(part / whole, 4) if whole else None


def _was_confirmed(status: str, confirmed_event: bool) -> bool:
    # Older rows may reach completed without a recorded confirmation: count those as confirmed.
    return bool(confirmed_event) or str(status) in ("confirmed", "completed")


def utilisation(totals: Mapping[str, Any]) -> dict[str, Any]:
    """Places used in a calendar's slots: appointments not cancelled / capacity, in percent."""
    by_status = totals["appointments"]
    booked = by_status["total"] - by_status["cancelled"]
    share = ratio(booked, totals["capacity"])
    return {
        "slots": totals["slots"],
        "capacity": totals["capacity"],
        "booked": booked,
        "cancelled": by_status["cancelled"],
        "utilisation_percent": None if share is None else round(share * 100, 2),
    }


def client_stats(
    session: Session, *, clinic_id: int, zone: str, first: date, last: date, top: int = 10
) -> dict[str, Any]:
    """Patients: how many, how many new, seen in the period, returning, and the most frequent."""
    low, high = window(zone, first, last)
    clients = select(func.count()).select_from(Client).where(Client.clinic_id == clinic_id)
    total = session.exec(clients.where(col(Client.erased_at).is_(None))).one()
    erased = session.exec(clients.where(col(Client.erased_at).is_not(None))).one()
    new = session.exec(clients.where(Client.created_at >= low, Client.created_at < high)).one()
    kept = [
        Appointment.clinic_id == clinic_id,
        Appointment.status != AppointmentStatus.cancelled,
    ]
    in_period = (Appointment.start >= low, Appointment.start < high)
    seen = select(Appointment.client_id).where(*kept, *in_period).distinct()
    before = select(Appointment.client_id).where(*kept, Appointment.start < low)
    seen_count = session.exec(select(func.count()).select_from(seen.subquery())).one()
    returning = session.exec(
        select(func.count()).select_from(
            seen.where(col(Appointment.client_id).in_(before)).subquery()
        )
    ).one()
    frequent = session.exec(
        select(Client.id, Client.name, func.count(col(Appointment.id)), func.max(Appointment.start))
        .join(Client, col(Client.id) == col(Appointment.client_id))
        .where(*kept, *in_period)
        .group_by(col(Client.id), col(Client.name))
        .order_by(func.count(col(Appointment.id)).desc(), col(Client.id))
        .limit(top)
    ).all()
    return {
        "total_clients": total,
        "erased_clients": erased,
        "new_clients": new,
        "clients_with_appointments": seen_count,
        "returning_clients": returning,
        "new_client_share": ratio(new, total),
        "top_clients": [
            {
                "client_id": str(client_id),
                "name": name,
                "appointments": count,
                "last_appointment": local_day(latest, zone).isoformat(),
            }
            for client_id, name, count, latest in frequent
        ],
    }


def bot_stats(
    session: Session, *, clinic_id: int, zone: str, first: date, last: date
) -> dict[str, Any]:
    """The bot's work: conversations, bookings it made, handoffs, and how its bookings went."""
    low, high = window(zone, first, last)

    def count(model: Any, column: Any) -> int:
        return session.exec(
            select(func.count())
            .select_from(model)
            .where(model.clinic_id == clinic_id, column >= low, column < high)
        ).one()

    messages = dict(
        session.exec(
            select(Message.direction, func.count())
            .where(Message.clinic_id == clinic_id)
            .where(Message.created_at >= low, Message.created_at < high)
            .group_by(col(Message.direction))
        ).all()
    )
    made = select(Appointment.id).where(
        Appointment.clinic_id == clinic_id,
        Appointment.created_at >= low,
        Appointment.created_at < high,
    )
    # Who made an appointment is the actor of its first event: `client` means through the bot.
    first_event = (
        select(AppointmentEvent.appointment_id, func.min(AppointmentEvent.id).label("first_id"))
        .where(col(AppointmentEvent.appointment_id).in_(made))
        .group_by(col(AppointmentEvent.appointment_id))
        .subquery()
    )
    rows = session.exec(
        select(Appointment.status, AppointmentEvent.actor, _confirmed_once())
        .join(first_event, first_event.c.appointment_id == Appointment.id)
        .join(AppointmentEvent, col(AppointmentEvent.id) == first_event.c.first_id)
    ).all()
    by_bot = [(status, confirmed) for status, actor, confirmed in rows if actor == Actor.client]
    statuses = Counter(str(status) for status, _ in by_bot)
    confirmed = sum(_was_confirmed(status, flag) for status, flag in by_bot)
    return {
        "conversations_started": count(Conversation, Conversation.created_at),
        "handoffs": count(Conversation, Conversation.handoff_at),
        "messages_in": int(messages.get("inbound", 0)),
        "messages_out": int(messages.get("outbound", 0)),
        "bookings_total": len(rows),
        "bookings_by_bot": len(by_bot),
        "bot_share": ratio(len(by_bot), len(rows)),
        "bot_bookings_by_status": {status: statuses[status] for status in STATUSES},
    } | rates(statuses, confirmed)
