"""One patient message being handled: its dependencies, the conversation's context, the replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.texts import Texts
from bot.core.zones import zone_of
from bot.domain.clinic.settings import FlowSettings
from bot.domain.patients import addresses as patients
from bot.domain.scheduling import Scheduling
from bot.messaging.channels.base import Inbound, Reply
from flows.understanding import Understanding
from models import Client, Clinic, Conversation, Location


@dataclass
class Turn:
    """Everything a flow step may use. Flows reach data only through `scheduling`."""

    session: Session
    clinic: Clinic
    conversation: Conversation
    inbound: Inbound
    understanding: Understanding
    scheduling: Scheduling
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
    # The zone of the unit in the context when it was last asked for: (location id, zone).
    _zone: tuple[int | None, ZoneInfo] | None = field(default=None, repr=False)

    @property
    def client(self) -> Client | None:
        """The patient behind this conversation, if known (found by their address)."""
        if self._client is ...:
            self._client = patients.for_conversation(self.session, self.conversation)
        return self._client  # type: ignore[return-value]

    @client.setter
    def client(self, client: Client) -> None:
        self._client = client
        self.conversation.client_id = client.id

    # -- context: small JSON of choices so far ------------------------------------------------

    @property
    def ctx(self) -> dict[str, Any]:
        """The conversation's context (read-only view; change it with `remember`/`forget`)."""
        return self.conversation.context

    def remember(self, **values: Any) -> None:
        """Store choices; a new dict is assigned so the JSON column is saved."""
        self.conversation.context = {**self.conversation.context, **values}

    def forget(self, *keys: str) -> None:
        """Drop choices."""
        self.conversation.context = {
            key: value for key, value in self.conversation.context.items() if key not in keys
        }

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
        self.remember(
            option_values=[value for value, _ in options],
            option_labels=[label for _, label in options],
        )

    def chosen(self) -> Any | None:
        """The value of the option the patient picked in this message, if any."""
        index = self.understanding.choice
        values = self.ctx.get("option_values") or []
        if index is None or index >= len(values):
            return None
        return values[index]

    # -- time ---------------------------------------------------------------------------------

    def zone(self) -> ZoneInfo:
        """The zone of the unit being discussed (or the clinic's first unit)."""
        location_id = self.ctx.get("location_id")
        if self._zone is None or self._zone[0] != location_id:
            self._zone = (location_id, zone_for(self.session, self.clinic.id, location_id))
        return self._zone[1]

    def local(self, moment: datetime, location: Location | None = None) -> datetime:
        """A stored UTC moment in a unit's own zone."""
        zone = ZoneInfo(location.timezone) if location else self.zone()
        return moment.astimezone(zone)


def zone_for(session: Session, clinic_id: int, location_id: int | None) -> ZoneInfo:
    """The zone of a unit, or of the clinic's first unit, or São Paulo."""
    # One row: the unit asked for if it is the clinic's, else the clinic's first.
    timezone = session.scalar(_TIMEZONE, {"clinic_id": clinic_id, "location_id": location_id or 0})
    return zone_of(timezone)


_TIMEZONE = (
    select(Location.timezone)
    .where(Location.clinic_id == bindparam("clinic_id"))
    .order_by((Location.id == bindparam("location_id")).desc(), Location.id)
    .limit(1)
)
