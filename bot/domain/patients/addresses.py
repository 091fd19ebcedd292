"""Finding and registering patients by the addresses they write from."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, col, select

from bot.brazil.phones import lookup_keys, number_of, phone_key
from bot.core.folding import normalize
from bot.domain.patients.records import create_patient
from models import Client, ClientPhone, Conversation

log = logging.getLogger(__name__)


def find_by_address(session: Session, *, clinic_id: int, address: str) -> Client | None:
    """The clinic's patient behind a WhatsApp address, with or without Brazil's 9th digit."""
    query = (
        select(Client)
        .join(ClientPhone, col(ClientPhone.client_id) == col(Client.id))
        .where(ClientPhone.clinic_id == clinic_id, col(ClientPhone.key).in_(lookup_keys(address)))
    )
    return session.exec(query).first()


def for_conversation(session: Session, conversation: Conversation) -> Client | None:
    """The patient of a conversation: the one linked to it, or found (and linked) by address."""
    if conversation.client_id is not None:
        return session.get(Client, conversation.client_id)
    client = find_by_address(
        session, clinic_id=conversation.clinic_id, address=conversation.address
    )
    if client is not None:
        conversation.client_id = client.id
    return client


def find_by_phone(session: Session, *, clinic_id: int, phone: str) -> Client | None:
    """The clinic's patient with this phone number (digits), with or without the 9th digit."""
    return find_by_address(session, clinic_id=clinic_id, address=phone)


def find_by_cpf(session: Session, *, clinic_id: int, cpf: str) -> Client | None:
    """The clinic's patient with this CPF (11 digits)."""
    return session.exec(
        select(Client).where(Client.clinic_id == clinic_id, Client.cpf == cpf)
    ).first()


def link_address(session: Session, *, client: Client, address: str) -> None:
    """Remember that `address` belongs to `client` (no-op when it already does)."""
    key = phone_key(address)
    exists = session.exec(
        select(ClientPhone.id).where(
            ClientPhone.clinic_id == client.clinic_id, ClientPhone.key == key
        )
    ).first()
    if exists is None:
        number = number_of(address)
        session.add(
            ClientPhone(clinic_id=client.clinic_id, client_id=client.id, number=number, key=key)
        )
        session.flush()


def register(
    session: Session,
    *,
    clinic_id: int,
    name: str,
    address: str,
    now: datetime,
    cpf: str | None = None,
    insurance_id: int | None = None,
    location_id: int | None = None,
) -> Client:
    """Create a patient from a conversation, or reuse the one with the same CPF and name.

    A CPF alone never links a new number to an existing record: anyone can type a CPF, and the
    record's appointments and name would be shown to them. The new record keeps the CPF it was
    given, so the clinic sees both records under it.
    """
    client = find_by_cpf(session, clinic_id=clinic_id, cpf=cpf) if cpf else None
    if client is not None and not same_person(client.name, name):
        log.warning(
            "client %s: CPF given from another number with another name; kept apart", client.id
        )
        client = None
    if client is None:
        return create_patient(
            session=session,
            clinic_id=clinic_id,
            name=name,
            address=address,
            cpf=cpf,
            health_insurance_id=insurance_id,
            location_id=location_id,
            now=now,
            shared_cpf=True,
        )
    link_address(session, client=client, address=address)
    return client


def same_person(stored: str, given: str) -> bool:
    """Do two names agree on the first and last word (accents and case aside)?"""
    a, b = normalize(stored).split(), normalize(given).split()
    return bool(a and b) and a[0] == b[0] and a[-1] == b[-1]
