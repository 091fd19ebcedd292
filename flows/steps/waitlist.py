"""Joining the waiting list, and answering a place it offered."""

from __future__ import annotations

from flows.machine import ConversationFlow
from flows.steps.booking import finish_booking, offered_name
from flows.steps.moves import end_flow, option_miss
from flows.steps.slots import try_hold
from flows.turn import Turn
from models import WaitlistEntry


@ConversationFlow.waitlist_period.asks
def ask_waitlist_period(turn: Turn) -> None:
    """Which part of the day suits the patient (or any), for the service at the unit."""
    t, ctx = turn.texts, turn.ctx
    location = turn.scheduling.location(clinic_id=turn.clinic.id, location_id=ctx.location_id)
    service = turn.scheduling.service(clinic_id=turn.clinic.id, service_id=ctx.service_id)
    options = [
        ("morning", t("period_morning")),
        ("afternoon", t("period_afternoon")),
        ("evening", t("period_evening")),
        ("any", t("period_any")),
    ]
    turn.ask(t("ask_waitlist_period", service=service.name, location=location.name), options)


@ConversationFlow.waitlist_period.reads
def on_waitlist_period(flow: ConversationFlow, turn: Turn) -> None:
    """Put the patient on the list for that part of the day."""
    period = turn.chosen()
    if period is None:
        return option_miss(flow, turn)
    ctx = turn.ctx
    turn.waitlist.join(
        turn.conversation,
        client_id=turn.client.id if turn.client else None,
        location_id=ctx.location_id,
        service_id=ctx.service_id,
        insurance_id=ctx.insurance_id,
        part=None if period == "any" else period,
    )
    turn.say("waitlist_joined")
    end_flow(turn)
    flow.waitlist_joined()


def pending_offer(turn: Turn) -> WaitlistEntry | None:
    """A waiting-list offer this message answers (a yes or a no), if there is one."""
    u = turn.understanding
    if u.yes_no is None and u.intent != "confirm":
        return None
    return turn.waitlist.open_offer(turn.conversation)


def on_offer_answer(flow: ConversationFlow, turn: Turn, entry: WaitlistEntry) -> None:
    """ "sim": book the offered place if it is still free; "não": keep waiting."""
    if turn.understanding.yes_no is False:
        turn.waitlist.keep_waiting(entry)
        turn.say("waitlist_declined")
        return
    end_flow(turn)
    ctx = turn.ctx
    ctx.mode, ctx.waitlist_entry_id = "book", entry.id
    ctx.insurance_id, ctx.location_id, ctx.service_id = (
        entry.insurance_id,
        entry.location_id,
        entry.service_id,
    )
    ctx.profile_name = offered_name(turn.inbound.profile_name)
    if not try_hold(turn, entry.offered_slot_id):
        turn.waitlist.keep_waiting(entry)
        ctx.waitlist_entry_id = None
        turn.say("waitlist_taken")
        return
    if turn.client is None:
        return flow.offer_needs_name()
    finish_booking(flow, turn)
