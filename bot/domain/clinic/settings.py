"""A clinic's flow settings: which steps it uses and its limits, validated with clear errors."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

log = logging.getLogger(__name__)

MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 168  # a week


class SettingsError(ValueError):
    """Invalid clinic settings; the message names every bad field."""


class FlowSettings(BaseModel):
    """What a clinic can switch and tune in its conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ask_cpf: bool = Field(False, description="ask new patients for their CPF before booking")
    hold_minutes: int = Field(10, ge=1, le=60, description="how long a slot is kept while asking")
    slots_per_page: int = Field(6, ge=1, le=10, description="slots offered per message")
    max_misses: int = Field(3, ge=1, le=10, description="misunderstandings before offering a human")
    handoff_idle_minutes: int = Field(
        120,
        ge=0,
        le=7 * 24 * 60,
        description="a conversation handed to staff comes back to the bot after this long with "
        "no message from the staff (0 = only when released)",
    )
    flow_expiry_hours: int = Field(
        12,
        ge=0,
        le=7 * 24,
        description="a booking or change left unfinished this long ends quietly; the patient's "
        "next message starts afresh (0 = never)",
    )
    language: str = Field("pt_BR", pattern=r"^pt_BR$", description="the bot's language")
    reminder_hours: list[int] = Field(
        default_factory=lambda: [24, 2],
        max_length=MAX_REMINDERS,
        description="reminder lead times, in hours (1-168 each); [] sends no reminders",
    )
    reminder_content_sid: str | None = Field(
        None,
        pattern=r"^HX[0-9a-fA-F]{32}$",
        description="the approved WhatsApp template (Twilio Content SID, HX...) reminders use; "
        "without one a reminder is free text, which WhatsApp only delivers within 24 h of the "
        "patient's last message",
    )
    waitlist_content_sid: str | None = Field(
        None,
        pattern=r"^HX[0-9a-fA-F]{32}$",
        description="the approved WhatsApp template waiting-list offers use outside the 24-hour "
        "window (variables: 1 service, 2 date and time, 3 unit)",
    )

    @field_validator("reminder_hours")
    @classmethod
    def _lead_times(cls, hours: list[int]) -> list[int]:
        """Each lead time 1-168 hours, no repeats; kept longest first."""
        if any(not 1 <= value <= MAX_REMINDER_HOURS for value in hours):
            raise ValueError(f"each lead time must be 1 to {MAX_REMINDER_HOURS} hours")
        if len(set(hours)) != len(hours):
            raise ValueError("a lead time is repeated")
        return sorted(hours, reverse=True)


def parse_settings(raw: dict[str, Any] | None) -> FlowSettings:
    """Validate a clinic's raw settings; raise SettingsError naming each bad field."""
    try:
        return FlowSettings.model_validate(raw or {})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or 'settings'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise SettingsError(f"invalid clinic settings: {problems}") from None


def settings_or_default(raw: dict[str, Any] | None, *, clinic_id: int | None) -> FlowSettings:
    """The clinic's settings, or the defaults (logged) when invalid: a turn never fails on them."""
    try:
        return parse_settings(raw)
    except SettingsError as error:
        log.error("clinic=%s %s; using defaults", clinic_id, error)
        return FlowSettings()
