"""handle(): the single way a patient message enters the system, whatever the channel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from bot.brazil.phones import digits_of, mask
from bot.core.clock import Clock
from bot.core.texts import Texts
from bot.domain.clinic.settings import settings_or_default
from bot.messaging import offers
from bot.messaging.channels.base import Inbound, Reply, Transport
from flows.context import Context
from flows.machine import ConversationFlow
from flows.steps import step
from flows.turn import new_turn
from models import Clinic, ClinicNumber, Conversation, Direction, Message

log = logging.getLogger(__name__)
MESSAGES = Message.__table__

# The statements of every turn, built once (building one costs about as much as running it).
_CLINIC_BY_NUMBER = (
    select(Clinic).join(ClinicNumber).where(ClinicNumber.number == bindparam("number")).limit(1)
)
_CONVERSATION = (
    select(Conversation)
    .where(Conversation.clinic_id == bindparam("clinic_id"))
    .where(Conversation.address == bindparam("address"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_MESSAGE_BY_PROVIDER_ID = select(Message.id).where(
    Message.provider == bindparam("provider"), Message.provider_id == bindparam("provider_id")
)
_REPLY_BODIES = (
    select(Message.body).where(Message.reply_to_id == bindparam("message_id")).order_by(Message.id)
)
_INSERT_MESSAGE = MESSAGES.insert().returning(MESSAGES.c.id)


def handle(
    inbound: Inbound, *, session: Session, clock: Clock, transport: Transport | None = None
) -> list[Reply]:
    """Process one inbound message exactly once and return the bot's replies.

    Owns the transaction: everything the turn changes is committed together, or nothing is.
    A message id seen before returns the replies stored the first time and changes nothing.
    """
    clinic = _clinic_for(session, inbound.to_address)
    if clinic is None:
        return _ignore(session, inbound, clock)
    conversation = _lock_conversation(session, clinic, inbound, clock)
    try:
        # The conversation's changes are written once, at commit, not before every query.
        with session.no_autoflush:
            replies, freed = _turn(session, clinic, conversation, inbound, clock)
    except IntegrityError:
        # A redelivery: its message id is stored already (unique), by a delivery that has
        # committed, since it held the conversation's lock. Answer what that one answered.
        session.rollback()
        stored = _stored_replies(session, inbound) or []
        # End the read: an open transaction would keep SQLite's write lock (BEGIN IMMEDIATE).
        session.rollback()
        return stored
    except Exception:
        session.rollback()
        log.exception("turn failed for conversation of %s", mask(inbound.from_address))
        return _fail_safe(session, clinic, inbound, clock)
    session.commit()
    _offer_freed(session, clinic.id, freed, transport, clock)
    return replies


def _offer_freed(
    session: Session, clinic_id: int, slots: list[int], transport: Transport | None, clock: Clock
) -> None:
    """After the turn is committed: offer the places it freed to the waiting list."""
    if not slots or transport is None:
        return
    for slot_id in slots:
        try:
            offers.offer_freed_place(
                session, clinic_id=clinic_id, slot_id=slot_id, transport=transport, clock=clock
            )
        except Exception:
            session.rollback()
            log.exception("waiting-list offers for slot %s failed", slot_id)


def _ignore(session: Session, inbound: Inbound, clock: Clock) -> list[Reply]:
    """A message to a number no clinic answers: keep it (once), answer nothing."""
    log.warning(
        "no clinic answers %s; message from %s ignored",
        mask(inbound.to_address),
        mask(inbound.from_address),
    )
    try:
        _store_inbound(session, inbound, clinic_id=None, conversation_id=None, clock=clock)
        session.commit()
    except IntegrityError:
        session.rollback()  # a redelivery: stored the first time
    return []


def _turn(
    session: Session, clinic: Clinic, conversation: Conversation, inbound: Inbound, clock: Clock
) -> tuple[list[Reply], list[int]]:
    now = clock.now()
    last_word = conversation.last_inbound_at
    message_id = _store_inbound(
        session, inbound, clinic_id=clinic.id, conversation_id=conversation.id, clock=clock
    )
    conversation.last_inbound_at = now
    conversation.updated_at = now
    if inbound.profile_name:
        conversation.profile_name = inbound.profile_name
    if conversation.clinic_address != inbound.to_address:
        conversation.clinic_address = inbound.to_address
    settings = settings_or_default(clinic.settings, clinic_id=clinic.id)
    resumed = conversation.handoff_at is not None
    if resumed:
        if not _handoff_lapsed(session, conversation, settings.handoff_idle_minutes, now):
            return [], []  # an operator owns the conversation: store only
        log.info(
            "conversation %s: no word from staff in %s min; back with the bot",
            conversation.id,
            settings.handoff_idle_minutes,
        )
        conversation.handoff_at = None
    elif _left_unfinished(conversation, last_word, settings.flow_expiry_hours, now):
        log.info(
            "conversation %s: unfinished for over %s h; starting afresh",
            conversation.id,
            settings.flow_expiry_hours,
        )
        _start_afresh(conversation)
    turn = new_turn(session, clinic, conversation, inbound, clock, settings)
    if resumed:
        turn.say("resume")
    step(turn)
    context = turn.ctx.to_json()
    if context != conversation.context:
        conversation.context = context  # a new dict: the JSON column is saved
    replies = turn.outgoing()
    _store_replies(session, replies, inbound, conversation, message_id, clock)
    return replies, turn.freed_slots


def _left_unfinished(
    conversation: Conversation, last_word: datetime | None, hours: int, now: datetime
) -> bool:
    """Was a question left unanswered for more than `hours` (a booking given up on)?"""
    state = ConversationFlow.states_map.get(conversation.state or "")
    if hours == 0 or last_word is None or state is None or state.resting:  # type: ignore[attr-defined]
        return False
    if last_word.tzinfo is None:
        last_word = last_word.replace(tzinfo=UTC)
    return now - last_word > timedelta(hours=hours)


def _start_afresh(conversation: Conversation) -> None:
    """End the request in progress quietly: its choices go, its held place lapses by itself."""
    context = Context.from_json(conversation.context)
    context.end_flow()
    context.misses = 0
    conversation.context = context.to_json()
    conversation.state = ConversationFlow.idle.value


def _handoff_lapsed(
    session: Session, conversation: Conversation, idle_minutes: int, now: datetime
) -> bool:
    """Has the staff been silent for `idle_minutes` since taking the conversation over?"""
    if idle_minutes == 0:
        return False
    last_staff_word = session.exec(
        select(func.max(Message.created_at)).where(
            Message.conversation_id == conversation.id,
            Message.direction == Direction.outbound,
            Message.created_at >= conversation.handoff_at,
        )
    ).one()
    last = max(filter(None, (conversation.handoff_at, last_staff_word)))
    return now - last >= timedelta(minutes=idle_minutes)


def _clinic_for(session: Session, to_address: str) -> Clinic | None:
    number = digits_of(to_address)
    if not number:
        return None
    return session.exec(_CLINIC_BY_NUMBER, params={"number": number}).first()


def _lock_conversation(
    session: Session, clinic: Clinic, inbound: Inbound, clock: Clock
) -> Conversation:
    """Get or create the conversation row and lock it for this turn (PostgreSQL row lock)."""
    key = {"clinic_id": clinic.id, "address": inbound.from_address}
    conversation = session.exec(_CONVERSATION, params=key).first()
    if conversation is not None:
        return conversation
    now = clock.now()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # Two first messages at once: one inserts, the other waits for it and inserts nothing.
    session.exec(
        insert(Conversation)
        .values(
            clinic_id=clinic.id,
            address=inbound.from_address,
            context={},
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["clinic_id", "address"])
    )
    return session.exec(_CONVERSATION, params=key).one()


def _stored_replies(session: Session, inbound: Inbound) -> list[Reply] | None:
    """The replies given the first time this provider message id was handled, if it was."""
    if not inbound.message_id:
        return None
    key = {"provider": inbound.provider, "provider_id": inbound.message_id}
    original = session.exec(_MESSAGE_BY_PROVIDER_ID, params=key).first()
    if original is None:
        return None
    bodies = session.exec(_REPLY_BODIES, params={"message_id": original}).all()
    return [Reply(body) for body in bodies]


def _store_inbound(
    session: Session,
    inbound: Inbound,
    *,
    clinic_id: int | None,
    conversation_id: int | None,
    clock: Clock,
) -> int:
    """Keep the inbound message (its provider id is unique: a redelivery cannot be stored twice)."""
    now = clock.now()
    row = {
        "clinic_id": clinic_id,
        "conversation_id": conversation_id,
        "direction": Direction.inbound,
        "provider": inbound.provider,
        "provider_id": inbound.message_id,
        "kind": inbound.kind,
        "body": (inbound.body or "")[:4096],
        "payload": _payload(inbound),
        "status": "received",
        "created_at": now,
        "updated_at": now,
    }
    # Core, not the ORM: the row is never read back in this turn, only its id.
    return session.execute(_INSERT_MESSAGE, row).scalar_one()


def _payload(inbound: Inbound) -> dict:
    """What is worth keeping of the raw message besides its text."""
    payload: dict = {}
    if inbound.media:
        payload["media"] = [{"url": m.url, "content_type": m.content_type} for m in inbound.media]
    if inbound.button_payload:
        payload["button_payload"] = inbound.button_payload
    if inbound.replied_to_id:
        payload["replied_to_id"] = inbound.replied_to_id
    if inbound.latitude is not None:
        payload["location"] = [inbound.latitude, inbound.longitude]
    return payload


def _store_replies(
    session: Session,
    replies: list[Reply],
    inbound: Inbound,
    conversation: Conversation,
    message_id: int,
    clock: Clock,
) -> None:
    """Keep the replies, linked to the message they answer, in one statement."""
    if not replies:
        return
    now = clock.now()
    rows = [
        {
            "clinic_id": conversation.clinic_id,
            "conversation_id": conversation.id,
            "direction": Direction.outbound,
            "provider": inbound.provider,
            "reply_to_id": message_id,
            "kind": "text",
            "body": reply.render(),
            "payload": {},
            "created_at": now,
            "updated_at": now,
        }
        for reply in replies
    ]
    session.execute(MESSAGES.insert(), rows)


def _fail_safe(session: Session, clinic: Clinic, inbound: Inbound, clock: Clock) -> list[Reply]:
    """After an unexpected error: keep the message, apologise, and leave the state untouched."""
    conversation = _lock_conversation(session, clinic, inbound, clock)
    message_id = _store_inbound(
        session, inbound, clinic_id=clinic.id, conversation_id=conversation.id, clock=clock
    )
    replies = [Reply(Texts(clinic.texts)("error"))]
    _store_replies(session, replies, inbound, conversation, message_id, clock)
    session.commit()
    return replies
