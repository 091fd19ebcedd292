"""Joining the waiting list, and answering a place it offered."""

from __future__ import annotations

from bot.messaging import offers as waitlist
from flows.conversation import ConversationFlow
from flows.steps.booking import finish_booking
from flows.steps.common import end_flow, option_miss
from flows.steps.slots import try_hold
from flows.turn import Turn
from models import WaitlistEntry, WaitlistStatus


def on_waitlist_period(flow: ConversationFlow, turn: Turn) -> None:
    period = turn.chosen()
    if period is None:
        return option_miss(flow, turn)
    ctx = turn.ctx
    turn.session.add(
        WaitlistEntry(
            clinic_id=turn.clinic.id,
            conversation_id=turn.conversation.id,
            client_id=turn.client.id if turn.client else None,
            location_id=ctx["location_id"],
            service_id=ctx["service_id"],
            insurance_id=ctx.get("insurance_id"),
            part_of_day=None if period == "any" else period,
            created_at=turn.clock.now(),
        )
    )
    turn.say("waitlist_joined")
    end_flow(turn)
    flow.waitlist_joined()


def pending_offer(turn: Turn) -> WaitlistEntry | None:
    """A waiting-list offer this message answers (a yes or a no), if there is one."""
    u = turn.understanding
    if u.yes_no is None and u.intent != "confirm":
        return None
    return waitlist.open_offer(
        turn.session, conversation_id=turn.conversation.id, now=turn.clock.now()
    )


def on_offer_answer(flow: ConversationFlow, turn: Turn, entry: WaitlistEntry) -> None:
    """ "sim": book the offered place if it is still free; "não": keep waiting."""
    if turn.understanding.yes_no is False:
        entry.status = WaitlistStatus.waiting
        turn.say("waitlist_declined")
        return
    end_flow(turn)
    turn.remember(
        mode="book",
        insurance_id=entry.insurance_id,
        location_id=entry.location_id,
        service_id=entry.service_id,
        waitlist_entry_id=entry.id,
        profile_name=turn.inbound.profile_name,
    )
    if not try_hold(turn, entry.offered_slot_id):
        entry.status = WaitlistStatus.waiting
        turn.forget("waitlist_entry_id")
        turn.say("waitlist_taken")
        return
    if turn.client is None:
        return flow.offer_needs_name()
    finish_booking(flow, turn)
