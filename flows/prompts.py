"""The question each state asks when the conversation enters it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.scheduling import AppointmentDetails, SlotView
from flows.turn import Turn

# A day has at most a few dozen slots per service and unit: enough to find the nearest.
NEAREST_LOOKUP = 80
PARTS_OF_DAY = {
    ("00:00", "12:00"): "part_morning",
    ("12:00", "18:00"): "part_afternoon",
    ("18:00", "24:00"): "part_evening",
}


def ask(turn: Turn, state_id: str) -> None:
    """Ask the question of `state_id` (the idle state asks nothing)."""
    question = QUESTIONS.get(state_id)
    if question is not None:
        turn.remember(asked=sorted({*turn.ctx.get("asked", []), state_id}))
        question(turn)


def ask_menu(turn: Turn) -> None:
    t = turn.texts
    turn.ask(
        t("menu"),
        [
            ("book", t("menu_book")),
            ("appointments", t("menu_appointments")),
            ("human", t("menu_human")),
        ],
    )


def ask_insurance(turn: Turn) -> None:
    insurances = turn.scheduling.insurances(clinic_id=turn.clinic.id)
    turn.ask(turn.texts("ask_insurance"), [(item.id, item.name) for item in insurances])


def ask_location(turn: Turn) -> None:
    locations = turn.scheduling.locations(
        clinic_id=turn.clinic.id, insurance_id=turn.ctx.get("insurance_id")
    )
    turn.ask(turn.texts("ask_location"), [(item.id, item.name) for item in locations])


def ask_service(turn: Turn) -> None:
    services = turn.scheduling.services(
        clinic_id=turn.clinic.id,
        insurance_id=turn.ctx.get("insurance_id"),
        location_id=turn.ctx["location_id"],
    )
    options = [
        (item.id, turn.texts("service_option", name=item.name, minutes=item.duration_minutes))
        for item in services
    ]
    turn.ask(turn.texts("ask_service"), options)


def ask_slot(turn: Turn) -> None:
    """Offer a page of free slots, grouped by day: the next ones, or in the window the patient
    asked for ("amanhã de manhã"), or the nearest to a time they named ("sexta às 16h")."""
    t, ctx = turn.texts, turn.ctx
    location = turn.scheduling.location(clinic_id=turn.clinic.id, location_id=ctx["location_id"])
    service = turn.scheduling.service(clinic_id=turn.clinic.id, service_id=ctx["service_id"])
    zone = ZoneInfo(location.timezone)
    window = ctx.get("day")
    start = datetime.fromisoformat(window[0]) if window else turn.clock.now()
    end = datetime.fromisoformat(window[1]) if window else None
    slots = _page(turn, start, end)
    intro = t("slots_intro", service=service.name, location=location.name)
    if window:
        intro = _window_intro(turn, start.astimezone(zone), end.astimezone(zone))
        if not slots:
            turn.say(
                "no_slots_day",
                day=_window_label(turn, start.astimezone(zone), end.astimezone(zone)),
            )
            turn.remember(day=None, near=None, page=0)
            intro = t("slots_intro", service=service.name, location=location.name)
            slots = _page(turn, start, None)
    if not slots:
        more = ctx.get("page", 0) > 0
        turn.say(
            "no_slots_more" if more else "no_slots_at_all",
            service=service.name,
            location=location.name,
        )
        turn.say("slots_waitlist_hint")
        turn.remember(option_values=[], option_labels=[])
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
    near = turn.ctx.get("near")
    if near:
        moment = datetime.fromisoformat(near).astimezone(start.tzinfo)
        return turn.texts("slots_intro_near", when=turn.texts.datetime(moment))
    return turn.texts("slots_intro_day", day=_window_label(turn, start, end))


def _page(turn: Turn, start: datetime, end: datetime | None) -> list[SlotView]:
    """One page of free slots; with a time the patient named, the nearest to it first."""
    per_page, page = turn.settings.slots_per_page, turn.ctx.get("page", 0)
    where = {
        "clinic_id": turn.clinic.id,
        "location_id": turn.ctx["location_id"],
        "service_id": turn.ctx["service_id"],
        "start": start,
        "end": end,
    }
    near = turn.ctx.get("near")
    if near and end is not None:
        moment = datetime.fromisoformat(near)
        every = turn.scheduling.free_slots(**where, limit=NEAREST_LOOKUP)
        nearest = sorted(every, key=lambda slot: abs(slot.start - moment))
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


def ask_confirm_booking(turn: Turn) -> None:
    t, ctx = turn.texts, turn.ctx
    slot = turn.scheduling.slot(clinic_id=turn.clinic.id, slot_id=ctx["slot_id"])
    location = turn.scheduling.location(clinic_id=turn.clinic.id, location_id=ctx["location_id"])
    service = turn.scheduling.service(clinic_id=turn.clinic.id, service_id=ctx["service_id"])
    text = t(
        "confirm_booking",
        service=service.name,
        professional=slot.professional_name,
        when=t.datetime(slot.start.astimezone(ZoneInfo(location.timezone))),
        location=location.name,
        address=location.address,
    )
    footer = t("held_for", minutes=turn.settings.hold_minutes) + "\n" + t("confirm_hint")
    turn.ask(text, [(True, "Sim"), (False, "Não")], footer=footer)


def ask_name(turn: Turn) -> None:
    profile = turn.ctx.get("profile_name")
    if profile:
        turn.ask(turn.texts("ask_name_profile", name=profile), [])
    else:
        turn.ask(turn.texts("ask_name"), [])


def ask_cpf(turn: Turn) -> None:
    turn.ask(turn.texts("ask_cpf"), [])


def ask_appointments(turn: Turn) -> None:
    options = []
    for appointment_id in turn.ctx.get("appointment_ids", []):
        details = turn.scheduling.details(clinic_id=turn.clinic.id, appointment_id=appointment_id)
        label = turn.texts(
            "appointment_option",
            when=when(turn, details),
            service=details.service,
            location=details.location,
        )
        options.append((appointment_id, label))
    turn.ask(turn.texts("ask_appointment"), options)


def ask_appointment_action(turn: Turn) -> None:
    t = turn.texts
    details = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx["appointment_id"]
    )
    turn.say("appointment_summary", **describe(turn, details), status=t(f"status_{details.status}"))
    options = [("confirm", t("action_confirm"))] if details.status == "scheduled" else []
    options += [
        ("reschedule", t("action_reschedule")),
        ("cancel", t("action_cancel")),
        ("back", t("action_back")),
    ]
    turn.ask(t("ask_appointment_action"), options)


def ask_confirm_action(turn: Turn) -> None:
    details = turn.scheduling.details(
        clinic_id=turn.clinic.id, appointment_id=turn.ctx["appointment_id"]
    )
    key = "confirm_cancel" if turn.ctx.get("pending_action") == "cancel" else "confirm_presence"
    turn.ask(turn.texts(key, when=when(turn, details)), [(True, "Sim"), (False, "Não")])


def ask_cancel_reason(turn: Turn) -> None:
    turn.ask(turn.texts("ask_cancel_reason"), [])


def ask_waitlist_period(turn: Turn) -> None:
    t, ctx = turn.texts, turn.ctx
    location = turn.scheduling.location(clinic_id=turn.clinic.id, location_id=ctx["location_id"])
    service = turn.scheduling.service(clinic_id=turn.clinic.id, service_id=ctx["service_id"])
    options = [
        ("morning", t("period_morning")),
        ("afternoon", t("period_afternoon")),
        ("evening", t("period_evening")),
        ("any", t("period_any")),
    ]
    turn.ask(t("ask_waitlist_period", service=service.name, location=location.name), options)


def ask_identify(turn: Turn) -> None:
    turn.ask(turn.texts("ask_identity"), [])


def ask_identify_name(turn: Turn) -> None:
    turn.ask(turn.texts("ask_identity_name"), [])


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


QUESTIONS: dict[str, Callable[[Turn], None]] = {
    "menu": ask_menu,
    "insurance": ask_insurance,
    "location": ask_location,
    "service": ask_service,
    "slot": ask_slot,
    "confirm_booking": ask_confirm_booking,
    "name": ask_name,
    "cpf": ask_cpf,
    "appointments": ask_appointments,
    "appointment_action": ask_appointment_action,
    "confirm_action": ask_confirm_action,
    "cancel_reason": ask_cancel_reason,
    "identify": ask_identify,
    "waitlist_period": ask_waitlist_period,
    "identify_name": ask_identify_name,
}
