"""Moves every step shares: re-asking, escaping to the menu, going back, handing over."""

from __future__ import annotations

from collections.abc import Callable

from flows.conversation import ConversationFlow
from flows.turn import Turn

Step = Callable[[ConversationFlow, Turn], None]

TEXT_KINDS = {"text", "button", "interactive"}

MAX_TEXT = 1000

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
    "pending_action",
    "wish",
    "waitlist_entry_id",
    "wish_at",
    "near",
    "appointment_id",
    "option_values",
    "option_labels",
)


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


def reset_slot_search(turn: Turn) -> None:
    """Start the slot list over: at the day or time the patient first asked for, if any."""
    turn.remember(page=0, day=turn.ctx.get("wish"), near=turn.ctx.get("wish_at"))


def remember_wish(turn: Turn) -> None:
    """Keep a day or time said while asking to book or reschedule ("quero marcar sexta às 16h")."""
    u = turn.understanding
    if u.when is not None:
        turn.remember(
            wish=[u.when.start.isoformat(), u.when.end.isoformat()],
            wish_at=u.at.isoformat() if u.at else None,
        )


def yes_or_no(turn: Turn) -> bool | None:
    """The answer to a yes/no question: in words ("pode ser", "👍") or by its option number."""
    answer = turn.understanding.yes_no
    return turn.chosen() if answer is None else answer
