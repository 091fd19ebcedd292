"""Managing booked appointments: list, confirm, reschedule, cancel."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain.scheduling import InvalidTransition, NotFound, SlotInPast, SlotUnavailable
from flows.conversation import ConversationFlow
from flows.prompts import describe, when
from flows.steps.common import (
    end_flow,
    go_back,
    option_miss,
    remember_wish,
    reset_slot_search,
    to_menu,
    yes_or_no,
)
from flows.steps.slots import towards_slots
from flows.turn import Turn
from flows.understanding import understand
from models import Actor, Direction, Message


def open_appointments(flow: ConversationFlow, turn: Turn) -> None:
    """List the patient's upcoming appointments (or go straight to the only one)."""
    end_flow(turn)
    if turn.understanding.intent == "reschedule":
        remember_wish(turn)  # "quero remarcar pra sexta de manhã"
    if turn.client is None:
        turn.say("no_client")
        return to_menu(flow, turn)
    upcoming = turn.scheduling.upcoming(clinic_id=turn.clinic.id, client_id=turn.client.id)
    if not upcoming:
        turn.say("no_appointments")
        return to_menu(flow, turn)
    ids = [appointment.id for appointment in upcoming]
    quoted = replied_appointment(turn)
    if quoted in ids:
        ids = [quoted]  # a reply to a reminder is about that reminder's appointment
    turn.remember(appointment_ids=ids, appointment_id=ids[0] if len(ids) == 1 else None)
    flow.list_appointments()


def replied_appointment(turn: Turn) -> int | None:
    """The appointment of the message the patient replied to (a reminder), if any."""
    replied_to = turn.inbound.replied_to_id
    if not replied_to:
        return None
    return turn.session.exec(
        select(Message.appointment_id).where(
            Message.provider == turn.inbound.provider,
            Message.provider_id == replied_to,
            Message.direction == Direction.outbound,
            Message.clinic_id == turn.clinic.id,
        )
    ).first()


BUTTON_ACTIONS = ("confirm", "reschedule", "cancel")


def on_button(flow: ConversationFlow, turn: Turn) -> None:
    """A reminder's quick-reply button: act on that reminder's appointment (or the only one)."""
    act_on_reminder(flow, turn, turn.inbound.button_payload, replied_appointment(turn))


def reminder_choice(turn: Turn) -> tuple[str, int] | None:
    """A numbered answer ("1", "confirmar") to a text reminder that was the bot's last message."""
    last = turn.session.exec(
        select(Message.appointment_id)
        .where(
            Message.conversation_id == turn.conversation.id,
            Message.direction == Direction.outbound,
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    labels = [turn.texts(f"reminder_{action}") for action in BUTTON_ACTIONS]
    u = turn.understanding
    index = understand(u.text, options=labels, now=turn.clock.now(), tz=turn.zone()).choice
    return (BUTTON_ACTIONS[index], last) if index is not None else None


def act_on_reminder(
    flow: ConversationFlow, turn: Turn, action: str, appointment_id: int | None
) -> None:
    """Confirm, reschedule or cancel the reminded appointment; ask which when it is unclear."""
    if flow.state_id not in ("idle", "menu"):
        end_flow(turn)
        flow.finish()
    upcoming = (
        [a.id for a in turn.scheduling.upcoming(clinic_id=turn.clinic.id, client_id=turn.client.id)]
        if turn.client is not None
        else []
    )
    if appointment_id not in upcoming:
        appointment_id = upcoming[0] if len(upcoming) == 1 else None
    if appointment_id is None:
        # Several appointments and no way to tell which: ask (or say there is none).
        return open_appointments(flow, turn)
    turn.remember(appointment_ids=[appointment_id], appointment_id=appointment_id)
    act(flow, turn, action)


def on_appointments(flow: ConversationFlow, turn: Turn) -> None:
    appointment_id = turn.chosen()
    if appointment_id is None:
        return option_miss(flow, turn)
    turn.remember(appointment_id=appointment_id)
    flow.appointment_chosen()


def on_appointment_action(flow: ConversationFlow, turn: Turn) -> None:
    picked = turn.chosen()
    action = picked or _action_from_words(turn)
    if action is None:
        return option_miss(flow, turn)
    if action == "back":
        return go_back(flow, turn)
    if picked is None and action in ("confirm", "cancel"):
        # Read from free text, not picked from the list: ask before changing anything.
        turn.remember(pending_action=action)
        return flow.confirm_intent()
    act(flow, turn, action)


def on_confirm_action(flow: ConversationFlow, turn: Turn) -> None:
    answer = yes_or_no(turn)
    if answer is None:
        return option_miss(flow, turn)
    action = turn.ctx.get("pending_action")
    turn.forget("pending_action")
    if not answer:
        return flow.intent_declined()
    act(flow, turn, action)


def act(flow: ConversationFlow, turn: Turn, action: str) -> None:
    """Carry out a chosen action on the appointment in the context."""
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
        turn.say("ask_reschedule", when=when(turn, details))
        return towards_slots(flow, turn, flow.start_reschedule)
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
    turn.freed_slots.append(details.slot_id)
    turn.say("cancelled", when=when(turn, details))
    end_flow(turn)
    flow.cancelled()


def reschedule(flow: ConversationFlow, turn: Turn) -> None:
    """Move the appointment to the held slot; the old place is freed in the same transaction."""
    old_slot = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx["appointment_id"]
    ).slot_id
    try:
        appointment = turn.scheduling.reschedule(
            clinic_id=turn.clinic.id,
            appointment_id=turn.ctx["appointment_id"],
            hold_id=turn.ctx["hold_id"],
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
