"""bot.domain.waitlist: joining and leaving the list, who waits for a freed slot, and an entry
going from waiting to offered to booked (or waiting again)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW
from flask import Flask
from sqlmodel import Session, select
from support import load_clinic

from bot.domain import waitlist
from models import (
    Clinic,
    Conversation,
    Location,
    Professional,
    Service,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)

SP = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def app(make_app: Callable[[str], Flask], any_database_url: str) -> Flask:
    """The app on a copy of the demo database: a SQLite file, then PostgreSQL."""
    return make_app(any_database_url)


def demo_clinic(session: Session) -> Clinic:
    return session.exec(select(Clinic).where(Clinic.name == "Clínica Demo")).one()


def by_name(session: Session, model: type, name: str, clinic_id: int):
    return session.exec(select(model).where(model.name == name, model.clinic_id == clinic_id)).one()


def friday_slot(session: Session, hour: int, clinic_id: int | None = None) -> Slot:
    """Dra. Ana's slot at Paulista on Friday 12/12 at `hour` (São Paulo)."""
    clinic_id = clinic_id or demo_clinic(session).id
    ana = by_name(session, Professional, "Dra. Ana Souza", clinic_id)
    paulista = by_name(session, Location, "Paulista", clinic_id)
    return session.exec(
        select(Slot).where(
            Slot.professional_id == ana.id,
            Slot.location_id == paulista.id,
            Slot.start == datetime(2025, 12, 12, hour, 0, tzinfo=SP),
        )
    ).one()


def conversation(session: Session, phone: str, clinic_id: int | None = None) -> Conversation:
    row = Conversation(
        clinic_id=clinic_id or demo_clinic(session).id,
        address="whatsapp:+" + phone,
        context={},
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def join(
    session: Session,
    phone: str,
    part: str | None,
    *,
    service: str = "Clínica geral",
    joined: datetime = NOW,
) -> WaitlistEntry:
    """`phone` joins the list for a service at Paulista (the demo clinic)."""
    clinic_id = demo_clinic(session).id
    entry = waitlist.join(
        session,
        clinic_id=clinic_id,
        conversation_id=conversation(session, phone).id,
        client_id=None,
        location_id=by_name(session, Location, "Paulista", clinic_id).id,
        service_id=by_name(session, Service, service, clinic_id).id,
        insurance_id=None,
        part=part,
        now=joined,
    )
    session.commit()
    return entry


def waiting_ids(session: Session, slot: Slot) -> list[int]:
    found = waitlist.waiting_for(session, clinic_id=slot.clinic_id, slot_id=slot.id)
    return [entry.id for entry in found]


@pytest.mark.parametrize(("hour", "expected"), [(9, "morning"), (14, "afternoon"), (19, "evening")])
def test_part_of_day(hour, expected):
    assert waitlist.part_of_day(datetime(2025, 12, 12, hour, tzinfo=SP)) == expected


def test_joining_stores_a_waiting_entry(session):
    entry = join(session, "5511900000001", "afternoon")
    session.expire_all()
    stored = session.get(WaitlistEntry, entry.id)
    assert stored.status == WaitlistStatus.waiting
    assert stored.part_of_day == "afternoon"
    assert stored.created_at == NOW
    assert stored.offered_slot_id is None


def test_only_entries_the_slot_suits_in_the_order_they_joined(session):
    late = join(session, "5511900000002", "afternoon")
    morning = join(session, "5511900000003", "morning", joined=NOW + timedelta(minutes=1))
    anytime = join(session, "5511900000004", None, joined=NOW + timedelta(minutes=2))
    # Dra. Ana does not offer Dermatologia: her freed slot suits nobody waiting for it.
    join(session, "5511900000005", None, service="Dermatologia")
    assert waiting_ids(session, friday_slot(session, 14)) == [late.id, anytime.id]
    assert waiting_ids(session, friday_slot(session, 9)) == [morning.id, anytime.id]


def test_an_entry_that_left_is_not_offered_again(session):
    entry = join(session, "5511900000006", None)
    clinic_id = demo_clinic(session).id
    assert waitlist.leave(session, clinic_id=clinic_id, entry_id=entry.id) is True
    session.commit()
    assert session.get(WaitlistEntry, entry.id).status == WaitlistStatus.removed
    assert waiting_ids(session, friday_slot(session, 14)) == []


def test_another_clinics_entry_cannot_be_removed(session):
    entry = join(session, "5511900000007", None)
    other = load_clinic(session, name="Outra", slug="outra", today=NOW.date(), now=NOW)
    assert waitlist.leave(session, clinic_id=other.id, entry_id=entry.id) is False
    assert waitlist.leave(session, clinic_id=other.id, entry_id=10**9) is False
    session.commit()
    assert session.get(WaitlistEntry, entry.id).status == WaitlistStatus.waiting
    # ... and another clinic's freed slot is offered to no one waiting here.
    assert waiting_ids(session, friday_slot(session, 14, clinic_id=other.id)) == []


def test_an_offer_may_be_answered_until_it_expires(session):
    entry = join(session, "5511900000008", None)
    slot = friday_slot(session, 14)
    assert waitlist.open_offer(session, conversation_id=entry.conversation_id, now=NOW) is None
    until = NOW + timedelta(hours=1)
    waitlist.mark_offered(session, entry, slot_id=slot.id, expires_at=until)
    session.commit()
    offer = waitlist.open_offer(session, conversation_id=entry.conversation_id, now=NOW)
    assert offer is not None and offer.id == entry.id
    assert (offer.status, offer.offered_slot_id) == (WaitlistStatus.offered, slot.id)
    assert waiting_ids(session, slot) == [entry.id]  # offered entries are still told of places
    late = until + timedelta(seconds=1)
    assert waitlist.open_offer(session, conversation_id=entry.conversation_id, now=late) is None


def test_a_booked_entry_leaves_the_list(session):
    entry = join(session, "5511900000009", None)
    slot = friday_slot(session, 14)
    waitlist.mark_offered(session, entry, slot_id=slot.id, expires_at=NOW + timedelta(hours=1))
    waitlist.settle(session, entry_id=entry.id, booked=True)
    session.commit()
    assert session.get(WaitlistEntry, entry.id).status == WaitlistStatus.booked
    assert waiting_ids(session, slot) == []
    clinic_id = demo_clinic(session).id
    assert waitlist.leave(session, clinic_id=clinic_id, entry_id=entry.id) is False


def test_an_offer_lost_or_declined_waits_again(session):
    first = join(session, "5511900000010", None)
    second = join(session, "5511900000011", None, joined=NOW + timedelta(minutes=1))
    slot = friday_slot(session, 14)
    for entry in (first, second):
        waitlist.mark_offered(session, entry, slot_id=slot.id, expires_at=NOW + timedelta(hours=1))
    waitlist.settle(session, entry_id=first.id, booked=False)  # the place went to someone else
    waitlist.mark_waiting(session, second)  # "não"
    waitlist.settle(session, entry_id=None, booked=True)  # no entry: nothing to settle
    session.commit()
    session.expire_all()
    statuses = [session.get(WaitlistEntry, e.id).status for e in (first, second)]
    assert statuses == [WaitlistStatus.waiting, WaitlistStatus.waiting]
    assert waiting_ids(session, slot) == [first.id, second.id]
    assert waitlist.open_offer(session, conversation_id=first.conversation_id, now=NOW) is None
