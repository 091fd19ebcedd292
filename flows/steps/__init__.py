"""What the conversation does with one patient message.

First what works from any step (an unreadable message, PARAR / ATIVAR, "atendente", "menu",
"cancelar", "voltar", a reminder's answer, a waiting-list offer's answer, a question about
prices or addresses); otherwise the current state's own handler reads the answer.

Each state's question and handler live together in the module of its group, registered on the
machine's state (`@ConversationFlow.<state>.asks` / `.reads`); importing this package imports
them all, so the machine is complete wherever a turn is stepped.
"""

from __future__ import annotations

from datetime import date

from flows.answers import QUESTION_INTENTS, answer
from flows.machine import ConversationFlow, flow_for
from flows.steps import booking, identity, manage, menu, slots, waitlist
from flows.steps.moves import MAX_TEXT, TEXT_KINDS, go_back, greet, handoff, miss, to_menu
from flows.steps.reminder_answers import BUTTON_ACTIONS, act_on_reminder, on_button, reminder_choice
from flows.steps.waitlist import on_offer_answer, pending_offer
from flows.turn import Turn

GROUPS = (menu, booking, slots, manage, identity, waitlist)
"""The step modules, one per group of states: each registers its states' questions and answers."""


def step(turn: Turn) -> None:
    """Advance the conversation by one patient message; replies accumulate on the turn."""
    misses = turn.ctx.misses
    with flow_for(turn.conversation, turn) as flow:
        _dispatch(flow, turn)
    # A turn that did not add a miss resets the count of misunderstandings in a row.
    if turn.ctx.misses == misses:
        turn.ctx.misses = 0


def _dispatch(flow: ConversationFlow, turn: Turn) -> None:
    u, here = turn.understanding, flow.step
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
    if u.command == "cancel" and not here.cancel_is_answer:
        turn.say("aborted")
        return to_menu(flow, turn)
    if u.day_conflict is not None:
        return ask_which_day(flow, turn, *u.day_conflict)
    if u.command == "leave":
        return leave(flow, turn)
    if u.command == "back":
        return go_back(flow, turn)
    if turn.inbound.button_payload in BUTTON_ACTIONS:
        return on_button(flow, turn)
    if here.resting and (offer := pending_offer(turn)):
        return on_offer_answer(flow, turn, offer)
    if here.resting and (answer_to_reminder := reminder_choice(turn)):
        return act_on_reminder(flow, turn, *answer_to_reminder)
    if u.intent in QUESTION_INTENTS and u.choice is None:
        return answer_question(flow, turn, u.intent)
    if u.choice is None and (said := small_talk(flow, turn)):
        return reply_in_passing(flow, turn, said)
    here.answer(flow, turn)  # type: ignore[misc]  # every state has one (tests/flows/test_steps.py)


def _unsupported_key(kind: str) -> str:
    return {
        "audio": "unsupported_audio",
        "location": "unsupported_location",
        "contacts": "unsupported_contact",
    }.get(kind, "unsupported_media" if kind != "unknown" else "not_understood")


def ask_which_day(flow: ConversationFlow, turn: Turn, written: date, named: date) -> None:
    """A date and a weekday that disagree: ask which, and act on neither."""
    texts = turn.texts
    turn.say("day_conflict", day=written.day, date=texts.date(written), other=texts.date(named))
    if flow.step.initial:
        return flow.show_menu()
    flow.retry()


def leave(flow: ConversationFlow, turn: Turn) -> None:
    """ "sair": drop what is in progress; with nothing in progress, ask before stopping messages."""
    if flow.step.resting:
        return flow.ask_stop()
    turn.say("aborted")
    to_menu(flow, turn)


def change_consent(flow: ConversationFlow, turn: Turn, *, opted_in: bool) -> None:
    """PARAR / SAIR stop proactive messages, ATIVAR restarts them; the change is recorded."""
    turn.consent.record(turn.conversation, opted_in=opted_in)
    turn.say("opted_in" if opted_in else "opted_out")
    if not flow.step.resting:
        flow.retry()


def small_talk(flow: ConversationFlow, turn: Turn) -> str | None:
    """What a message is when it is no answer: thanks, a greeting mid-flow, a question we cannot
    answer ("tem estacionamento?"); the catalogue key of the short reply it gets."""
    u = turn.understanding
    if u.yes_no is not None or u.when is not None or u.cpf or u.command:
        return None
    if u.intent == "thanks":
        return "thanks_reply"
    if u.intent == "greeting" and not flow.step.resting:
        return "hello_again"
    if u.intent == "other" and (turn.inbound.body or "").rstrip().endswith("?"):
        return "cannot_answer"
    return None


def reply_in_passing(flow: ConversationFlow, turn: Turn, key: str) -> None:
    """A short reply; mid-flow the pending question follows (no miss is counted)."""
    if flow.step.initial and key == "cannot_answer":
        greet(turn)
        turn.say(key)
        return flow.show_menu()
    turn.say(key)
    if not flow.step.resting:
        flow.retry()


def answer_question(flow: ConversationFlow, turn: Turn, intent: str) -> None:
    """Answer from the clinic's data, then ask the pending question again."""
    at_start = flow.step.initial
    if at_start:
        greet(turn)
    answer(turn, intent)
    if at_start:
        flow.show_menu()
    else:
        flow.retry()
