"""Questions a patient may ask at any step, answered from the clinic's own data."""

from __future__ import annotations

from bot.domain.scheduling import OpeningHours
from flows.turn import Turn

QUESTION_INTENTS = ("price", "address", "insurances")


def answer(turn: Turn, intent: str) -> None:
    """Say the answer to a price, address or accepted-insurances question."""
    {"price": prices, "address": addresses, "insurances": insurances}[intent](turn)


def prices(turn: Turn) -> None:
    """Each service's price for the patient's insurance (or the one being discussed)."""
    t, clinic_id = turn.texts, turn.clinic.id
    insurance_id = turn.ctx.insurance_id
    insurance = _insurance_name(turn, insurance_id)
    location_id = turn.ctx.location_id
    services = (
        turn.scheduling.services(clinic_id=clinic_id, insurance_id=None, location_id=location_id)
        if location_id
        else _all_services(turn)
    )
    lines = [t("prices_intro")]
    for service in services:
        cents = turn.scheduling.price(
            clinic_id=clinic_id, service_id=service.id, insurance_id=insurance_id
        )
        if cents is None:
            lines.append(t("price_covered", service=service.name, insurance=insurance))
        else:
            lines.append(t("price_line", service=service.name, price=brl(cents)))
    if insurance_id is None:
        lines.append(t("price_hint"))
    turn.lead.append("\n".join(lines))


def addresses(turn: Turn) -> None:
    """The address and opening hours of the unit being discussed, or of every unit."""
    t, clinic_id = turn.texts, turn.clinic.id
    location_id = turn.ctx.location_id
    locations = (
        [turn.scheduling.location(clinic_id=clinic_id, location_id=location_id)]
        if location_id
        else turn.scheduling.locations(clinic_id=clinic_id, insurance_id=None)
    )
    blocks = []
    for location in locations:
        hours = turn.scheduling.opening_hours(clinic_id=clinic_id, location_id=location.id)
        blocks.append(
            t("address_line", location=location.name, address=location.address)
            + "\n"
            + t("hours_line", hours=describe_hours(turn, hours))
        )
    turn.lead.append("\n\n".join(blocks))


def insurances(turn: Turn) -> None:
    """The insurances the clinic accepts, "Particular" last."""
    names = [item.name for item in turn.scheduling.insurances(clinic_id=turn.clinic.id)]
    turn.say("insurances_answer", names=join_names(turn, names))


def describe_hours(turn: Turn, hours: list[OpeningHours]) -> str:
    """ "seg–sex 08:00–18:00; sáb 08:00–12:00": consecutive days with the same hours grouped."""
    t = turn.texts
    if not hours:
        return t("hours_closed")
    runs: list[list[OpeningHours]] = []
    for item in hours:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and previous.weekday + 1 == item.weekday
            and (previous.opens, previous.closes) == (item.opens, item.closes)
        ):
            runs[-1].append(item)
        else:
            runs.append([item])
    parts = []
    for run in runs:
        first, last = t(f"weekday_{run[0].weekday}"), t(f"weekday_{run[-1].weekday}")
        label = first if len(run) == 1 else f"{first}–{last}"
        opens, closes = run[0].opens.strftime("%H:%M"), run[0].closes.strftime("%H:%M")
        parts.append(t("hours_range", days=label, opens=opens, closes=closes))
    return "; ".join(parts)


def brl(cents: int) -> str:
    """An amount the Brazilian way: R$ 1.234,50."""
    whole, fraction = divmod(cents, 100)
    return "R$ " + f"{whole:,}".replace(",", ".") + f",{fraction:02d}"


def join_names(turn: Turn, names: list[str]) -> str:
    """ "A, B e C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {turn.texts('and_word')} " + names[-1]


def _insurance_name(turn: Turn, insurance_id: int | None) -> str:
    if insurance_id is None:
        return ""
    for item in turn.scheduling.insurances(clinic_id=turn.clinic.id):
        if item.id == insurance_id:
            return item.name
    return ""


def _all_services(turn: Turn):
    seen: dict[int, object] = {}
    for location in turn.scheduling.locations(clinic_id=turn.clinic.id, insurance_id=None):
        for service in turn.scheduling.services(
            clinic_id=turn.clinic.id, insurance_id=None, location_id=location.id
        ):
            seen.setdefault(service.id, service)
    return list(seen.values())
