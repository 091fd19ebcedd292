"""Conversations with patients and their transcripts (read-only: the console is where staff act)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from bot.api import auth, formats
from bot.api.common import (
    IdPath,
    Page,
    api_blueprint,
    ident,
    iso,
    one,
    page_meta,
    parse_id,
)
from bot.api.conversations.schemas import (
    ConversationEnvelope,
    ConversationList,
    ConversationOut,
    MessageList,
    MessageOut,
)
from bot.api.errors import not_found
from bot.api.params import reference
from bot.core.zones import zone_of
from bot.web.db import db
from models import Client, Conversation, Direction, Location, Message

api = api_blueprint(
    "conversations",
    __name__,
    url_prefix="/api/v1/conversations",
    tag="Conversations",
    description="The bot's WhatsApp conversations and their transcripts (read-only).",
)


def _moment(value: Any) -> Any:
    """YYYY-MM-DD (a whole day in the clinic's zone) or an ISO 8601 date-time."""
    if value is None or value == "" or isinstance(value, date):
        return value or None
    text = str(value).strip()
    try:
        parsed: date = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "date_parsing", "use YYYY-MM-DD or an ISO 8601 date-time"
        ) from None
    if not 1900 <= parsed.year <= 2200:
        raise PydanticCustomError("date_parsing", "the year must be between 1900 and 2200")
    return parsed


Moment = Annotated[datetime | date | None, BeforeValidator(_moment)]
_MOMENT = "YYYY-MM-DD (a whole day in the clinic's time zone) or an ISO 8601 date-time"


class ConversationQuery(Page):
    state: str | None = Field(None, max_length=100, description="The flow step, e.g. ask_time")
    handoff: bool | None = Field(
        None, description="true: a human has the conversation now; false: the bot has it"
    )
    client_id: str | None = Field(None, max_length=20)
    updated_from: Moment = Field(None, description=_MOMENT)
    updated_to: Moment = Field(None, description=_MOMENT)
    last_inbound_from: Moment = Field(None, description=_MOMENT)
    last_inbound_to: Moment = Field(None, description=_MOMENT)


class MessageQuery(Page):
    direction: Literal["inbound", "outbound"] | None = None


def public(conversation: Conversation, message_count: int) -> dict[str, Any]:
    """A conversation as integrators see it (not the flow's private context)."""
    return ConversationOut(
        id=str(conversation.id),
        address=conversation.address,
        clinic_address=conversation.clinic_address,
        client_id=ident(conversation.client_id),
        profile_name=conversation.profile_name,
        state=conversation.state,
        handoff=conversation.handoff_at is not None,
        handoff_at=iso(conversation.handoff_at),
        opted_out_at=iso(conversation.opted_out_at),
        last_inbound_at=iso(conversation.last_inbound_at),
        message_count=message_count,
        created_at=iso(conversation.created_at) or "",
        updated_at=iso(conversation.updated_at) or "",
    ).model_dump()


def message_public(message: Message) -> dict[str, Any]:
    """One line of a transcript."""
    return MessageOut(
        id=str(message.id),
        direction=str(message.direction),  # type: ignore[arg-type]
        kind=message.kind,
        body=message.body,
        status=message.status,
        error_code=message.error_code,
        appointment_id=ident(message.appointment_id),
        created_at=iso(message.created_at) or "",
        updated_at=iso(message.updated_at) or "",
    ).model_dump()


def clinic_zone(session: Session, clinic_id: int) -> ZoneInfo:
    """The zone dates are read in: the clinic's first unit's."""
    name = session.exec(
        select(Location.timezone)
        .where(Location.clinic_id == clinic_id)
        .order_by(col(Location.active).desc(), col(Location.id))
    ).first()
    return zone_of(name)


def _bound(value: date | datetime, zone: ZoneInfo, *, end: bool) -> datetime:
    """A filter bound as a UTC moment; a date's end is the start of the next day."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
    else:
        moment = datetime.combine(value + timedelta(days=1) if end else value, time(), zone)
    return moment.astimezone(UTC)


def _range(column: Any, low: Moment, high: Moment, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if low is not None:
        where.append(column >= _bound(low, zone, end=False))
    if high is not None:
        bound = _bound(high, zone, end=True)
        # A date's end is exclusive (next midnight); an explicit moment is included.
        where.append(column < bound if not isinstance(high, datetime) else column <= bound)
    return where


def _filters(session: Session, clinic_id: int, query: ConversationQuery) -> list[Any]:
    where: list[Any] = [Conversation.clinic_id == clinic_id]
    if query.state:
        where.append(Conversation.state == query.state)
    if query.handoff is not None:
        handoff = col(Conversation.handoff_at)
        where.append(handoff.is_not(None) if query.handoff else handoff.is_(None))
    client = reference(session, Client, query.client_id, field="client_id", clinic_id=clinic_id)
    if client is not None:  # another clinic's or a missing client is a 400, as in bodies
        where.append(Conversation.client_id == client.id)
    zone = clinic_zone(session, clinic_id)
    where += _range(col(Conversation.updated_at), query.updated_from, query.updated_to, zone)
    where += _range(
        col(Conversation.last_inbound_at), query.last_inbound_from, query.last_inbound_to, zone
    )
    return where


def _message_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(Message.conversation_id, func.count())
        .where(col(Message.conversation_id).in_(ids))
        .group_by(col(Message.conversation_id))
    ).all()
    return {conversation_id: count for conversation_id, count in rows if conversation_id}


def _conversation(session: Session, raw_id: str) -> Conversation:
    conversation = session.get(Conversation, parse_id(raw_id, "conversation"))
    if conversation is None or conversation.clinic_id != auth.clinic_id():
        raise not_found("conversation")
    return conversation


@api.get("", responses={200: ConversationList})
def list_conversations(query: ConversationQuery):
    """Conversations, most recently active first; filter by state, handoff, client and dates."""
    session = db()
    where = _filters(session, auth.clinic_id(), query)
    total = session.exec(select(func.count()).select_from(Conversation).where(*where)).one()
    rows = session.exec(
        select(Conversation)
        .where(*where)
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    counts = _message_counts(session, [r.id for r in rows if r.id is not None])
    return formats.listing(
        [public(r, counts.get(r.id or 0, 0)) for r in rows],
        meta=page_meta(query, total),
        name="conversation",
    )


@api.get("/<id>", responses={200: ConversationEnvelope})
def get_conversation(path: IdPath):
    """One conversation: state, patient address, client, last inbound, handoff and opt-out."""
    session = db()
    conversation = _conversation(session, path.id)
    counts = _message_counts(session, [conversation.id or 0])
    return one(public(conversation, counts.get(conversation.id or 0, 0)))


@api.get("/<id>/messages", responses={200: MessageList})
def list_messages(path: IdPath, query: MessageQuery):
    """The transcript, oldest first: direction, text, delivery status, times."""
    session = db()
    conversation = _conversation(session, path.id)
    where: list[Any] = [Message.conversation_id == conversation.id]
    if query.direction:
        where.append(Message.direction == Direction(query.direction))
    total = session.exec(select(func.count()).select_from(Message).where(*where)).one()
    rows = session.exec(
        select(Message)
        .where(*where)
        .order_by(col(Message.created_at), col(Message.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return formats.listing(
        [message_public(m) for m in rows], meta=page_meta(query, total), name="message"
    )
