"""Booking: insurance, unit, service, time slot, confirmation, name and CPF."""

from __future__ import annotations

from bot.domain.patients import addresses as patients
from bot.domain.scheduling import SlotInPast, SlotUnavailable
from bot.messaging import offers as waitlist
from flows.conversation import ConversationFlow
from flows.prompts import describe
from flows.steps.common import (
    end_flow,
    first_name,
    miss,
    option_miss,
    remember_wish,
    reset_slot_search,
    yes_or_no,
)
from flows.steps.manage import reschedule
from flows.steps.slots import exact_slot, towards_slots, try_hold
from flows.turn import Turn
from models import Actor


def start_booking(flow: ConversationFlow, turn: Turn, *, mode: str = "book") -> None:
    end_flow(turn)
    turn.remember(mode=mode, profile_name=turn.inbound.profile_name)
    remember_wish(turn)
    flow.start_booking()


def on_insurance(flow: ConversationFlow, turn: Turn) -> None:
    insurance_id = turn.chosen()
    if insurance_id is None:
        return option_miss(flow, turn)
    turn.forget("location_id", "service_id")
    turn.remember(insurance_id=insurance_id)
    locations = turn.scheduling.locations(clinic_id=turn.clinic.id, insurance_id=insurance_id)
    if not locations:
        turn.say("no_locations", insurance=_label(turn))
        return flow.retry()
    if len(locations) == 1 and not _pick_single_service(turn, locations[0].id):
        turn.say("no_services", insurance=_label(turn), location=locations[0].name)
        return flow.retry()
    towards_slots(flow, turn, flow.insurance_chosen)


def on_location(flow: ConversationFlow, turn: Turn) -> None:
    location_id = turn.chosen()
    if location_id is None:
        return option_miss(flow, turn)
    turn.forget("service_id")
    if not _pick_single_service(turn, location_id):
        turn.say("no_services", insurance=_insurance_name(turn), location=_label(turn))
        return flow.retry()
    towards_slots(flow, turn, flow.location_chosen)


def _pick_single_service(turn: Turn, location_id: int) -> bool:
    """Remember the unit, and its service when it offers only one; False when it offers none."""
    turn.remember(location_id=location_id)
    services = turn.scheduling.services(
        clinic_id=turn.clinic.id, insurance_id=turn.ctx.get("insurance_id"), location_id=location_id
    )
    if len(services) == 1:
        turn.remember(service_id=services[0].id)
    return bool(services)


def on_service(flow: ConversationFlow, turn: Turn) -> None:
    service_id = turn.chosen()
    if service_id is None:
        return option_miss(flow, turn)
    turn.remember(service_id=service_id)
    towards_slots(flow, turn, flow.service_chosen)


def _label(turn: Turn) -> str:
    """The label of the option picked in this message."""
    index = turn.understanding.choice
    labels = turn.ctx.get("option_labels", [])
    return labels[index] if index is not None and index < len(labels) else ""


def _insurance_name(turn: Turn) -> str:
    insurance_id = turn.ctx.get("insurance_id")
    names = {item.id: item.name for item in turn.scheduling.insurances(clinic_id=turn.clinic.id)}
    return names.get(insurance_id, "")


def on_slot(flow: ConversationFlow, turn: Turn) -> None:
    u = turn.understanding
    slot_id = turn.chosen()
    if slot_id is not None:
        return hold_slot(flow, turn, slot_id)
    if u.command == "waitlist":
        return flow.join_waitlist()
    if u.command == "more":
        turn.remember(page=turn.ctx.get("page", 0) + 1)
        return flow.retry()
    if u.at is not None:
        return pick_time(flow, turn)
    if u.when is not None:
        turn.remember(day=[u.when.start.isoformat(), u.when.end.isoformat()], near=None, page=0)
        return flow.retry()
    option_miss(flow, turn)


def pick_time(flow: ConversationFlow, turn: Turn) -> None:
    """A time the patient named: hold it when free, else offer the nearest ones that day."""
    u = turn.understanding
    slot = exact_slot(turn, u.at)
    if slot is not None:
        return hold_slot(flow, turn, slot.id)
    turn.say("no_slot_at", when=turn.texts.datetime(u.at.astimezone(turn.zone())))
    turn.remember(
        day=[u.when.start.isoformat(), u.when.end.isoformat()], near=u.at.isoformat(), page=0
    )
    flow.retry()


def hold_slot(flow: ConversationFlow, turn: Turn, slot_id: int) -> None:
    if not try_hold(turn, slot_id):
        turn.say("slot_taken")
        reset_slot_search(turn)
        return flow.retry()
    flow.slot_held()


def on_confirm_booking(flow: ConversationFlow, turn: Turn) -> None:
    answer = yes_or_no(turn)
    if answer is None:
        return option_miss(flow, turn)
    if not answer:
        turn.scheduling.release_holds(conversation_id=turn.conversation.id)
        return flow.declined()
    if turn.ctx.get("mode") == "reschedule":
        return reschedule(flow, turn)
    if turn.client is None:
        return flow.need_name()
    finish_booking(flow, turn)


def on_name(flow: ConversationFlow, turn: Turn) -> None:
    u = turn.understanding
    profile = turn.ctx.get("profile_name")
    name = profile if (profile and u.yes_no) else u.name
    if not name:
        return miss(flow, turn, "bad_name")
    turn.remember(name=name)
    if turn.settings.ask_cpf and not turn.ctx.get("typed_cpf"):
        return flow.need_cpf()
    finish_booking(flow, turn)


def on_cpf(flow: ConversationFlow, turn: Turn) -> None:
    cpf = turn.understanding.cpf
    if cpf is None:
        return miss(flow, turn, "bad_cpf")
    turn.remember(cpf=cpf)
    finish_booking(flow, turn)


def finish_booking(flow: ConversationFlow, turn: Turn) -> None:
    """Register a new patient if needed and book the held slot."""
    ctx = turn.ctx
    client = turn.client or patients.register(
        turn.session,
        clinic_id=turn.clinic.id,
        name=ctx["name"],
        address=turn.conversation.address,
        now=turn.clock.now(),
        cpf=ctx.get("cpf") or ctx.get("typed_cpf"),
        insurance_id=ctx.get("insurance_id"),
        location_id=ctx.get("location_id"),
    )
    turn.client = client
    if ctx.get("typed_phone"):
        patients.link_address(turn.session, client=client, address=ctx["typed_phone"])
    try:
        appointment = turn.scheduling.book(
            clinic_id=turn.clinic.id,
            hold_id=ctx["hold_id"],
            client_id=client.id,
            service_id=ctx["service_id"],
            insurance_id=ctx.get("insurance_id"),
            actor=Actor.client,
        )
    except (SlotUnavailable, SlotInPast):
        waitlist.settle(turn.session, ctx.get("waitlist_entry_id"), booked=False)
        turn.say("slot_taken")
        reset_slot_search(turn)
        return flow.slot_lost()
    waitlist.settle(turn.session, ctx.get("waitlist_entry_id"), booked=True)
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.say("booked", name=first_name(client.name), **describe(turn, details))
    end_flow(turn)
    flow.booked()
