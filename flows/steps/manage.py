"""Managing booked appointments: list, confirm, reschedule, cancel."""

from __future__ import annotations

from bot.domain.scheduling import InvalidTransition, NotFound, SlotInPast, SlotUnavailable
from flows.machine import ConversationFlow
from flows.steps.moves import (
    describe,
    end_flow,
    go_back,
    option_miss,
    remember_wish,
    reset_slot_search,
    to_menu,
    when,
    yes_or_no,
)
from flows.steps.slots import towards_slots
from flows.turn import Turn
from models import Actor


def open_appointments(flow: ConversationFlow, turn: Turn) -> None:
    """List the patient's upcoming appointments (or go straight to the only one)."""
    end_flow(turn)
    intent = turn.understanding.intent
    if intent == "reschedule":
        remember_wish(turn)  # "quero remarcar pra sexta de manhã"
    turn.ctx.wanted = intent if intent in ("cancel", "confirm", "reschedule") else None
    if turn.client is None:
        turn.say("no_client")
        return to_menu(flow, turn)
    upcoming = turn.scheduling.upcoming(clinic_id=turn.clinic.id, client_id=turn.client.id)
    if not upcoming:
        turn.say("no_appointments")
        return to_menu(flow, turn)
    ids = [appointment.id for appointment in upcoming]
    quoted = turn.messages.appointment_replied_to(turn.inbound, turn.clinic.id)
    if quoted in ids:
        ids = [quoted]  # a reply to a reminder is about that reminder's appointment
    turn.ctx.appointment_ids = ids
    turn.ctx.appointment_id = ids[0] if len(ids) == 1 else None
    flow.list_appointments()


# -- which appointment --------------------------------------------------------------------------


@ConversationFlow.appointments.asks
def ask_appointments(turn: Turn) -> None:
    """Which of the upcoming appointments."""
    options = []
    for appointment_id in turn.ctx.appointment_ids:
        details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment_id)
        label = turn.texts(
            "appointment_option",
            when=when(turn, details),
            service=details.service,
            location=details.location,
        )
        options.append((appointment_id, label))
    turn.ask(turn.texts("ask_appointment"), options)


@ConversationFlow.appointments.reads
def on_appointments(flow: ConversationFlow, turn: Turn) -> None:
    """Keep the appointment picked: by its number, or by its day ("a de quarta", "a do dia 9")."""
    appointment_id = turn.chosen() or _named_by_day(turn)
    if appointment_id is None:
        return option_miss(flow, turn)
    turn.ctx.appointment_id = appointment_id
    wanted, turn.ctx.wanted = turn.ctx.wanted, None
    if wanted in ("confirm", "cancel"):
        turn.ctx.pending_action = wanted  # asked before anything changes, as free text always is
        return flow.wanted_chosen()
    if wanted == "reschedule":
        return act(flow, turn, "reschedule")
    flow.appointment_chosen()


def _named_by_day(turn: Turn) -> int | None:
    """The one listed appointment on the day the patient named, if exactly one is."""
    window = turn.understanding.when
    if window is None:
        return None
    on_that_day = [
        appointment_id
        for appointment_id in turn.ctx.appointment_ids
        if window.start
        <= turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment_id).start
        < window.end
    ]
    return on_that_day[0] if len(on_that_day) == 1 else None


# -- what to do with it -------------------------------------------------------------------------


@ConversationFlow.appointment_action.asks
def ask_appointment_action(turn: Turn) -> None:
    """The appointment, then: confirm (while unconfirmed), reschedule, cancel, back."""
    t = turn.texts
    details = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx.appointment_id
    )
    turn.say("appointment_summary", **describe(turn, details), status=t(f"status_{details.status}"))
    options = [("confirm", t("action_confirm"))] if details.status == "scheduled" else []
    options += [
        ("reschedule", t("action_reschedule")),
        ("cancel", t("action_cancel")),
        ("back", t("action_back")),
    ]
    turn.ask(t("ask_appointment_action"), options)


@ConversationFlow.appointment_action.reads
def on_appointment_action(flow: ConversationFlow, turn: Turn) -> None:
    """An action picked acts at once; one read from free text is confirmed first."""
    picked = turn.chosen()
    action = picked or _action_from_words(turn)
    if action is None:
        return option_miss(flow, turn)
    if action == "back":
        return go_back(flow, turn)
    if picked is None and action in ("confirm", "cancel"):
        # Read from free text, not picked from the list: ask before changing anything.
        turn.ctx.pending_action = action
        return flow.confirm_intent()
    act(flow, turn, action)


def _action_from_words(turn: Turn) -> str | None:
    u = turn.understanding
    if u.command == "cancel" or u.intent == "cancel":
        return "cancel"
    if u.intent == "reschedule":
        return "reschedule"
    if u.intent == "confirm" or u.yes_no:
        return "confirm"
    return None


@ConversationFlow.confirm_action.asks
def ask_confirm_action(turn: Turn) -> None:
    """ "Você quer cancelar / confirmar a consulta de …?" """
    details = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx.appointment_id
    )
    key = "confirm_cancel" if turn.ctx.pending_action == "cancel" else "confirm_presence"
    turn.ask(
        turn.texts(key, when=when(turn, details)),
        [(True, turn.texts("option_yes")), (False, turn.texts("option_no"))],
    )


@ConversationFlow.confirm_action.reads
def on_confirm_action(flow: ConversationFlow, turn: Turn) -> None:
    """ "sim" carries out the action read from free text; "não" goes back to the choices."""
    answer = yes_or_no(turn)
    if answer is None:
        return option_miss(flow, turn)
    action = turn.ctx.pending_action
    turn.ctx.pending_action = None
    if not answer:
        return flow.intent_declined()
    act(flow, turn, action)


def act(flow: ConversationFlow, turn: Turn, action: str) -> None:
    """Carry out a chosen action on the appointment in the context."""
    details = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx.appointment_id
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
        ctx = turn.ctx
        ctx.mode = "reschedule"
        ctx.insurance_id = details.insurance_id
        ctx.location_id, ctx.service_id = details.location_id, details.service_id
        turn.say("ask_reschedule", when=when(turn, details))
        return towards_slots(flow, turn, flow.start_reschedule)
    flow.start_cancel()


# -- cancelling ---------------------------------------------------------------------------------


@ConversationFlow.cancel_reason.asks
def ask_cancel_reason(turn: Turn) -> None:
    """Why (any text; it is kept with the cancellation)."""
    turn.ask(turn.texts("ask_cancel_reason"), [])


@ConversationFlow.cancel_reason.reads
def on_cancel_reason(flow: ConversationFlow, turn: Turn) -> None:
    """Whatever is said is the reason: cancel, and offer the place to the waiting list."""
    reason = turn.understanding.text[:500] or turn.texts("no_reason")
    try:
        appointment = turn.scheduling.cancel(
            clinic_id=turn.clinic.id,
            appointment_id=turn.ctx.appointment_id,
            reason=reason,
            actor=Actor.client,
        )
    except (NotFound, InvalidTransition):
        return appointment_gone(flow, turn)
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.freed_slots.append(details.slot_id)
    turn.say("cancelled", when=when(turn, details))
    end_flow(turn)
    flow.cancelled()


def reschedule(flow: ConversationFlow, turn: Turn) -> None:
    """Move the appointment to the held slot; the old place is freed in the same transaction."""
    old_slot = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx.appointment_id
    ).slot_id
    try:
        appointment = turn.scheduling.reschedule(
            clinic_id=turn.clinic.id,
            appointment_id=turn.ctx.appointment_id,
            hold_id=turn.ctx.hold_id,
            actor=Actor.client,
        )
    except (SlotUnavailable, SlotInPast):
        turn.say("slot_taken")
        reset_slot_search(turn)
        return flow.slot_lost()
    except (NotFound, InvalidTransition):
        return appointment_gone(flow, turn)
    details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment.id)
    turn.freed_slots.append(old_slot)
    turn.say("rescheduled", **describe(turn, details))
    end_flow(turn)
    flow.rescheduled()


def appointment_gone(flow: ConversationFlow, turn: Turn) -> None:
    """The appointment changed meanwhile (cancelled elsewhere, say): show the current ones."""
    turn.say("appointment_gone")
    end_flow(turn)
    flow.finish()
    open_appointments(flow, turn)
