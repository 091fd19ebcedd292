"""What each state does with the patient's answer: read it, act through scheduling, move on."""

from __future__ import annotations

from collections.abc import Callable

from bot import patients
from bot.identity import is_username_id, parse_typed_phone
from bot.scheduling import (
    InvalidTransition,
    NotFound,
    SlotInPast,
    SlotUnavailable,
)
from flows.answers import QUESTION_INTENTS, answer
from flows.conversation import ConversationFlow
from flows.prompts import describe, when
from flows.turn import Turn
from models import Actor, Client

Step = Callable[[ConversationFlow, Turn], None]

TEXT_KINDS = {"text", "button", "interactive"}
MAX_TEXT = 1000
# Choices that belong to one booking or change request; dropped when it ends.
FLOW_KEYS = (
    "mode",
    "insurance_id",
    "location_id",
    "service_id",
    "slot_id",
    "hold_id",
    "day",
    "page",
    "name",
    "cpf",
    "asked",
    "appointment_ids",
    "appointment_id",
    "option_values",
    "option_labels",
)


def step(turn: Turn) -> None:
    """Advance the conversation by one patient message; replies accumulate on the turn."""
    flow = ConversationFlow(turn.conversation, turn=turn)
    misses = turn.ctx.get("misses", 0)
    _dispatch(flow, turn)
    # A turn that did not add a miss resets the count of misunderstandings in a row.
    if turn.ctx.get("misses", 0) == misses:
        turn.remember(misses=0)


def _dispatch(flow: ConversationFlow, turn: Turn) -> None:
    u, state = turn.understanding, flow.state_id
    if turn.inbound.kind not in TEXT_KINDS and not u.text:
        return miss(flow, turn, _unsupported_key(turn.inbound.kind))
    if len(turn.inbound.body or "") > MAX_TEXT:
        return miss(flow, turn, "too_long")
    if u.command == "human" or u.intent == "handoff":
        return handoff(turn)
    if u.command == "menu":
        return to_menu(flow, turn)
    if u.command == "cancel" and state not in (
        "idle",
        "menu",
        "appointment_action",
        "cancel_reason",
    ):
        turn.say("aborted")
        return to_menu(flow, turn)
    if u.command == "back":
        return go_back(flow, turn)
    if u.intent in QUESTION_INTENTS and u.choice is None:
        return answer_question(flow, turn, u.intent)
    STEPS[state](flow, turn)


def _unsupported_key(kind: str) -> str:
    return {
        "audio": "unsupported_audio",
        "location": "unsupported_location",
        "contacts": "unsupported_contact",
    }.get(kind, "unsupported_media" if kind != "unknown" else "not_understood")


# -- shared moves -----------------------------------------------------------------------------


def miss(flow: ConversationFlow, turn: Turn, key: str = "not_understood", **values: object) -> None:
    """Say what was not understood, count it, and ask the same question again."""
    misses = turn.ctx.get("misses", 0) + 1
    turn.remember(misses=misses)
    turn.say(key, **values)
    if misses >= turn.settings.max_misses:
        turn.say("offer_human")
    if flow.state_id == "idle":
        flow.show_menu()
    else:
        flow.retry()


def option_miss(flow: ConversationFlow, turn: Turn) -> None:
    """An answer that picks no option: say why (unknown, ambiguous), then ask again."""
    u = turn.understanding
    if u.ambiguous:
        labels = turn.ctx.get("option_labels", [])
        names = ", ".join(f"*{labels[i]}*" for i in u.ambiguous if i < len(labels))
        return miss(flow, turn, "ambiguous_options", options=names)
    if u.out_of_range or u.normalized:
        return miss(flow, turn, "not_understood_option", text=u.text[:40])
    return miss(flow, turn)


def answer_question(flow: ConversationFlow, turn: Turn, intent: str) -> None:
    """Answer from the clinic's data, then ask the pending question again."""
    if flow.state_id == "idle":
        greet(turn)
    answer(turn, intent)
    if flow.state_id == "idle":
        flow.show_menu()
    else:
        flow.retry()


def to_menu(flow: ConversationFlow, turn: Turn) -> None:
    """Drop whatever was in progress and show the main menu."""
    end_flow(turn)
    if flow.state_id == "menu":
        flow.retry()
    else:
        flow.show_menu()


def end_flow(turn: Turn) -> None:
    """Forget the choices of the request in progress and release any held slot."""
    turn.scheduling.release_holds(conversation_id=turn.conversation.id)
    turn.forget(*FLOW_KEYS)


def handoff(turn: Turn) -> None:
    """Mark the conversation for a human; the bot stays silent until it is released."""
    turn.scheduling.release_holds(conversation_id=turn.conversation.id)
    turn.conversation.handoff_at = turn.clock.now()
    turn.say("handoff")


def go_back(flow: ConversationFlow, turn: Turn) -> None:
    """Return to the previous question."""
    if flow.state_id in ("idle", "menu"):
        return to_menu(flow, turn)
    if flow.state_id == "confirm_booking":
        turn.scheduling.release_holds(conversation_id=turn.conversation.id)
    leaving_reschedule = flow.state_id == "slot" and flow.rescheduling()
    flow.back()
    if leaving_reschedule:
        turn.forget("mode")


def greet(turn: Turn) -> None:
    """Hello, by name when the patient is known."""
    if turn.client is not None:
        turn.say("greeting_known", name=first_name(turn.client.name))
    else:
        turn.say("greeting_new", clinic=turn.clinic.name)


def first_name(name: str) -> str:
    """The first word of a name ("Maria Oliveira" -> "Maria")."""
    return name.split()[0] if name.strip() else name


# -- idle and menu ----------------------------------------------------------------------------


def on_idle(flow: ConversationFlow, turn: Turn) -> None:
    """A new exchange: greet, then act on what was asked or show the menu."""
    greet(turn)
    intent = turn.understanding.intent
    if needs_identity(turn):
        turn.remember(identity_asked=True, pending=intent)
        return flow.ask_identity()
    if intent == "book":
        return start_booking(flow, turn)
    if intent in ("my_appointments", "cancel", "reschedule", "confirm"):
        return open_appointments(flow, turn)
    flow.show_menu()


# -- senders with no phone number ---------------------------------------------------------------

NEW_PATIENT_WORDS = {"novo", "nova", "nao tenho", "nao tenho cadastro", "primeira vez"}


def needs_identity(turn: Turn) -> bool:
    """A username-only sender we have not matched yet: ask once for a phone or CPF."""
    return (
        turn.client is None
        and is_username_id(turn.conversation.address)
        and not turn.ctx.get("identity_asked")
    )


def on_identify(flow: ConversationFlow, turn: Turn) -> None:
    u = turn.understanding
    if u.normalized in NEW_PATIENT_WORDS or u.yes_no is False:
        return resume_after_identity(flow, turn)
    cpf = u.cpf
    phone = None if cpf else parse_typed_phone(u.text)
    if cpf is None and phone is None:
        return miss(flow, turn, "bad_identity")
    turn.remember(typed_cpf=cpf, typed_phone=phone)
    clinic_id = turn.clinic.id
    client = (
        patients.find_by_cpf(turn.session, clinic_id=clinic_id, cpf=cpf)
        if cpf
        else patients.find_by_phone(turn.session, clinic_id=clinic_id, phone=phone)
    )
    if client is None:
        turn.say("identity_not_found")
        return resume_after_identity(flow, turn)
    turn.remember(candidate_id=client.id)
    flow.check_identity()


def on_identify_name(flow: ConversationFlow, turn: Turn) -> None:
    """Link the username to the record only when the name agrees (anyone can type a phone)."""
    u = turn.understanding
    name = u.name or u.text
    candidate = turn.session.get(Client, turn.ctx.get("candidate_id"))
    turn.forget("candidate_id")
    if candidate is None or not name or not patients.same_person(candidate.name, name):
        turn.forget("typed_cpf", "typed_phone")
        turn.say("identity_mismatch")
        return resume_after_identity(flow, turn)
    patients.link_address(turn.session, client=candidate, address=turn.conversation.address)
    turn.client = candidate
    turn.say("identity_confirmed", name=first_name(candidate.name))
    resume_after_identity(flow, turn)


def resume_after_identity(flow: ConversationFlow, turn: Turn) -> None:
    """Carry on with what the patient first asked for."""
    pending = turn.ctx.get("pending")
    turn.forget("pending")
    if pending == "book":
        return start_booking(flow, turn)
    flow.show_menu()


def on_menu(flow: ConversationFlow, turn: Turn) -> None:
    u = turn.understanding
    choice = turn.chosen()
    if choice == "book" or (choice is None and u.intent == "book"):
        return start_booking(flow, turn)
    if choice == "appointments" or (
        choice is None
        and (u.intent in ("my_appointments", "cancel", "reschedule") or u.command == "cancel")
    ):
        return open_appointments(flow, turn)
    if choice == "human":
        return handoff(turn)
    if u.intent == "greeting":
        greet(turn)
        return flow.retry()
    option_miss(flow, turn)


# -- booking ----------------------------------------------------------------------------------


def start_booking(flow: ConversationFlow, turn: Turn, *, mode: str = "book") -> None:
    end_flow(turn)
    turn.remember(mode=mode, profile_name=turn.inbound.profile_name)
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
    _reset_slot_search(turn)
    flow.insurance_chosen()


def on_location(flow: ConversationFlow, turn: Turn) -> None:
    location_id = turn.chosen()
    if location_id is None:
        return option_miss(flow, turn)
    turn.forget("service_id")
    if not _pick_single_service(turn, location_id):
        turn.say("no_services", insurance=_insurance_name(turn), location=_label(turn))
        return flow.retry()
    _reset_slot_search(turn)
    flow.location_chosen()


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
    _reset_slot_search(turn)
    flow.service_chosen()


def _reset_slot_search(turn: Turn) -> None:
    turn.remember(page=0, day=None)


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
    if u.command == "more":
        turn.remember(page=turn.ctx.get("page", 0) + 1)
        return flow.retry()
    if u.when is not None:
        turn.remember(day=[u.when.start.isoformat(), u.when.end.isoformat()], page=0)
        return flow.retry()
    option_miss(flow, turn)


def hold_slot(flow: ConversationFlow, turn: Turn, slot_id: int) -> None:
    try:
        hold = turn.scheduling.hold(
            clinic_id=turn.clinic.id,
            slot_id=slot_id,
            conversation_id=turn.conversation.id,
            minutes=turn.settings.hold_minutes,
        )
    except (SlotUnavailable, SlotInPast):
        turn.say("slot_taken")
        _reset_slot_search(turn)
        return flow.retry()
    turn.remember(slot_id=slot_id, hold_id=hold.id)
    flow.slot_held()


def on_confirm_booking(flow: ConversationFlow, turn: Turn) -> None:
    answer = turn.understanding.yes_no
    if answer is None:
        answer = turn.chosen()
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
        turn.say("slot_taken")
        _reset_slot_search(turn)
        return flow.slot_lost()
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.say("booked", name=first_name(client.name), **describe(turn, details))
    end_flow(turn)
    flow.booked()


# -- managing appointments --------------------------------------------------------------------


def open_appointments(flow: ConversationFlow, turn: Turn) -> None:
    """List the patient's upcoming appointments (or go straight to the only one)."""
    end_flow(turn)
    if turn.client is None:
        turn.say("no_client")
        return to_menu(flow, turn)
    upcoming = turn.scheduling.upcoming(clinic_id=turn.clinic.id, client_id=turn.client.id)
    if not upcoming:
        turn.say("no_appointments")
        return to_menu(flow, turn)
    ids = [appointment.id for appointment in upcoming]
    turn.remember(appointment_ids=ids, appointment_id=ids[0] if len(ids) == 1 else None)
    flow.list_appointments()


def on_appointments(flow: ConversationFlow, turn: Turn) -> None:
    appointment_id = turn.chosen()
    if appointment_id is None:
        return option_miss(flow, turn)
    turn.remember(appointment_id=appointment_id)
    flow.appointment_chosen()


def on_appointment_action(flow: ConversationFlow, turn: Turn) -> None:
    action = turn.chosen() or _action_from_words(turn)
    if action is None:
        return option_miss(flow, turn)
    if action == "back":
        return go_back(flow, turn)
    details = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx["appointment_id"]
    )
    if action == "confirm":
        try:
            turn.scheduling.confirm(
                clinic_id=turn.clinic.id, appointment_id=details.id, actor=Actor.client
            )
        except (NotFound, InvalidTransition):
            return appointment_gone(flow, turn)
        turn.say("appointment_confirmed", when=when(turn, details))
        end_flow(turn)
        return flow.presence_confirmed()
    if action == "reschedule":
        turn.remember(
            mode="reschedule",
            insurance_id=details.insurance_id,
            location_id=details.location_id,
            service_id=details.service_id,
        )
        _reset_slot_search(turn)
        turn.say("ask_reschedule", when=when(turn, details))
        return flow.start_reschedule()
    flow.start_cancel()


def _action_from_words(turn: Turn) -> str | None:
    u = turn.understanding
    if u.command == "cancel" or u.intent == "cancel":
        return "cancel"
    if u.intent == "reschedule":
        return "reschedule"
    if u.intent == "confirm" or u.yes_no:
        return "confirm"
    return None


def on_cancel_reason(flow: ConversationFlow, turn: Turn) -> None:
    reason = turn.understanding.text[:500] or turn.texts("no_reason")
    appointment_id = turn.ctx["appointment_id"]
    try:
        appointment = turn.scheduling.cancel(
            clinic_id=turn.clinic.id,
            appointment_id=appointment_id,
            reason=reason,
            actor=Actor.client,
        )
    except (NotFound, InvalidTransition):
        return appointment_gone(flow, turn)
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.say("cancelled", when=when(turn, details))
    end_flow(turn)
    flow.cancelled()


def reschedule(flow: ConversationFlow, turn: Turn) -> None:
    """Move the appointment to the held slot; the old place is freed in the same transaction."""
    try:
        appointment = turn.scheduling.reschedule(
            clinic_id=turn.clinic.id,
            appointment_id=turn.ctx["appointment_id"],
            hold_id=turn.ctx["hold_id"],
            actor=Actor.client,
        )
    except (SlotUnavailable, SlotInPast):
        turn.say("slot_taken")
        _reset_slot_search(turn)
        return flow.slot_lost()
    except (NotFound, InvalidTransition):
        return appointment_gone(flow, turn)
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.say("rescheduled", **describe(turn, details))
    end_flow(turn)
    flow.rescheduled()


def appointment_gone(flow: ConversationFlow, turn: Turn) -> None:
    """The appointment changed meanwhile (cancelled elsewhere, say): show the current ones."""
    turn.say("appointment_gone")
    end_flow(turn)
    flow.finish()
    open_appointments(flow, turn)


STEPS: dict[str, Step] = {
    "idle": on_idle,
    "menu": on_menu,
    "insurance": on_insurance,
    "location": on_location,
    "service": on_service,
    "slot": on_slot,
    "confirm_booking": on_confirm_booking,
    "name": on_name,
    "cpf": on_cpf,
    "appointments": on_appointments,
    "appointment_action": on_appointment_action,
    "cancel_reason": on_cancel_reason,
    "identify": on_identify,
    "identify_name": on_identify_name,
}
