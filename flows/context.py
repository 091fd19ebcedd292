"""A conversation's context: the patient's choices so far, typed, stored as the row's small JSON.

The JSON is the one stored before this class existed: one key per field, a field at its default
left out. Reading it is lenient, because rows outlive releases: a key no field has is dropped
(a context written by an older flow), a missing key is its field's default, and a value that
cannot be read (a malformed time) is the default too.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any

Window = tuple[datetime, datetime]


# Marks a field of the request in progress: `Context.end_flow` resets those together.
FLOW = {"flow": True}


@dataclass(slots=True)
class Context:
    """What the conversation has gathered: the request in progress, and the patient's state."""

    # -- the request in progress (a booking, a change to an appointment) ------------------------
    # "book" or "reschedule"
    mode: str | None = field(default=None, metadata=FLOW)
    insurance_id: int | None = field(default=None, metadata=FLOW)
    location_id: int | None = field(default=None, metadata=FLOW)
    service_id: int | None = field(default=None, metadata=FLOW)
    # The slot held while asking "Confirma?", and its hold.
    slot_id: int | None = field(default=None, metadata=FLOW)
    hold_id: int | None = field(default=None, metadata=FLOW)
    # The slot list: its window ("amanhã de manhã"), a time named (its nearest slots first), page.
    day: Window | None = field(default=None, metadata=FLOW)
    near: datetime | None = field(default=None, metadata=FLOW)
    page: int = field(default=0, metadata=FLOW)
    # A day, and a time, said when asking to book or reschedule ("quero marcar sexta às 16h").
    wish: Window | None = field(default=None, metadata=FLOW)
    wish_at: datetime | None = field(default=None, metadata=FLOW)
    # A new patient's name and CPF.
    name: str | None = field(default=None, metadata=FLOW)
    # A first name alone was given: the surname is asked for once, then it is taken as it is.
    first_name: str | None = field(default=None, metadata=FLOW)
    cpf: str | None = field(default=None, metadata=FLOW)
    # The ids of the states asked so far ("voltar" skips the questions that were not asked).
    asked: list[str] = field(default_factory=list, metadata=FLOW)
    # The appointments listed, and the one being managed.
    appointment_ids: list[int] = field(default_factory=list, metadata=FLOW)
    appointment_id: int | None = field(default=None, metadata=FLOW)
    # A change read from free text before the appointment was picked ("não vou poder ir" with
    # several booked): kept while the patient says which one.
    wanted: str | None = field(default=None, metadata=FLOW)
    # "confirm" or "cancel" read from free text, waiting for a "sim".
    pending_action: str | None = field(default=None, metadata=FLOW)
    # The waiting-list entry whose offered place is being booked.
    waitlist_entry_id: int | None = field(default=None, metadata=FLOW)
    # The options of the last question: what a number or a name picks.
    option_values: list[Any] = field(default_factory=list, metadata=FLOW)
    option_labels: list[str] = field(default_factory=list, metadata=FLOW)

    # -- the conversation: kept from one request to the next ------------------------------------
    misses: int = 0  # answers not understood in a row
    profile_name: str | None = None  # the WhatsApp profile name, offered as the patient's name
    identity_asked: bool = False  # a username-only sender was asked for a phone or CPF
    pending: str | None = None  # what the patient asked for before being identified
    typed_cpf: str | None = None
    typed_phone: str | None = None
    candidate_id: int | None = None  # the record a typed phone or CPF found, before the name

    def end_flow(self) -> None:
        """Forget every choice of the request in progress (every field marked FLOW)."""
        for name, default, factory in _FLOW_DEFAULTS:
            setattr(self, name, factory() if factory is not None else default)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Context:
        """The context stored on a conversation row (any older shape of it)."""
        context = cls()
        for key, value in (data or {}).items():
            decode = _DECODERS.get(key)
            if decode is None or value is None:
                continue  # a key no field has, or a default
            with suppress(TypeError, ValueError):  # unreadable: the field keeps its default
                setattr(context, key, decode(value))
        return context

    def to_json(self) -> dict[str, Any]:
        """The JSON to store: fields at their default are left out."""
        data: dict[str, Any] = {}
        for name, default, factory in _DEFAULTS:
            value = getattr(self, name)
            if value is None or value == (factory() if factory is not None else default):
                continue
            encode = _ENCODERS.get(name)
            data[name] = encode(value) if encode is not None else value
        return data


def _window_of(value: list[str]) -> Window:
    start, end = value
    return datetime.fromisoformat(start), datetime.fromisoformat(end)


def _window_json(window: Window) -> list[str]:
    return [window[0].isoformat(), window[1].isoformat()]


def _as_is(value: Any) -> Any:
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"a list was stored as {type(value).__name__}")
    return list(value)


_DEFAULTS = [
    (f.name, f.default, None if f.default_factory is MISSING else f.default_factory)
    for f in fields(Context)
]
_FLOW_DEFAULTS = [
    item for item, f in zip(_DEFAULTS, fields(Context), strict=True) if f.metadata.get("flow")
]
_DECODERS = {name: _as_is for name, _, _ in _DEFAULTS} | {
    "day": _window_of,
    "wish": _window_of,
    "near": datetime.fromisoformat,
    "wish_at": datetime.fromisoformat,
    "asked": _list,
    "appointment_ids": _list,
    "option_values": _list,
    "option_labels": _list,
}
_ENCODERS = {
    "day": _window_json,
    "wish": _window_json,
    "near": datetime.isoformat,
    "wish_at": datetime.isoformat,
}
