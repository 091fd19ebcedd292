"""Moves every step shares: re-asking, escaping to the menu, going back, handing over."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.scheduling import AppointmentDetails
from flows.machine import ConversationFlow
from flows.turn import Turn

TEXT_KINDS = {"text", "button", "interactive"}

MAX_TEXT = 1000


def miss(flow: ConversationFlow, turn: Turn, key: str = "not_understood", **values: object) -> None:
    """Say what was not understood, count it, and ask the same question again."""
    turn.ctx.misses += 1
    turn.say(key, **values)
    if turn.ctx.misses >= turn.settings.max_misses:
        turn.say("offer_human")
    if flow.step.initial:
        flow.show_menu()
    else:
        flow.retry()


def option_miss(flow: ConversationFlow, turn: Turn) -> None:
    """An answer that picks no option: say why (unknown, ambiguous), then ask again."""
    u = turn.understanding
    if u.ambiguous:
        labels = turn.ctx.option_labels
        names = ", ".join(f"*{labels[i]}*" for i in u.ambiguous if i < len(labels))
        return miss(flow, turn, "ambiguous_options", options=names)
    if u.out_of_range:  # a number past the list: say which, it is short
        return miss(flow, turn, "not_understood_option", text=u.text[:6])
    if u.normalized:  # words: never echoed back (a whole sentence would read as mockery)
        return miss(flow, turn, "not_understood_words")
    return miss(flow, turn)


def to_menu(flow: ConversationFlow, turn: Turn) -> None:
    """Drop whatever was in progress and show the main menu."""
    end_flow(turn)
    if flow.step is ConversationFlow.menu:
        flow.retry()
    else:
        flow.show_menu()


def end_flow(turn: Turn) -> None:
    """Forget the choices of the request in progress and release any held slot."""
    turn.scheduling.release_holds(conversation_id=turn.conversation.id)
    turn.ctx.end_flow()


def handoff(turn: Turn) -> None:
    """Mark the conversation for a human; the bot stays silent until it is released."""
    turn.scheduling.release_holds(conversation_id=turn.conversation.id)
    turn.conversation.handoff_at = turn.clock.now()
    turn.say("handoff")


def go_back(flow: ConversationFlow, turn: Turn) -> None:
    """Return to the previous question."""
    here = flow.step
    if here.resting:
        return to_menu(flow, turn)
    if here is ConversationFlow.confirm_booking:
        turn.scheduling.release_holds(conversation_id=turn.conversation.id)
    leaving_reschedule = here is ConversationFlow.slot and flow.rescheduling()
    flow.back()
    if leaving_reschedule:
        turn.ctx.mode = None


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
    ctx = turn.ctx
    ctx.page, ctx.day, ctx.near = 0, ctx.wish, ctx.wish_at


def remember_wish(turn: Turn) -> None:
    """Keep a day or time said while asking to book or reschedule ("quero marcar sexta às 16h")."""
    u = turn.understanding
    if u.when is not None:
        turn.ctx.wish = (u.when.start, u.when.end)
        turn.ctx.wish_at = u.at


def yes_or_no(turn: Turn) -> bool | None:
    """The answer to a yes/no question: in words ("pode ser", "👍") or by its option number."""
    answer = turn.understanding.yes_no
    return turn.chosen() if answer is None else answer


def when(turn: Turn, details: AppointmentDetails) -> str:
    """An appointment's time in its unit's zone, the Brazilian way."""
    return turn.texts.datetime(details.start.astimezone(ZoneInfo(details.timezone)))


def describe(turn: Turn, details: AppointmentDetails) -> dict[str, str]:
    """The placeholders the catalogue uses for an appointment."""
    return {
        "service": details.service,
        "professional": details.professional,
        "when": when(turn, details),
        "location": details.location,
        "address": details.address,
    }
