"""The services a turn hands its steps, bound to the turn's session and clock.

Steps never see the session: they reach patients, the waiting list, consent and the
conversation's earlier messages through these, and appointments through `Scheduling`. The engine
builds them for each turn and owns the transaction they write in.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.zones import zone_of
from bot.domain import consent, waitlist
from bot.domain.patients import addresses, lookup
from bot.messaging.channels.base import Inbound
from models import Client, Conversation, Direction, Location, Message, WaitlistEntry


class Zones:
    """The time zone of the unit being discussed, or of the clinic's first unit."""

    __slots__ = ("_clinic_id", "_last", "_session")

    def __init__(self, session: Session, clinic_id: int) -> None:
        self._session, self._clinic_id = session, clinic_id
        self._last: tuple[int | None, ZoneInfo] | None = None

    def of(self, location_id: int | None) -> ZoneInfo:
        """The zone of unit `location_id` (the clinic's first unit for None or another's id)."""
        if self._last is None or self._last[0] != location_id:
            # One row: the unit asked for if it is the clinic's, else the clinic's first.
            key = {"clinic_id": self._clinic_id, "location_id": location_id or 0}
            self._last = (location_id, zone_of(self._session.scalar(_TIMEZONE, key)))
        return self._last[1]


class Patients:
    """Finding, registering and linking the clinic's patients (`bot.domain.patients`)."""

    __slots__ = ("_clock", "_session")

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session, self._clock = session, clock

    def of_conversation(self, conversation: Conversation) -> Client | None:
        """The patient behind a conversation: linked to it, or found (and linked) by address."""
        return addresses.for_conversation(self._session, conversation)

    def get(self, *, clinic_id: int, client_id: int | None) -> Client | None:
        """One of the clinic's patients by id."""
        if client_id is None:
            return None
        return lookup.get(self._session, clinic_id=clinic_id, client_id=client_id)

    def find_by_cpf(self, *, clinic_id: int, cpf: str) -> Client | None:
        """The clinic's patient with this CPF."""
        return addresses.find_by_cpf(self._session, clinic_id=clinic_id, cpf=cpf)

    def find_by_phone(self, *, clinic_id: int, phone: str) -> Client | None:
        """The clinic's patient with this phone, with or without the 9th digit."""
        return addresses.find_by_phone(self._session, clinic_id=clinic_id, phone=phone)

    def register(
        self,
        *,
        clinic_id: int,
        name: str,
        address: str,
        cpf: str | None,
        insurance_id: int | None,
        location_id: int | None,
    ) -> Client:
        """A new patient from the conversation (or the one with the same CPF and name)."""
        return addresses.register(
            self._session,
            clinic_id=clinic_id,
            name=name,
            address=address,
            now=self._clock.now(),
            cpf=cpf,
            insurance_id=insurance_id,
            location_id=location_id,
        )

    def link_address(self, client: Client, address: str) -> None:
        """Remember that `address` (a WhatsApp id, a typed phone) belongs to `client`."""
        addresses.link_address(self._session, client=client, address=address)

    @staticmethod
    def same_person(stored: str, given: str) -> bool:
        """Do two names agree on the first and last word?"""
        return addresses.same_person(stored, given)


class Waitlist:
    """The conversation's side of the waiting list (`bot.domain.waitlist`)."""

    __slots__ = ("_clock", "_session")

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session, self._clock = session, clock

    def join(
        self,
        conversation: Conversation,
        *,
        client_id: int | None,
        location_id: int,
        service_id: int,
        insurance_id: int | None,
        part: str | None,
    ) -> WaitlistEntry:
        """Put the patient of `conversation` on the list."""
        return waitlist.join(
            self._session,
            clinic_id=conversation.clinic_id,
            conversation_id=conversation.id,
            client_id=client_id,
            location_id=location_id,
            service_id=service_id,
            insurance_id=insurance_id,
            part=part,
            now=self._clock.now(),
        )

    def open_offer(self, conversation: Conversation) -> WaitlistEntry | None:
        """The offer this conversation may still answer, if any."""
        return waitlist.open_offer(
            self._session, conversation_id=conversation.id, now=self._clock.now()
        )

    def keep_waiting(self, entry: WaitlistEntry) -> None:
        """The offer was declined or taken by someone else: wait for the next place."""
        waitlist.mark_waiting(self._session, entry)

    def settle(self, entry_id: int | None, *, booked: bool) -> None:
        """After booking an offered place: done when booked, else waiting again."""
        waitlist.settle(self._session, entry_id=entry_id, booked=booked)


class Consent:
    """Opt-outs and opt-ins to proactive messages (`bot.domain.consent`)."""

    __slots__ = ("_clock", "_session")

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session, self._clock = session, clock

    def record(self, conversation: Conversation, *, opted_in: bool) -> None:
        """Store the patient's answer, now."""
        consent.record(
            self._session, conversation=conversation, opted_in=opted_in, now=self._clock.now()
        )


class Messages:
    """What the conversation's earlier messages say: the engine stores them, steps read them."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def appointment_replied_to(self, inbound: Inbound, clinic_id: int) -> int | None:
        """The appointment of the message the patient replied to (a reminder), if any."""
        if not inbound.replied_to_id:
            return None
        key = {
            "provider": inbound.provider,
            "provider_id": inbound.replied_to_id,
            "clinic_id": clinic_id,
        }
        return self._session.scalar(_REPLIED_TO, key)

    def last_appointment_mentioned(self, conversation_id: int) -> int | None:
        """The appointment the bot's last message was about (a reminder), if it was about one."""
        return self._session.scalar(_LAST_OUTBOUND, {"conversation_id": conversation_id})


_TIMEZONE = (
    select(Location.timezone)
    .where(Location.clinic_id == bindparam("clinic_id"))
    .order_by((Location.id == bindparam("location_id")).desc(), Location.id)
    .limit(1)
)
_REPLIED_TO = select(Message.appointment_id).where(
    Message.provider == bindparam("provider"),
    Message.provider_id == bindparam("provider_id"),
    Message.direction == Direction.outbound,
    Message.clinic_id == bindparam("clinic_id"),
)
_LAST_OUTBOUND = (
    select(Message.appointment_id)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.direction == Direction.outbound,
    )
    .order_by(col(Message.id).desc())
    .limit(1)
)
