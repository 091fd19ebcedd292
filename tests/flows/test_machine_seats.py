"""Conversation machines are built once and seated on one conversation per turn."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from flows.machine import flow_for


def conversation(state: str | None) -> SimpleNamespace:
    """What a machine reads and writes of a conversation: its state column."""
    return SimpleNamespace(state=state)


def test_a_seated_machine_reads_and_writes_that_conversations_state():
    at_slot = conversation("slot")
    with flow_for(at_slot, None) as flow:  # type: ignore[arg-type]
        assert flow.state_id == "slot"
        flow.finish()  # to idle, which asks nothing (no turn needed)
        assert flow.state_id == "idle"
    assert at_slot.state == "idle"


def test_the_next_conversation_gets_its_own_state_and_leaves_the_last_one_alone():
    first, second = conversation("cpf"), conversation("appointments")
    with flow_for(first, None) as flow:  # type: ignore[arg-type]
        used = flow
        flow.finish()
    with flow_for(second, None) as flow:  # type: ignore[arg-type]
        assert flow is used  # built once, seated again
        assert flow.state_id == "appointments"
        flow.finish()
    assert (first.state, second.state) == ("idle", "idle")


@pytest.mark.parametrize("state", [None, "a_state_removed_by_an_upgrade"])
def test_a_new_or_unknown_state_starts_at_idle(state):
    fresh = conversation(state)
    with flow_for(fresh, None) as flow:  # type: ignore[arg-type]
        assert flow.state_id == "idle"
    assert fresh.state == "idle"


def test_two_turns_at_once_get_two_machines():
    first, second = conversation("slot"), conversation("name")
    with flow_for(first, None) as one, flow_for(second, None) as other:  # type: ignore[arg-type]
        assert one is not other
        assert (one.state_id, other.state_id) == ("slot", "name")


def test_a_machine_whose_turn_raised_is_not_used_again():
    with pytest.raises(RuntimeError), flow_for(conversation("slot"), None) as broken:  # type: ignore[arg-type]
        raise RuntimeError("the step failed")
    with flow_for(conversation("menu"), None) as flow:  # type: ignore[arg-type]
        assert flow is not broken
        assert flow.state_id == "menu"
