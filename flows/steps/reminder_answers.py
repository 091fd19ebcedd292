"""Answers to a reminder, from any step: its buttons, or a number or word for its choices."""

from __future__ import annotations

from flows.machine import ConversationFlow
from flows.steps.manage import act, open_appointments
from flows.steps.moves import end_flow
from flows.turn import Turn
from flows.understanding import understand

BUTTON_ACTIONS = ("confirm", "reschedule", "cancel")


def on_button(flow: ConversationFlow, turn: Turn) -> None:
    """A reminder's quick-reply button: act on that reminder's appointment (or the only one)."""
    replied = turn.messages.appointment_replied_to(turn.inbound, turn.clinic.id)
    act_on_reminder(flow, turn, turn.inbound.button_payload, replied)


def reminder_choice(turn: Turn) -> tuple[str, int] | None:
    """A numbered answer ("1", "confirmar") to a text reminder that was the bot's last message."""
    last = turn.messages.last_appointment_mentioned(turn.conversation.id)
    if last is None:
        return None
    labels = [turn.texts(f"reminder_{action}") for action in BUTTON_ACTIONS]
    u = turn.understanding
    index = understand(u.text, options=labels, now=turn.clock.now(), tz=turn.zone()).choice
    if index is not None:
        return BUTTON_ACTIONS[index], last
    # "ok, estarei lá", "pode deixar, vou sim": presence confirmed in words, to the reminder
    # itself (a cancellation in words still goes through its confirmation question).
    if u.intent == "confirm" and u.yes_no is not False:
        return "confirm", last
    return None


def act_on_reminder(
    flow: ConversationFlow, turn: Turn, action: str, appointment_id: int | None
) -> None:
    """Confirm, reschedule or cancel the reminded appointment; ask which when it is unclear."""
    if not flow.step.resting:
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
    turn.ctx.appointment_ids, turn.ctx.appointment_id = [appointment_id], appointment_id
    act(flow, turn, action)
