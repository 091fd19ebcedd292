"""What each state does with the patient's answer: read it, act through scheduling, move on."""

from __future__ import annotations

from flows.answers import QUESTION_INTENTS, answer
from flows.conversation import ConversationFlow, flow_for
from flows.steps.booking import (
    on_confirm_booking,
    on_cpf,
    on_insurance,
    on_location,
    on_name,
    on_service,
    on_slot,
    start_booking,
)
from flows.steps.common import (
    MAX_TEXT,
    TEXT_KINDS,
    Step,
    go_back,
    greet,
    handoff,
    miss,
    option_miss,
    to_menu,
)
from flows.steps.identity import needs_identity, on_identify, on_identify_name
from flows.steps.manage import (
    BUTTON_ACTIONS,
    act_on_reminder,
    on_appointment_action,
    on_appointments,
    on_button,
    on_cancel_reason,
    on_confirm_action,
    open_appointments,
    reminder_choice,
)
from flows.steps.waitlist import on_offer_answer, on_waitlist_period, pending_offer
from flows.turn import Turn
from models import ConsentChange


def step(turn: Turn) -> None:
    """Advance the conversation by one patient message; replies accumulate on the turn."""
    misses = turn.ctx.get("misses", 0)
    with flow_for(turn.conversation, turn) as flow:
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
    if u.command in ("stop", "start"):
        return change_consent(flow, turn, opted_in=u.command == "start")
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
    if turn.inbound.button_payload in BUTTON_ACTIONS:
        return on_button(flow, turn)
    if state in ("idle", "menu") and (offer := pending_offer(turn)):
        return on_offer_answer(flow, turn, offer)
    if state in ("idle", "menu") and (answer_to_reminder := reminder_choice(turn)):
        return act_on_reminder(flow, turn, *answer_to_reminder)
    if u.intent in QUESTION_INTENTS and u.choice is None:
        return answer_question(flow, turn, u.intent)
    STEPS[state](flow, turn)


def _unsupported_key(kind: str) -> str:
    return {
        "audio": "unsupported_audio",
        "location": "unsupported_location",
        "contacts": "unsupported_contact",
    }.get(kind, "unsupported_media" if kind != "unknown" else "not_understood")


def change_consent(flow: ConversationFlow, turn: Turn, *, opted_in: bool) -> None:
    """PARAR / SAIR stop proactive messages, ATIVAR restarts them; the change is recorded."""
    now = turn.clock.now()
    turn.conversation.opted_out_at = None if opted_in else now
    turn.session.add(
        ConsentChange(
            clinic_id=turn.clinic.id,
            conversation_id=turn.conversation.id,
            at=now,
            opted_in=opted_in,
        )
    )
    turn.say("opted_in" if opted_in else "opted_out")
    if flow.state_id not in ("idle", "menu"):
        flow.retry()


def answer_question(flow: ConversationFlow, turn: Turn, intent: str) -> None:
    """Answer from the clinic's data, then ask the pending question again."""
    if flow.state_id == "idle":
        greet(turn)
    answer(turn, intent)
    if flow.state_id == "idle":
        flow.show_menu()
    else:
        flow.retry()


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
    "confirm_action": on_confirm_action,
    "cancel_reason": on_cancel_reason,
    "identify": on_identify,
    "waitlist_period": on_waitlist_period,
    "identify_name": on_identify_name,
}
