"""Booking: insurance, unit, service, confirmation, name and CPF (the time slot is `slots`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.brazil.cpf import without_cpf
from bot.core.folding import fold
from bot.domain.scheduling import SlotInPast, SlotUnavailable
from flows.machine import ConversationFlow
from flows.steps.manage import reschedule
from flows.steps.moves import (
    describe,
    end_flow,
    first_name,
    miss,
    option_miss,
    remember_wish,
    reset_slot_search,
    yes_or_no,
)
from flows.steps.slots import towards_slots, try_hold
from flows.turn import Turn
from flows.understanding.names import person_name
from models import Actor


def start_booking(flow: ConversationFlow, turn: Turn, *, mode: str = "book") -> None:
    """Drop what was in progress and ask the first booking question."""
    end_flow(turn)
    turn.ctx.mode, turn.ctx.profile_name = mode, offered_name(turn.inbound.profile_name)
    remember_wish(turn)
    flow.start_booking()


# -- insurance ----------------------------------------------------------------------------------


@ConversationFlow.insurance.asks
def ask_insurance(turn: Turn) -> None:
    """Which insurance (convênio), "Particular" among them."""
    insurances = turn.scheduling.insurances(clinic_id=turn.clinic.id)
    turn.ask(turn.texts("ask_insurance"), [(item.id, item.name) for item in insurances])


@ConversationFlow.insurance.reads
def on_insurance(flow: ConversationFlow, turn: Turn) -> None:
    """Keep the insurance; skip the unit and the service when there is only one of each."""
    insurance_id = turn.chosen()
    if insurance_id is None:
        return option_miss(flow, turn)
    ctx = turn.ctx
    ctx.insurance_id, ctx.location_id, ctx.service_id = insurance_id, None, None
    locations = turn.scheduling.locations(clinic_id=turn.clinic.id, insurance_id=insurance_id)
    if not locations:
        turn.say("no_locations", insurance=turn.label())
        return flow.retry()
    if len(locations) == 1 and not _pick_single_service(turn, locations[0].id):
        turn.say("no_services", insurance=turn.label(), location=locations[0].name)
        return flow.retry()
    towards_slots(flow, turn, flow.insurance_chosen)


# -- unit ---------------------------------------------------------------------------------------


@ConversationFlow.location.asks
def ask_location(turn: Turn) -> None:
    """Which unit (the ones that take the insurance)."""
    locations = turn.scheduling.locations(
        clinic_id=turn.clinic.id, insurance_id=turn.ctx.insurance_id
    )
    turn.ask(turn.texts("ask_location"), [(item.id, item.name) for item in locations])


@ConversationFlow.location.reads
def on_location(flow: ConversationFlow, turn: Turn) -> None:
    """Keep the unit; skip the service when the unit offers only one."""
    location_id = turn.chosen()
    if location_id is None:
        return option_miss(flow, turn)
    turn.ctx.service_id = None
    if not _pick_single_service(turn, location_id):
        turn.say("no_services", insurance=_insurance_name(turn), location=turn.label())
        return flow.retry()
    towards_slots(flow, turn, flow.location_chosen)


def _pick_single_service(turn: Turn, location_id: int) -> bool:
    """Remember the unit, and its service when it offers only one; False when it offers none."""
    turn.ctx.location_id = location_id
    services = turn.scheduling.services(
        clinic_id=turn.clinic.id, insurance_id=turn.ctx.insurance_id, location_id=location_id
    )
    if len(services) == 1:
        turn.ctx.service_id = services[0].id
    return bool(services)


def _insurance_name(turn: Turn) -> str:
    names = {item.id: item.name for item in turn.scheduling.insurances(clinic_id=turn.clinic.id)}
    return names.get(turn.ctx.insurance_id, "")


# -- service ------------------------------------------------------------------------------------


@ConversationFlow.service.asks
def ask_service(turn: Turn) -> None:
    """Which service, with its length (the ones the unit offers and the insurance covers)."""
    services = turn.scheduling.services(
        clinic_id=turn.clinic.id,
        insurance_id=turn.ctx.insurance_id,
        location_id=turn.ctx.location_id,
    )
    options = [
        (item.id, turn.texts("service_option", name=item.name, minutes=item.duration_minutes))
        for item in services
    ]
    turn.ask(turn.texts("ask_service"), options)


@ConversationFlow.service.reads
def on_service(flow: ConversationFlow, turn: Turn) -> None:
    """Keep the service and go on to the time slots."""
    service_id = turn.chosen()
    if service_id is None:
        return option_miss(flow, turn)
    turn.ctx.service_id = service_id
    towards_slots(flow, turn, flow.service_chosen)


# -- confirmation -------------------------------------------------------------------------------


@ConversationFlow.confirm_booking.asks
def ask_confirm_booking(turn: Turn) -> None:
    """ "Confirma?" with everything about the held slot, and how long it is held."""
    t, ctx = turn.texts, turn.ctx
    slot = turn.scheduling.slot(clinic_id=turn.clinic.id, slot_id=ctx.slot_id)
    location = turn.scheduling.location(clinic_id=turn.clinic.id, location_id=ctx.location_id)
    service = turn.scheduling.service(clinic_id=turn.clinic.id, service_id=ctx.service_id)
    text = t(
        "confirm_booking",
        service=service.name,
        professional=slot.professional_name,
        when=t.datetime(slot.start.astimezone(ZoneInfo(location.timezone))),
        location=location.name,
        address=location.address,
    )
    footer = t("held_for", minutes=turn.settings.hold_minutes) + "\n" + t("confirm_hint")
    turn.ask(
        text, [(True, turn.texts("option_yes")), (False, turn.texts("option_no"))], footer=footer
    )


@ConversationFlow.confirm_booking.reads
def on_confirm_booking(flow: ConversationFlow, turn: Turn) -> None:
    """ "sim": book (or move the appointment), asking a new patient's name first."""
    answer = yes_or_no(turn)
    if answer is None:
        return option_miss(flow, turn)
    if not answer:
        turn.scheduling.release_holds(conversation_id=turn.conversation.id)
        return flow.declined()
    if turn.ctx.mode == "reschedule":
        return reschedule(flow, turn)
    if turn.client is None:
        # The name and CPF take a while: hold the place afresh now, and if the hold lapsed and
        # the place was taken meanwhile, say so before asking for them.
        if not try_hold(turn, turn.ctx.slot_id):
            return slot_lost(flow, turn)
        return flow.need_name()
    finish_booking(flow, turn)


# -- a new patient: name and CPF ----------------------------------------------------------------


@ConversationFlow.patient_name.asks
def ask_name(turn: Turn) -> None:
    """The patient's full name (offering the WhatsApp profile name, when there is one)."""
    profile = turn.ctx.profile_name
    if turn.ctx.first_name:
        turn.ask(turn.texts("ask_surname", name=turn.ctx.first_name), [])
    elif profile:
        turn.ask(turn.texts("ask_name_profile", name=profile), [])
    else:
        turn.ask(turn.texts("ask_name"), [])


@ConversationFlow.patient_name.reads
def on_name(flow: ConversationFlow, turn: Turn) -> None:
    """A name (or "sim" to the profile name); then the CPF if the clinic asks for it."""
    u = turn.understanding
    profile = turn.ctx.profile_name
    name = profile if (profile and u.yes_no) else u.name
    if not name and u.cpf:  # "Maria Silva, CPF 529.982.247-25": both at once
        name = person_name(without_cpf(turn.inbound.body or ""))
        turn.ctx.cpf = u.cpf if name else None
    if not name:
        return miss(flow, turn, "bad_name")
    name = with_surname(turn, name)
    if name is None:
        return flow.retry()  # asks for the surname
    turn.ctx.name = name
    if turn.settings.ask_cpf and not (turn.ctx.typed_cpf or turn.ctx.cpf):
        return flow.need_cpf()
    finish_booking(flow, turn)


def offered_name(profile: str | None) -> str | None:
    """A WhatsApp profile name worth offering as the patient's name: one shaped like a name
    (no emoji, digits or symbols: "Mãe do Pedro 💙" or "=1+1" is asked for instead)."""
    return person_name(profile) if profile else None


def with_surname(turn: Turn, name: str) -> str | None:
    """The full name; None when a first name alone came and the surname is asked for (once)."""
    ctx = turn.ctx
    if ctx.first_name is None:
        if len(name.split()) > 1:
            return name
        ctx.first_name = name
        return None
    first, ctx.first_name = ctx.first_name, None
    if fold(name.split()[0]) == fold(first):
        return name  # the whole name again ("Maria Silva"), or the first name alone once more
    return f"{first} {name}"  # the surname alone ("Silva")


@ConversationFlow.cpf.asks
def ask_cpf(turn: Turn) -> None:
    """The patient's CPF."""
    turn.ask(turn.texts("ask_cpf"), [])


@ConversationFlow.cpf.reads
def on_cpf(flow: ConversationFlow, turn: Turn) -> None:
    """A valid CPF books; anything else is asked again."""
    cpf = turn.understanding.cpf
    if cpf is None:
        return miss(flow, turn, "bad_cpf")
    turn.ctx.cpf = cpf
    finish_booking(flow, turn)


def finish_booking(flow: ConversationFlow, turn: Turn) -> None:
    """Register a new patient if needed and book the held slot."""
    ctx = turn.ctx
    client = turn.client or turn.patients.register(
        clinic_id=turn.clinic.id,
        name=ctx.name,
        address=turn.conversation.address,
        cpf=ctx.cpf or ctx.typed_cpf,
        insurance_id=ctx.insurance_id,
        location_id=ctx.location_id,
    )
    turn.client = client
    if ctx.typed_phone:
        turn.patients.link_address(client, ctx.typed_phone)
    try:
        appointment = turn.scheduling.book(
            clinic_id=turn.clinic.id,
            hold_id=ctx.hold_id,
            client_id=client.id,
            service_id=ctx.service_id,
            insurance_id=ctx.insurance_id,
            actor=Actor.client,
        )
    except (SlotUnavailable, SlotInPast):
        return slot_lost(flow, turn)
    turn.waitlist.settle(ctx.waitlist_entry_id, booked=True)
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.say("booked", name=first_name(client.name), **describe(turn, details))
    end_flow(turn)
    flow.booked()


def slot_lost(flow: ConversationFlow, turn: Turn) -> None:
    """The held place was taken meanwhile: say so and show the times again."""
    turn.waitlist.settle(turn.ctx.waitlist_entry_id, booked=False)
    turn.say("slot_taken")
    reset_slot_search(turn)
    flow.slot_lost()
