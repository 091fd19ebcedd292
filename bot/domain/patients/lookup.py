"""Finding clients of one clinic: exact filters, the exact search term, phones and statistics.

Erased clients (LGPD) match no filter and no search; `get` still returns their anonymised record
so appointment history keeps pointing at something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from bot.brazil.cpf import FORMATTED_CPF, cpf_digits, valid_cpf
from bot.brazil.phones import lookup_keys, normalize_phone
from bot.core.zones import zone_of
from bot.domain.patients.records import invalid, normalize_email
from models import Appointment, AppointmentStatus, Client, ClientPhone, Slot
from models.base import MAX_ID

# Clinics have no zone of their own; day filters use Brazil's main one.
DAY_ZONE = zone_of(None)


@dataclass
class ClientFilter:
    """Exact filters of the client list (None = not filtered); `text` is a contains-search."""

    phone: str | None = None
    cpf: str | None = None
    email: str | None = None
    external_id: str | None = None
    text: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    # (professional_id, location_id): clients with an appointment in that calendar.
    calendar: tuple[int, int] | None = None


def get(session: Session, *, clinic_id: int, client_id: int) -> Client | None:
    """The clinic's client with this id (erased ones too), else None."""
    if not 0 < client_id <= MAX_ID:
        return None
    client = session.get(Client, client_id)
    return client if client is not None and client.clinic_id == clinic_id else None


def find(
    session: Session, *, clinic_id: int, filters: ClientFilter, offset: int, limit: int
) -> tuple[int, list[Client]]:
    """(total, one page) of the clinic's clients matching every filter; erased ones never."""
    where = [Client.clinic_id == clinic_id, col(Client.erased_at).is_(None)]
    if filters.phone is not None:
        number = normalize_phone(filters.phone)
        if number is None:
            raise invalid("phone", "phone is not a phone number")
        where.append(_has_phone(clinic_id, number))
    if filters.cpf is not None:
        digits = cpf_digits(filters.cpf)
        if digits is None:
            raise invalid("cpf", "cpf must have 11 digits")
        where.append(Client.cpf == digits)
    if filters.email is not None:
        where.append(func.lower(Client.email) == normalize_email(filters.email))
    if filters.external_id is not None:
        where.append(Client.external_id == filters.external_id)
    if filters.text:
        pattern = f"%{_escape_like(filters.text.strip().lower())}%"
        where.append(
            func.lower(Client.name).like(pattern, escape="\\")
            | func.lower(func.coalesce(Client.email, "")).like(pattern, escape="\\")
        )
    if filters.created_from is not None:
        where.append(Client.created_at >= _day_start(filters.created_from))
    if filters.created_to is not None and filters.created_to < date.max:
        where.append(Client.created_at < _day_start(filters.created_to + timedelta(days=1)))
    if filters.calendar is not None:
        professional_id, location_id = filters.calendar
        booked = (
            select(Appointment.client_id)
            .join(Slot, col(Slot.id) == Appointment.slot_id)
            .where(
                Appointment.clinic_id == clinic_id,
                Slot.professional_id == professional_id,
                Slot.location_id == location_id,
            )
        )
        where.append(col(Client.id).in_(booked))
    return _page(session, where, offset=offset, limit=limit)


def search(
    session: Session, *, clinic_id: int, term: str, offset: int, limit: int
) -> tuple[int, list[Client]]:
    """Exact search: the term is an e-mail, a CPF, a phone (either 9th-digit form) or a name."""
    term = term.strip()
    matches: list[ColumnElement[bool]] = []
    if "@" in term:
        matches.append(func.lower(Client.email) == normalize_email(term))
    elif FORMATTED_CPF.match(term):
        matches.append(Client.cpf == cpf_digits(term))
    else:
        number = normalize_phone(term)
        if number is not None:
            matches.append(_has_phone(clinic_id, number))
        # Eleven bare digits may be a CPF as well as a mobile: look for both.
        cpf = valid_cpf(term)
        if cpf is not None:
            matches.append(Client.cpf == cpf)
        if not matches and any(char.isalpha() for char in term):
            matches.append(func.lower(Client.name) == func.lower(term))
    if not matches:
        return 0, []
    condition = matches[0]
    for other in matches[1:]:
        condition = condition | other
    where = [Client.clinic_id == clinic_id, col(Client.erased_at).is_(None), condition]
    return _page(session, where, offset=offset, limit=limit)


def _page(
    session: Session, where: list[Any], *, offset: int, limit: int
) -> tuple[int, list[Client]]:
    total = session.exec(select(func.count()).select_from(Client).where(*where)).one()
    rows = session.exec(
        select(Client).where(*where).order_by(col(Client.id)).offset(offset).limit(limit)
    ).all()
    return total, list(rows)


def _has_phone(clinic_id: int, number: str) -> ColumnElement[bool]:
    owners = select(ClientPhone.client_id).where(
        ClientPhone.clinic_id == clinic_id, col(ClientPhone.key).in_(lookup_keys(number))
    )
    return col(Client.id).in_(owners)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), DAY_ZONE).astimezone(UTC)


def phones_of(session: Session, client_ids: list[int]) -> dict[int, list[str]]:
    """Each client's numbers, the main one (the first registered) first."""
    found: dict[int, list[str]] = {client_id: [] for client_id in client_ids}
    if not client_ids:
        return found
    rows = session.exec(
        select(ClientPhone.client_id, ClientPhone.number)
        .where(col(ClientPhone.client_id).in_(client_ids))
        .order_by(col(ClientPhone.id))
    ).all()
    for client_id, number in rows:
        found[client_id].append(number)
    return found


def appointment_stats(
    session: Session, client_ids: list[int]
) -> dict[int, tuple[int, datetime | None]]:
    """(appointments not cancelled, start of the latest of them) of each client."""
    stats: dict[int, tuple[int, datetime | None]] = {
        client_id: (0, None) for client_id in client_ids
    }
    if not client_ids:
        return stats
    rows = session.exec(
        select(Appointment.client_id, func.count(), func.max(Appointment.start))
        .where(
            col(Appointment.client_id).in_(client_ids),
            Appointment.status != AppointmentStatus.cancelled,
        )
        .group_by(col(Appointment.client_id))
    ).all()
    for client_id, count, last in rows:
        if isinstance(last, str):  # SQLite's max() over a timestamp column gives text
            last = datetime.fromisoformat(last)
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        stats[client_id] = (count, last)
    return stats
