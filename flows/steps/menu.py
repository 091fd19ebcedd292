"""The start of an exchange (idle: nothing asked) and the main menu."""

from __future__ import annotations

from flows.machine import ConversationFlow
from flows.steps.booking import start_booking
from flows.steps.identity import needs_identity
from flows.steps.manage import open_appointments
from flows.steps.moves import greet, handoff, option_miss, yes_or_no
from flows.turn import Turn

# What a patient may start with, in words, besides picking from the menu.
APPOINTMENT_INTENTS = ("my_appointments", "cancel", "reschedule", "confirm")


@ConversationFlow.idle.reads
def on_idle(flow: ConversationFlow, turn: Turn) -> None:
    """A new exchange: greet, then act on what was asked or show the menu."""
    greet(turn)
    intent = turn.understanding.intent
    if needs_identity(turn):
        turn.ctx.identity_asked, turn.ctx.pending = True, intent
        return flow.ask_identity()
    if intent == "book":
        return start_booking(flow, turn)
    if intent in APPOINTMENT_INTENTS:
        return open_appointments(flow, turn)
    flow.show_menu()


@ConversationFlow.menu.asks
def ask_menu(turn: Turn) -> None:
    """What can the bot do for you: book, your appointments, a person."""
    t = turn.texts
    turn.ask(
        t("menu"),
        [
            ("book", t("menu_book")),
            ("appointments", t("menu_appointments")),
            ("human", t("menu_human")),
        ],
    )


@ConversationFlow.menu.reads
def on_menu(flow: ConversationFlow, turn: Turn) -> None:
    """An option of the menu, or the same wish in words ("quero marcar", "cancelar")."""
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


@ConversationFlow.confirm_stop.asks
def ask_confirm_stop(turn: Turn) -> None:
    """ "Você quer parar de receber lembretes?" (a "sair" is not an opt-out by itself)."""
    t = turn.texts
    turn.ask(t("confirm_stop"), [(True, t("option_yes")), (False, t("option_no"))])


@ConversationFlow.confirm_stop.reads
def on_confirm_stop(flow: ConversationFlow, turn: Turn) -> None:
    """ "sim" stops proactive messages (recorded); "não" keeps them and shows the menu."""
    answer = yes_or_no(turn)
    if answer is None:
        return option_miss(flow, turn)
    if not answer:
        turn.say("stop_declined")
        return flow.show_menu()
    turn.consent.record(turn.conversation, opted_in=False)
    turn.say("opted_out")
    flow.finish()
