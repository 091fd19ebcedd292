"""One place per state: every state of the machine has its question and the handler of its
answer, side by side in the step module of its group, and the moves every step allows.

The states are taken from the machine, so a state added to it without a question, a handler or
a way back fails here.
"""

from __future__ import annotations

import pytest
from statemachine import StateMachine

import flows.steps  # registers every state's question and answer
from flows.machine import ConversationFlow, Step

STATES = list(ConversationFlow.states)
ASKING = [state for state in STATES if not state.initial]


def unfinished(machine: type[StateMachine]) -> list[str]:
    """What a machine's states lack: a question (all but the initial state), a handler."""
    problems = []
    for state in machine.states:
        if not isinstance(state, Step):
            problems.append(f"{state.id}: not a Step")
            continue
        if state.question is None and not state.initial:
            problems.append(f"{state.id}: no question")
        if state.question is not None and state.initial:
            problems.append(f"{state.id}: the initial state asks nothing")
        if state.answer is None:
            problems.append(f"{state.id}: no handler")
    return problems


def events_from(state: Step) -> set[str]:
    return {str(event) for transition in state.transitions for event in transition.events}


def test_every_state_has_its_question_and_its_handler():
    assert unfinished(ConversationFlow) == []


def test_a_state_missing_its_question_or_its_handler_is_found():
    class Unfinished(StateMachine):
        start = Step("Start", initial=True)
        asked = Step("Asked")
        silent = Step("Silent")
        go = start.to(asked) | start.to(silent) | asked.to(start) | silent.to(start)

    Unfinished.start.reads(lambda flow, turn: None)
    Unfinished.asked.asks(lambda turn: None)
    assert unfinished(Unfinished) == [
        "asked: no handler",
        "silent: no question",
        "silent: no handler",
    ]


@pytest.mark.parametrize("state", ASKING, ids=lambda state: state.id)
def test_a_states_question_and_handler_sit_together(state):
    assert state.question.__module__ == state.answer.__module__
    assert state.question.__module__.startswith("flows.steps.")


@pytest.mark.parametrize("state", ASKING, ids=lambda state: state.id)
def test_every_asking_state_can_be_asked_again_dropped_and_left(state):
    events = events_from(state)
    assert {"retry", "finish"} <= events
    assert "show_menu" in events or state is ConversationFlow.menu  # the menu shows itself again
    # "voltar": a way back, or (resting) the menu again.
    assert "back" in events or state.resting


def test_the_initial_state_asks_nothing_and_rests():
    [initial] = [state for state in STATES if state.initial]
    assert initial is ConversationFlow.idle
    assert initial.question is None and initial.resting


def test_a_state_is_stored_by_its_value():
    # `ConversationFlow.name` is the machine's own name, so the "name" state is `patient_name`.
    assert ConversationFlow.patient_name.value == "name"
    assert ConversationFlow.states_map["name"] is ConversationFlow.patient_name


def test_the_step_modules_are_the_groups_of_states():
    modules = {state.answer.__module__ for state in STATES}
    assert modules == {group.__name__ for group in flows.steps.GROUPS}
