"""One patient message being handled: its services, the conversation's context, the replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.texts import Texts
from bot.domain.clinic.settings import FlowSettings
from bot.domain.scheduling import Scheduling, scheduling_for
from bot.messaging.channels.base import Inbound, Reply
from flows.context import Context
from flows.services import Consent, Messages, Patients, Waitlist, Zones
from flows.understanding import Understanding, understand
from models import Client, Clinic, Conversation


@dataclass
class Turn:
    """Everything a flow step may use. Steps reach data only through the services
    (`scheduling`, `patients`, `waitlist`, `consent`, `messages`, `zones`), never a session:
    the engine owns the session and the transaction."""

    clinic: Clinic
    conversation: Conversation
    inbound: Inbound
    understanding: Understanding
    # The conversation's context, read from its row; the engine stores it back after the step.
    ctx: Context
    scheduling: Scheduling
    patients: Patients
    waitlist: Waitlist
    consent: Consent
    messages: Messages
    zones: Zones
    clock: Clock
    texts: Texts
    settings: FlowSettings
    # Looked up on first use: most steps never need to know who the patient is.
    _client: Client | object | None = field(default=..., repr=False)
    replies: list[Reply] = field(default_factory=list)
    # Slots that got room in this turn (a cancellation, a reschedule): once the turn is
    # committed, the patients on the waiting list are offered them.
    freed_slots: list[int] = field(default_factory=list)
    # Sentences said before the next question: sent in the same WhatsApp message as it.
    lead: list[str] = field(default_factory=list)

    @property
    def client(self) -> Client | None:
        """The patient behind this conversation, if known (found by their address)."""
        if self._client is ...:
            self._client = self.patients.of_conversation(self.conversation)
        return self._client  # type: ignore[return-value]

    @client.setter
    def client(self, client: Client) -> None:
        self._client = client
        self.conversation.client_id = client.id

    # -- replies ------------------------------------------------------------------------------

    def say(self, key: str, /, **values: object) -> None:
        """Queue a sentence from the catalogue; it goes out with the next question."""
        self.lead.append(self.texts(key, **values))

    def outgoing(self) -> list[Reply]:
        """The messages of this turn: one per question, with what was said before it."""
        if self.lead:
            self.replies.append(Reply("\n\n".join(self.lead)))
            self.lead = []
        return self.replies

    def ask(
        self,
        text: str,
        options: Sequence[tuple[Any, str]] = (),
        *,
        groups: Sequence[str] = (),
        footer: str = "",
    ) -> None:
        """Ask a question with numbered options; remember their values to read the answer."""
        text = "\n\n".join([*self.lead, text])
        self.lead = []
        self.replies.append(
            Reply(text, tuple(label for _, label in options), tuple(groups), footer)
        )
        self.ctx.option_values = [value for value, _ in options]
        self.ctx.option_labels = [label for _, label in options]

    def chosen(self) -> Any | None:
        """The value of the option the patient picked in this message, if any."""
        index = self.understanding.choice
        values = self.ctx.option_values
        if index is None or index >= len(values):
            return None
        return values[index]

    def label(self) -> str:
        """The label of the option picked in this message ("" when none was)."""
        index = self.understanding.choice
        labels = self.ctx.option_labels
        return labels[index] if index is not None and index < len(labels) else ""

    # -- time ---------------------------------------------------------------------------------

    def zone(self) -> ZoneInfo:
        """The zone of the unit being discussed (or the clinic's first unit)."""
        return self.zones.of(self.ctx.location_id)


def new_turn(
    session: Session,
    clinic: Clinic,
    conversation: Conversation,
    inbound: Inbound,
    clock: Clock,
    settings: FlowSettings,
) -> Turn:
    """A turn for one inbound message: its context, understanding and services, bound to the
    engine's session (which steps never see)."""
    ctx = Context.from_json(conversation.context)
    zones = Zones(session, clinic.id)
    return Turn(
        clinic=clinic,
        conversation=conversation,
        inbound=inbound,
        understanding=understand(
            inbound.button_text or inbound.body,
            options=ctx.option_labels,
            now=clock.now(),
            tz=zones.of(ctx.location_id),
        ),
        ctx=ctx,
        scheduling=scheduling_for(session, clinic, clock),
        patients=Patients(session, clock),
        waitlist=Waitlist(session, clock),
        consent=Consent(session, clock),
        messages=Messages(session),
        zones=zones,
        clock=clock,
        texts=Texts(clinic.texts, settings.language),
        settings=settings,
    )
