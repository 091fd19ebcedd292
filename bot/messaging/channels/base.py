"""What every channel turns a provider's message into, and what the engine answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One patient message, provider-neutral.

    `kind` is one of: text, button, image, audio, video, document, sticker, location, contacts,
    unknown. `body` is None when the provider sent no text at all (e.g. a voice note).
    """

    provider: str  # "twilio", "chat"
    message_id: str | None  # the provider's id (MessageSid); None only for local channels
    # Exactly as received, e.g. "whatsapp:+558282136275" or "whatsapp:US.1349..." (a username):
    # replies go here, and it carries the same id as Twilio's WaId, so that is not kept twice.
    from_address: str
    to_address: str  # the clinic's address, e.g. "whatsapp:+14155238886"
    body: str | None
    kind: str = "text"
    profile_name: str | None = None
    media: tuple[Media, ...] = ()
    button_payload: str | None = None
    button_text: str | None = None
    replied_to_id: str | None = None  # OriginalRepliedMessageSid
    latitude: float | None = None
    longitude: float | None = None
    raw: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the bot sends: text (WhatsApp markup: *bold*), then optional numbered options.

    `groups`, when given, holds one heading per option (e.g. the day of a time slot); a heading
    is printed where it changes, so options stay numbered 1..n across groups.
    """

    text: str
    options: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    footer: str = ""

    def render(self) -> str:
        """The message as WhatsApp shows it: the text, "1 - option" lines, then the footer."""
        parts = [self.text]
        if self.options:
            lines: list[str] = []
            heading = None
            for number, option in enumerate(self.options, start=1):
                group = self.groups[number - 1] if number <= len(self.groups) else None
                if group and group != heading:
                    lines.append(f"*{group}*")
                    heading = group
                lines.append(f"{number} - {option}")
            parts.append("\n".join(lines))
        if self.footer:
            parts.append(self.footer)
        return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery status callback for an outbound message."""

    provider: str
    message_id: str
    status: str
    error_code: str | None = None
    error_message: str | None = None


# -- sending: what a transport takes and answers ----------------------------------------------

# Twilio errors that fail the same way however often they are retried.
PERMANENT_CODES = frozenset({"63016", "21610"})  # outside the 24 h window; patient unsubscribed
# Failures reported by status callbacks that may pass on a second try (30008: unknown error).
RETRYABLE_CODES = frozenset({"20429", "20500", "20503", "30001", "30008"})


@dataclass
class OutboundRequest:
    """One message to hand to a transport: text, or a Content template with its variables."""

    from_address: str
    to_address: str
    body: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None


@dataclass
class SendResult:
    """What the provider answered: its id for the message and the first status."""

    provider_id: str
    status: str


class SendError(Exception):
    """The provider refused or could not be reached; `retryable` says if trying later may help."""

    def __init__(self, message: str, *, code: str | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.message_id: int | None = None  # the stored (failed) Message, set by send()


class Transport(Protocol):
    name: str

    def send(self, request: OutboundRequest) -> SendResult:
        """Hand the message to the provider, or raise SendError."""
        ...


class OutboxTransport:
    """Sends nothing: the stored Message is the outbox (development, tests, the terminal)."""

    name = "outbox"

    def send(self, request: OutboundRequest) -> SendResult:
        """Accept the message without sending it anywhere."""
        return SendResult(provider_id="outbox-" + uuid.uuid4().hex, status="queued")
