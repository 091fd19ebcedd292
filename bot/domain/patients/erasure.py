"""Erasing a patient's personal data (LGPD) while the clinic keeps its appointment records.

What goes: the client's name (a neutral placeholder stays), CPF, e-mail, birthday, photo,
external id, notes about them, every phone number, and the text of their conversations (message
bodies and payloads, the WhatsApp address, profile name and flow context). Copies of those values
go too: in audit rows of the client and of their appointments, in queued client events, and in
the answers kept for `Idempotency-Key` retries. What stays: the client row and its id,
appointments with their statuses, times and history, and the message rows themselves (counts,
times, directions, statuses), so the clinic's figures still add up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from bot.brazil.phones import digits_of, phone_key, shared_tail
from models import (
    ApiKey,
    Appointment,
    AuditEvent,
    Client,
    ClientPhone,
    Conversation,
    IdempotencyRecord,
    Message,
    WaitlistEntry,
    WaitlistStatus,
    WebhookDelivery,
)

PLACEHOLDER_NAME = "Paciente anonimizado"
# Keys of a client as the API shows it (and audit rows store it) that hold personal data.
PERSONAL_KEYS = (
    "description",
    "phone",
    "allPhones",
    "cpf",
    "image",
    "email",
    "birthday",
    "externalId",
)


def erase(*, session: Session, client: Client, now: datetime) -> bool:
    """Anonymise `client` and their conversations; False when it was already erased."""
    if client.erased_at is not None:
        return False
    phones = session.exec(select(ClientPhone).where(ClientPhone.client_id == client.id)).all()
    keys = {phone.key for phone in phones}
    for phone in phones:
        session.delete(phone)
    client.name = PLACEHOLDER_NAME
    client.cpf = client.email = client.birthday = client.image = None
    client.external_id = client.description = None
    client.erased_at = client.updated_at = now
    session.add(client)
    conversations = _conversations_of(session, client, keys)
    _blank_conversations(session, conversations, now=now)
    _drop_waitlist(session, client, [c.id for c in conversations if c.id is not None])
    _redact_audit(session, client)
    _redact_events(session, client)
    _redact_kept_answers(session, client)
    session.flush()
    return True


def redact(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """A client dict (as audited) without its personal values."""
    if record is None:
        return None
    cleaned = dict(record)
    if "name" in cleaned:
        cleaned["name"] = PLACEHOLDER_NAME
    for key in PERSONAL_KEYS:
        if key in cleaned:
            cleaned[key] = [] if key == "allPhones" else None
    return cleaned


def scrub(value: Any, client_id: int) -> Any:
    """Decoded JSON with the client's personal values replaced wherever it shows them.

    That is the client object (API or Clinia shape: it has a `cpf` key) and an appointment's
    `client_name`.
    """
    if isinstance(value, list):
        return [scrub(item, client_id) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned = {key: scrub(item, client_id) for key, item in value.items()}
    if "cpf" in cleaned and str(cleaned.get("id")) == str(client_id):
        cleaned = redact(cleaned) or {}
    if "client_name" in cleaned and str(cleaned.get("client_id")) == str(client_id):
        cleaned["client_name"] = PLACEHOLDER_NAME
    return cleaned


def _conversations_of(session: Session, client: Client, keys: set[str]) -> list[Conversation]:
    """Conversations linked to the client, and unlinked ones from one of the client's numbers."""
    linked = session.exec(
        select(Conversation).where(
            Conversation.clinic_id == client.clinic_id, Conversation.client_id == client.id
        )
    ).all()
    found = {conversation.id: conversation for conversation in linked}
    for suffix in {tail for key in keys if (tail := shared_tail(key))}:
        candidates = session.exec(
            select(Conversation).where(
                Conversation.clinic_id == client.clinic_id,
                col(Conversation.client_id).is_(None),
                col(Conversation.address).endswith(suffix),
            )
        ).all()
        for conversation in candidates:
            if digits_of(conversation.address) and phone_key(conversation.address) in keys:
                found[conversation.id] = conversation
    return list(found.values())


def _blank_conversations(
    session: Session, conversations: Iterable[Conversation], *, now: datetime
) -> None:
    for conversation in conversations:
        # The address is unique per clinic: keep it unique, but meaningless.
        conversation.address = f"erased:{conversation.id}"
        conversation.clinic_address = None
        conversation.profile_name = None
        conversation.context = {}
        conversation.state = None
        conversation.handoff_at = None
        conversation.opted_out_at = conversation.opted_out_at or now
        conversation.updated_at = now
        session.add(conversation)
        messages = session.exec(
            select(Message).where(Message.conversation_id == conversation.id)
        ).all()
        for message in messages:
            message.body = ""
            message.payload = {}
            session.add(message)


def _drop_waitlist(session: Session, client: Client, conversation_ids: list[int]) -> None:
    """Waiting wishes of the client end: nobody can be told a place opened up."""
    owner = col(WaitlistEntry.client_id) == client.id
    if conversation_ids:
        owner = owner | col(WaitlistEntry.conversation_id).in_(conversation_ids)
    entries = session.exec(
        select(WaitlistEntry).where(
            WaitlistEntry.clinic_id == client.clinic_id,
            WaitlistEntry.status == WaitlistStatus.waiting,
            owner,
        )
    ).all()
    for entry in entries:
        entry.status = WaitlistStatus.removed
        session.add(entry)


def _redact_audit(session: Session, client: Client) -> None:
    """Audit rows of the client, and of their appointments (which show the client's name)."""
    appointment_ids = session.exec(
        select(Appointment.id).where(Appointment.client_id == client.id)
    ).all()
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.clinic_id == client.clinic_id,
            or_(
                (col(AuditEvent.resource) == "client")
                & (col(AuditEvent.resource_id) == str(client.id)),
                (col(AuditEvent.resource) == "appointment")
                & col(AuditEvent.resource_id).in_([str(i) for i in appointment_ids]),
            ),
        )
    ).all()
    for event in events:
        if event.resource == "client":
            event.before, event.after = redact(event.before), redact(event.after)
        else:
            event.before, event.after = (
                scrub(event.before, client.id),
                scrub(event.after, client.id),
            )
        session.add(event)


def _redact_events(session: Session, client: Client) -> None:
    """Queued or logged `client.created` events carry the name: replace it."""
    deliveries = session.exec(
        select(WebhookDelivery).where(
            WebhookDelivery.clinic_id == client.clinic_id,
            WebhookDelivery.event_type == "client.created",
        )
    ).all()
    for delivery in deliveries:
        data = (delivery.payload.get("data") or {}).get("client") or {}
        if data.get("id") == str(client.id):
            payload = dict(delivery.payload)
            payload["data"] = {"client": redact(data)}
            delivery.payload = payload
            session.add(delivery)


def _redact_kept_answers(session: Session, client: Client) -> None:
    """Answers kept for `Idempotency-Key` retries (24 h) by the clinic's keys and admin keys."""
    keys = select(ApiKey.id).where(
        or_(ApiKey.clinic_id == client.clinic_id, col(ApiKey.clinic_id).is_(None))
    )
    records = session.exec(
        select(IdempotencyRecord).where(col(IdempotencyRecord.api_key_id).in_(keys))
    ).all()
    for record in records:
        try:
            answer = json.loads(record.body)
        except ValueError:
            continue  # in progress (no answer yet), or not JSON
        cleaned = scrub(answer, client.id)
        if cleaned != answer:
            record.body = json.dumps(cleaned, separators=(",", ":"))
            session.add(record)
