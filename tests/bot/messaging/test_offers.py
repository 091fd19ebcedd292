"""Waiting-list offers: who is offered a freed place, and how, inside and outside the window."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.messaging.channels.base import OutboxTransport
from bot.messaging.offers import offer_freed_place, part_of_day, waiting_for
from models import Clinic, Conversation, Location, Message, Professional, Slot, WaitlistEntry

SP = ZoneInfo("America/Sao_Paulo")
TEMPLATE = "HX" + "1" * 32


def friday_slot(session, hour: int) -> Slot:
    ana = session.exec(select(Professional).where(Professional.name == "Dra. Ana Souza")).one()
    paulista = session.exec(select(Location).where(Location.name == "Paulista")).one()
    return session.exec(
        select(Slot).where(
            Slot.professional_id == ana.id,
            Slot.location_id == paulista.id,
            Slot.start == datetime(2025, 12, 12, hour, 0, tzinfo=SP),
        )
    ).one()


def wait(session, patient, phone: str, part: str | None) -> WaitlistEntry:
    patient(phone).says("oi")
    conversation = session.exec(
        select(Conversation).where(Conversation.address == "whatsapp:" + phone)
    ).one()
    slot = friday_slot(session, 14)
    entry = WaitlistEntry(
        clinic_id=conversation.clinic_id,
        conversation_id=conversation.id,
        location_id=slot.location_id,
        service_id=1,
        part_of_day=part,
        created_at=datetime.now(SP),
    )
    session.add(entry)
    session.commit()
    return entry


@pytest.mark.parametrize(("hour", "expected"), [(9, "morning"), (14, "afternoon"), (19, "evening")])
def test_part_of_day(hour, expected):
    assert part_of_day(datetime(2025, 12, 12, hour, tzinfo=SP)) == expected


def test_only_entries_the_slot_suits_in_the_order_they_joined(session, patient):
    late = wait(session, patient, "+5511900000002", "afternoon")
    morning = wait(session, patient, "+5511900000003", "morning")
    anytime = wait(session, patient, "+5511900000004", None)
    clinic_id = session.exec(select(Clinic.id)).one()
    afternoon = friday_slot(session, 14)
    found = waiting_for(session, clinic_id=clinic_id, slot_id=afternoon.id)
    assert [e.id for e in found] == [late.id, anytime.id]
    assert morning.id not in [e.id for e in found]


def test_outside_the_window_an_offer_needs_the_template(session, patient, clock):
    entry = wait(session, patient, "+5511900000005", None)
    clock.advance(days=2)
    clinic = session.exec(select(Clinic)).one()
    slot = friday_slot(session, 14)
    told = offer_freed_place(
        session, clinic_id=clinic.id, slot_id=slot.id, transport=OutboxTransport(), clock=clock
    )
    assert told == 0
    session.expire_all()
    assert session.get(WaitlistEntry, entry.id).status == "waiting"
    clinic.settings = {"ask_cpf": True, "waitlist_content_sid": TEMPLATE}
    session.add(clinic)
    session.commit()
    told = offer_freed_place(
        session, clinic_id=clinic.id, slot_id=slot.id, transport=OutboxTransport(), clock=clock
    )
    assert told == 1
    sent = session.exec(select(Message).where(Message.kind == "template")).one()
    assert sent.payload["content_sid"] == TEMPLATE
    assert sent.payload["content_variables"]["3"] == "Paulista"
