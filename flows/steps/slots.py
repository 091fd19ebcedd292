"""Getting to a time slot: the list, or straight to the time the patient named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.scheduling import SlotInPast, SlotUnavailable, SlotView
from flows.conversation import ConversationFlow
from flows.steps.common import reset_slot_search
from flows.turn import Turn


def towards_slots(flow: ConversationFlow, turn: Turn, move: Callable[[], object]) -> None:
    """Go on to the slot list; when the patient already named a time that is free, hold it and
    go straight to "Confirma?"."""
    reset_slot_search(turn)
    ctx = turn.ctx
    if ctx.get("wish_at") and ctx.get("location_id") and ctx.get("service_id"):
        moment = datetime.fromisoformat(ctx["wish_at"])
        slot = exact_slot(turn, moment)
        if slot is not None and try_hold(turn, slot.id):
            return flow.wished_slot_held()
    move()


def exact_slot(turn: Turn, moment: datetime) -> SlotView | None:
    """The free slot starting at `moment`, if there is one."""
    found = turn.scheduling.free_slots(
        clinic_id=turn.clinic.id,
        location_id=turn.ctx["location_id"],
        service_id=turn.ctx["service_id"],
        start=moment - timedelta(seconds=1),
        end=moment + timedelta(minutes=1),
        limit=1,
    )
    return found[0] if found else None


def try_hold(turn: Turn, slot_id: int) -> bool:
    """Hold the slot for this conversation; False when it was taken meanwhile."""
    try:
        hold = turn.scheduling.hold(
            clinic_id=turn.clinic.id,
            slot_id=slot_id,
            conversation_id=turn.conversation.id,
            minutes=turn.settings.hold_minutes,
        )
    except (SlotUnavailable, SlotInPast):
        return False
    turn.remember(slot_id=slot_id, hold_id=hold.id)
    return True
