"""The time slot: the list of free slots (a page, a day, the nearest to a time named), and
getting to a slot, from the list or straight to the time the patient named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.scheduling import SlotInPast, SlotUnavailable, SlotView
from flows.machine import ConversationFlow
from flows.steps.moves import option_miss, reset_slot_search
from flows.turn import Turn

# A day has at most a few dozen slots per service and unit: enough to find the nearest.
NEAREST_LOOKUP = 80
PARTS_OF_DAY = {
    ("00:00", "12:00"): "part_morning",
    ("12:00", "18:00"): "part_afternoon",
    ("18:00", "24:00"): "part_evening",
}


@ConversationFlow.slot.asks
def ask_slot(turn: Turn) -> None:
    """Offer a page of free slots, grouped by day: the next ones, or in the window the patient
    asked for ("amanhã de manhã"), or the nearest to a time they named ("sexta às 16h")."""
    t, ctx = turn.texts, turn.ctx
    location = turn.scheduling.location(clinic_id=turn.clinic.id, location_id=ctx.location_id)
    service = turn.scheduling.service(clinic_id=turn.clinic.id, service_id=ctx.service_id)
    zone = ZoneInfo(location.timezone)
    window = ctx.day
    start, end = window if window else (turn.clock.now(), None)
    slots = _page(turn, start, end)
    intro = t("slots_intro", service=service.name, location=location.name)
    if window:
        intro = _window_intro(turn, start.astimezone(zone), end.astimezone(zone))
        if not slots:
            turn.say(
                "no_slots_day",
                day=_window_label(turn, start.astimezone(zone), end.astimezone(zone)),
            )
            ctx.day, ctx.near, ctx.page = None, None, 0
            intro = t("slots_intro", service=service.name, location=location.name)
            slots = _page(turn, start, None)
    if not slots:
        more = ctx.page > 0
        turn.say(
            "no_slots_more" if more else "no_slots_at_all",
            service=service.name,
            location=location.name,
        )
        turn.say("slots_waitlist_hint")
        ctx.option_values, ctx.option_labels = [], []
        return
    options = [(slot.id, _slot_label(turn, slot)) for slot in slots]
    groups = [t.date(slot.start.astimezone(zone)) for slot in slots]
    footer = t("slots_hint") + "\n" + t("slots_waitlist_hint")
    turn.ask(intro, options, groups=groups, footer=footer)


def _window_label(turn: Turn, start: datetime, end: datetime) -> str:
    """ "qui, 11/12", or "qui, 11/12, das 00:00 às 12:00" for part of a day."""
    t = turn.texts
    whole_days = start.time() == end.time() == datetime.min.time()
    if whole_days and (end - start).days > 1:
        last = end - timedelta(days=1)
        return t("window_days", first=t.date(start), last=t.date(last))
    if whole_days:
        return t.date(start)
    finish = "24:00" if end.time() == datetime.min.time() else end.strftime("%H:%M")
    part = PARTS_OF_DAY.get((start.strftime("%H:%M"), finish))
    if part:
        return t("window_named", day=t.date(start), part=t(part))
    return t("window_part", day=t.date(start), start=start.strftime("%H:%M"), end=finish)


def _window_intro(turn: Turn, start: datetime, end: datetime) -> str:
    near = turn.ctx.near
    if near:
        return turn.texts(
            "slots_intro_near", when=turn.texts.datetime(near.astimezone(start.tzinfo))
        )
    return turn.texts("slots_intro_day", day=_window_label(turn, start, end))


def _page(turn: Turn, start: datetime, end: datetime | None) -> list[SlotView]:
    """One page of free slots; with a time the patient named, the nearest to it first."""
    per_page, page = turn.settings.slots_per_page, turn.ctx.page
    where = {
        "clinic_id": turn.clinic.id,
        "location_id": turn.ctx.location_id,
        "service_id": turn.ctx.service_id,
        "start": start,
        "end": end,
    }
    near = turn.ctx.near
    if near and end is not None:
        every = turn.scheduling.free_slots(**where, limit=NEAREST_LOOKUP)
        nearest = sorted(every, key=lambda slot: abs(slot.start - near))
        return sorted(nearest[page * per_page : (page + 1) * per_page], key=lambda s: s.start)
    return turn.scheduling.free_slots(**where, limit=per_page, offset=page * per_page)


def _slot_label(turn: Turn, slot: SlotView) -> str:
    zone = turn.zone()
    time = slot.start.astimezone(zone).strftime("%H:%M")
    if slot.capacity > 1:
        return turn.texts(
            "slot_option_group",
            time=time,
            professional=slot.professional_name,
            available=slot.available,
        )
    return turn.texts("slot_option", time=time, professional=slot.professional_name)


@ConversationFlow.slot.reads
def on_slot(flow: ConversationFlow, turn: Turn) -> None:
    """A slot picked, "mais", a day or time named, or "lista de espera"."""
    u = turn.understanding
    slot_id = turn.chosen()
    if slot_id is not None:
        return hold_slot(flow, turn, slot_id)
    if u.command == "waitlist":
        return flow.join_waitlist()
    if u.command == "more":
        turn.ctx.page += 1
        return flow.retry()
    if u.at is not None:
        return pick_time(flow, turn)
    if u.when is not None:
        turn.ctx.day, turn.ctx.near, turn.ctx.page = (u.when.start, u.when.end), None, 0
        return flow.retry()
    option_miss(flow, turn)


def pick_time(flow: ConversationFlow, turn: Turn) -> None:
    """A time the patient named: hold it when free, else offer the nearest ones that day."""
    u = turn.understanding
    slot = exact_slot(turn, u.at)
    if slot is not None:
        return hold_slot(flow, turn, slot.id)
    turn.say("no_slot_at", when=turn.texts.datetime(u.at.astimezone(turn.zone())))
    turn.ctx.day, turn.ctx.near, turn.ctx.page = (u.when.start, u.when.end), u.at, 0
    flow.retry()


def hold_slot(flow: ConversationFlow, turn: Turn, slot_id: int) -> None:
    """Hold the slot picked and ask "Confirma?"; refresh the list when it was just taken."""
    if not try_hold(turn, slot_id):
        turn.say("slot_taken")
        reset_slot_search(turn)
        return flow.retry()
    flow.slot_held()


def towards_slots(flow: ConversationFlow, turn: Turn, move: Callable[[], object]) -> None:
    """Go on to the slot list; when the patient already named a time that is free, hold it and
    go straight to "Confirma?"."""
    reset_slot_search(turn)
    ctx = turn.ctx
    if ctx.wish_at and ctx.location_id and ctx.service_id:
        slot = exact_slot(turn, ctx.wish_at)
        if slot is not None and try_hold(turn, slot.id):
            return flow.wished_slot_held()
    move()


def exact_slot(turn: Turn, moment: datetime) -> SlotView | None:
    """The free slot starting at `moment`, if there is one."""
    found = turn.scheduling.free_slots(
        clinic_id=turn.clinic.id,
        location_id=turn.ctx.location_id,
        service_id=turn.ctx.service_id,
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
    except (SlotInPast, SlotUnavailable):
        return False
    turn.ctx.slot_id, turn.ctx.hold_id = slot_id, hold.id
    return True
