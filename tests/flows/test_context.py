"""flows.context: the conversation's typed context, stored as the same small JSON as before.

OLD is a context exactly as the flow stored it before the context had types (a patient at the
slot list after "quero marcar sexta de manhã"), so rows written then still carry on.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import NOW
from sqlmodel import select

from flows.context import Context
from models import Clinic, Conversation, HealthInsurance, Location, Professional, Service, Slot

SP = ZoneInfo("America/Sao_Paulo")
OLD = {
    "mode": "book",
    "profile_name": "Jhonata",
    "wish": ["2025-12-12T00:00:00-03:00", "2025-12-12T12:00:00-03:00"],
    "wish_at": None,
    "asked": ["insurance", "location", "slot"],
    "option_values": [106, 107, 108],
    "option_labels": ["08:00 · Dra. Ana Souza", "08:30 · Dra. Ana Souza", "09:00 · Dra. Ana Souza"],
    "misses": 1,
    "insurance_id": 3,
    "page": 0,
    "day": ["2025-12-12T00:00:00-03:00", "2025-12-12T12:00:00-03:00"],
    "near": None,
    "location_id": 1,
    "service_id": 1,
}
FRIDAY_MORNING = (datetime(2025, 12, 12, 0, 0, tzinfo=SP), datetime(2025, 12, 12, 12, 0, tzinfo=SP))


def test_a_context_stored_before_the_types_loads_with_its_values_typed():
    ctx = Context.from_json(OLD)
    assert (ctx.mode, ctx.profile_name, ctx.misses) == ("book", "Jhonata", 1)
    assert (ctx.insurance_id, ctx.location_id, ctx.service_id) == (3, 1, 1)
    assert ctx.day == FRIDAY_MORNING and ctx.wish == FRIDAY_MORNING
    assert ctx.near is None and ctx.wish_at is None and ctx.page == 0
    assert ctx.asked == ["insurance", "location", "slot"]
    assert ctx.option_values == [106, 107, 108]
    assert ctx.option_labels[0] == "08:00 · Dra. Ana Souza"


def test_it_is_stored_again_as_the_same_json_without_the_empty_keys():
    stored = Context.from_json(OLD).to_json()
    assert stored == {key: value for key, value in OLD.items() if value not in (None, 0)}
    assert Context.from_json(stored) == Context.from_json(OLD)


def test_unknown_keys_are_dropped_and_missing_keys_are_defaults():
    ctx = Context.from_json({"retired_key": "from an older flow", "location_id": 2})
    assert ctx == Context(location_id=2)
    assert ctx.to_json() == {"location_id": 2}
    assert Context.from_json({}) == Context() == Context.from_json(None)


def test_a_value_that_cannot_be_read_is_the_default():
    ctx = Context.from_json(
        {"near": "not a time", "day": ["2025-12-12T00:00:00-03:00"], "asked": "menu", "page": 2}
    )
    assert (ctx.near, ctx.day, ctx.asked, ctx.page) == (None, None, [], 2)


def test_times_are_stored_as_iso_text():
    moment = datetime(2025, 12, 12, 16, 0, tzinfo=SP)
    ctx = Context(wish=FRIDAY_MORNING, wish_at=moment, near=moment, day=FRIDAY_MORNING)
    stored = ctx.to_json()
    assert stored["wish_at"] == stored["near"] == "2025-12-12T16:00:00-03:00"
    assert stored["day"] == stored["wish"] == OLD["day"]
    assert Context.from_json(stored) == ctx


def test_ending_the_flow_forgets_every_choice_together_and_keeps_the_patients_state():
    ctx = Context.from_json(OLD)
    ctx.identity_asked, ctx.pending, ctx.typed_phone = True, "book", "5511912345678"
    ctx.appointment_ids, ctx.appointment_id, ctx.pending_action = [7, 8], 7, "cancel"
    ctx.end_flow()
    kept = {"misses": 1, "profile_name": "Jhonata", "identity_asked": True, "pending": "book"}
    assert ctx.to_json() == kept | {"typed_phone": "5511912345678"}


def test_ending_the_flow_resets_exactly_the_fields_marked_as_the_flows():
    full = Context(**{f.name: _example(f.type) for f in fields(Context)})
    assert set(full.to_json()) == {f.name for f in fields(Context)}  # none left at a default
    full.end_flow()
    flow = {f.name for f in fields(Context) if f.metadata.get("flow")}
    assert set(full.to_json()) == {f.name for f in fields(Context)} - flow
    assert {"option_values", "location_id", "appointment_id"} <= flow
    assert {"misses", "identity_asked", "profile_name"}.isdisjoint(flow)


def _example(annotation: str) -> object:
    """A value other than the default for a field annotated `annotation` (a string)."""
    kind = annotation.split(" ")[0]
    if kind.startswith("list"):
        return [1]
    return {"Window": FRIDAY_MORNING, "datetime": FRIDAY_MORNING[0], "int": 5, "bool": True}.get(
        kind, "x"
    )


def test_a_conversation_stored_before_the_types_carries_on(patient, session):
    clinic = session.exec(select(Clinic)).one()
    ids = {
        model: session.exec(select(model.id).where(model.name == name)).one()
        for model, name in (
            (HealthInsurance, "Unimed"),
            (Location, "Paulista"),
            (Service, "Clínica geral"),
            (Professional, "Dra. Ana Souza"),
        )
    }
    eight = session.exec(
        select(Slot.id).where(
            Slot.professional_id == ids[Professional],
            Slot.location_id == ids[Location],
            Slot.start == datetime(2025, 12, 12, 8, 0, tzinfo=SP),
        )
    ).one()
    context = OLD | {
        "insurance_id": ids[HealthInsurance],
        "location_id": ids[Location],
        "service_id": ids[Service],
        "option_values": [eight, eight + 1, eight + 2],
        "retired_key": True,  # written by an older flow
    }
    del context["misses"]  # and one it never wrote
    session.add(
        Conversation(
            clinic_id=clinic.id,
            address="whatsapp:+5582912345678",
            state="slot",
            context=context,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.commit()
    reply = patient("+5582912345678", "Jhonata").says("1")
    assert "Confirma o agendamento?" in reply and "sex, 12/12 às 08:00" in reply
    session.expire_all()
    row = session.exec(select(Conversation)).one()
    assert row.state == "confirm_booking"
    assert "retired_key" not in row.context
    assert (row.context["slot_id"], row.context["day"]) == (eight, OLD["day"])
