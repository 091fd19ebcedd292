"""Waiting-list offers: how a freed place is offered, inside and outside the window.

Who waits for which slot is bot.domain.waitlist's (tests/bot/domain/test_waitlist.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.messaging.channels.base import OutboxTransport
from bot.messaging.offers import OFFER_MINUTES, offer_freed_place
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
    return entry_for(session, phone, part)


def entry_for(session, phone: str, part: str | None) -> WaitlistEntry:
    """A waiting-list entry for the conversation of `phone` (which has written already)."""
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


def test_inside_the_window_the_offer_is_a_text_answerable_for_an_hour(session, patient, clock):
    entry = wait(session, patient, "+5511900000006", None)
    clinic = session.exec(select(Clinic)).one()
    slot = friday_slot(session, 14)
    told = offer_freed_place(
        session, clinic_id=clinic.id, slot_id=slot.id, transport=OutboxTransport(), clock=clock
    )
    assert told == 1
    session.expire_all()
    offered = session.get(WaitlistEntry, entry.id)
    assert offered.status == "offered" and offered.offered_slot_id == slot.id
    assert offered.offer_expires_at == clock.now() + timedelta(minutes=OFFER_MINUTES)
    [sent] = session.exec(
        select(Message).where(
            Message.conversation_id == entry.conversation_id, Message.kind == "text"
        )
    ).all()[-1:]
    assert "Abriu um horário para *Clínica geral*" in sent.body
    assert "sex, 12/12 às 14:00" in sent.body and "Paulista" in sent.body


def test_a_patient_who_opted_out_is_not_offered_and_keeps_waiting(session, patient, clock):
    p = patient("+5511900000007")
    p.says("oi")
    assert "não vai mais receber" in p.says("PARAR")
    entry = entry_for(session, "+5511900000007", None)
    clinic = session.exec(select(Clinic)).one()
    slot = friday_slot(session, 14)
    told = offer_freed_place(
        session, clinic_id=clinic.id, slot_id=slot.id, transport=OutboxTransport(), clock=clock
    )
    assert told == 0
    session.expire_all()
    assert session.get(WaitlistEntry, entry.id).status == "waiting"


def test_a_place_in_the_past_is_offered_to_no_one(session, patient, clock):
    entry = wait(session, patient, "+5511900000008", None)
    clinic = session.exec(select(Clinic)).one()
    slot = friday_slot(session, 14)
    clock.set(slot.start + timedelta(minutes=1))
    told = offer_freed_place(
        session, clinic_id=clinic.id, slot_id=slot.id, transport=OutboxTransport(), clock=clock
    )
    assert told == 0
    session.expire_all()
    assert session.get(WaitlistEntry, entry.id).status == "waiting"
