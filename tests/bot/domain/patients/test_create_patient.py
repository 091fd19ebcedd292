"""One way to create a patient: the chat, the REST API and the demo leave the same rows and the
same client.created event, validated by the one copy of Brazil's rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import NOW, Api
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select
from support import FixedClock

from bot.brazil.phones import phone_key
from bot.demo import fill
from bot.demo.data import INSURANCES, LOCATIONS, PATIENTS
from bot.domain.patients import addresses
from bot.domain.patients.records import RecordError, create_patient
from models import (
    Client,
    ClientPhone,
    Clinic,
    HealthInsurance,
    Location,
    WebhookDelivery,
    WebhookEndpoint,
    new_session,
)

MARIA_CPF = "52998224725"  # the demo's Maria Oliveira


@pytest.fixture
def app(make_app: Callable[[str], Flask], any_database_url: str) -> Flask:
    """The app on a copy of the demo database: a SQLite file, then PostgreSQL."""
    return make_app(any_database_url)


def _clinic(session: Session, slug: str) -> Clinic:
    """A new clinic with a webhook for every event (nothing else yet)."""
    clinic = Clinic(name=slug, slug=slug, settings={"ask_cpf": True})
    session.add(clinic)
    session.flush()
    session.add(
        WebhookEndpoint(
            clinic_id=clinic.id, url=f"https://{slug}.example.com/h", secret="s", created_at=NOW
        )
    )
    session.flush()
    return clinic


def _catalogue(session: Session, clinic: Clinic) -> tuple[dict[str, int], dict[str, int]]:
    """The demo's insurances and units by name, in a clinic of their own."""
    insurances = {
        name: HealthInsurance(clinic_id=clinic.id, name=name, self_pay=self_pay)
        for name, (self_pay, _units, _services) in INSURANCES.items()
    }
    locations = {
        key: Location(clinic_id=clinic.id, name=name, address=address, timezone=zone)
        for key, (name, address, zone) in LOCATIONS.items()
    }
    session.add_all([*insurances.values(), *locations.values()])
    session.flush()
    return (
        {name: row.id for name, row in insurances.items()},
        {key: row.id for key, row in locations.items()},
    )


def _patient(session: Session, clinic_id: int, name: str) -> dict[str, Any]:
    """What a patient left in the database: the record, its phone keys and its events."""
    session.expire_all()
    client = session.exec(
        select(Client).where(Client.clinic_id == clinic_id, Client.name == name)
    ).one()
    phones = session.exec(
        select(ClientPhone.number, ClientPhone.key)
        .where(ClientPhone.client_id == client.id)
        .order_by(col(ClientPhone.id))
    ).all()
    deliveries = session.exec(
        select(WebhookDelivery).where(WebhookDelivery.clinic_id == clinic_id)
    ).all()
    events = [
        (d.event_type, d.payload["created_at"], d.payload["data"])
        for d in deliveries
        if d.payload["data"].get("client", {}).get("id") == str(client.id)
    ]
    insurance = session.get(HealthInsurance, client.health_insurance_id)
    location = session.get(Location, client.location_id)
    fields = client.model_dump(exclude={"id", "clinic_id", "health_insurance_id", "location_id"})
    return {
        "fields": fields,
        "insurance": insurance.name if insurance else None,
        "location": location.name if location else None,
        "phones": [tuple(phone) for phone in phones],
        "events": [
            (kind, at, data | {"client": data["client"] | {"id": "the client"}})
            for kind, at, data in events
        ],
    }


@pytest.mark.parametrize("entry", PATIENTS, ids=lambda entry: entry[0])
def test_the_chat_the_api_and_the_demo_make_the_same_patient(
    app: Flask,
    client: FlaskClient,
    make_key: Callable[..., str],
    clock: FixedClock,
    entry: tuple[Any, ...],
) -> None:
    name, number, cpf, insurance, _professional, unit, _service = entry
    engine = app.extensions["agendai.engine"]
    with new_session(engine) as session:
        by_demo = _clinic(session, "by-demo")
        fill(session, by_demo, today=NOW.date(), now=clock.now())
        by_api, by_chat = _clinic(session, "by-api"), _clinic(session, "by-chat")
        api_insurances, api_units = _catalogue(session, by_api)
        chat_insurances, chat_units = _catalogue(session, by_chat)
        ids = by_demo.id, by_api.id, by_chat.id
        session.commit()

    api = Api(client, make_key(by_api.id))
    body = {"name": name, "phone": number, "cpf": cpf}
    body |= {"healthInsurance": str(api_insurances[insurance]), "location": str(api_units[unit])}
    assert api.post("/api/v1/clients", json=body).status_code == 201

    with new_session(engine) as session:
        addresses.register(
            session,
            clinic_id=by_chat.id,
            name=name,
            address=f"whatsapp:+{number}",
            now=clock.now(),
            cpf=cpf,
            insurance_id=chat_insurances[insurance],
            location_id=chat_units[unit],
        )
        session.commit()

    with new_session(engine) as session:
        demo, from_api, from_chat = (_patient(session, clinic_id, name) for clinic_id in ids)
    assert from_api == demo
    assert from_chat == demo
    assert demo["events"] == [
        ("client.created", clock.now().isoformat(), {"client": {"id": "the client", "name": name}})
    ]
    assert demo["phones"] == [(number, phone_key(number))]
    assert (demo["fields"]["cpf"], demo["insurance"]) == (cpf, insurance)


def _deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))))


def test_a_new_patient_booking_on_whatsapp_queues_client_created_first(patient, session):
    session.add(
        WebhookEndpoint(clinic_id=1, url="https://erp.example.com/h", secret="s", created_at=NOW)
    )
    session.commit()
    p = patient("+5582912345678", "Jhonata")
    reply = p.says("oi")
    for answer in ("1", "Unimed", "Paulista", "Clínica geral", "1", "sim", "Jhonata Santos"):
        reply = p.says(answer)
    assert "CPF" in reply
    assert "Pronto, Jhonata!" in p.says("111.444.777-35")

    jhonata = session.exec(select(Client).where(Client.name == "Jhonata Santos")).one()
    deliveries = _deliveries(session)
    assert [d.event_type for d in deliveries] == ["client.created", "appointment.created"]
    assert deliveries[0].payload["data"] == {
        "client": {"id": str(jhonata.id), "name": "Jhonata Santos"}
    }
    assert deliveries[1].payload["data"]["appointment"]["client_id"] == str(jhonata.id)


def test_the_chat_reuses_the_record_of_the_same_cpf_and_name(app: Flask, clock: FixedClock):
    with new_session(app.extensions["agendai.engine"]) as session:
        maria = session.exec(select(Client).where(Client.cpf == MARIA_CPF)).one()
        found = addresses.register(
            session,
            clinic_id=1,
            name="maria  OLIVEIRA",
            address="whatsapp:+5521987654321",
            now=clock.now(),
            cpf=MARIA_CPF,
        )
        session.commit()
        assert found.id == maria.id
        keys = session.exec(select(ClientPhone.key).where(ClientPhone.client_id == maria.id))
        assert set(keys) == {"5511987654321", "5521987654321"}
        assert _deliveries(session) == []  # nobody was created


def test_a_cpf_typed_under_another_name_makes_a_record_of_its_own(app: Flask, clock: FixedClock):
    """Anyone can type a CPF: the chat keeps it apart (with the CPF); the API refuses it."""
    with new_session(app.extensions["agendai.engine"]) as session:
        maria = session.exec(select(Client).where(Client.cpf == MARIA_CPF)).one()
        other = addresses.register(
            session,
            clinic_id=1,
            name="Paula Souza",
            address="whatsapp:+5521987654321",
            now=clock.now(),
            cpf=MARIA_CPF,
        )
        session.commit()
        assert other.id != maria.id and other.cpf == MARIA_CPF
        with pytest.raises(RecordError) as refused:
            create_patient(
                session=session, clinic_id=1, name="Paula", cpf=MARIA_CPF, now=clock.now()
            )
        assert (refused.value.code, refused.value.field) == ("CONFLICT", "cpf")
        assert refused.value.client_id in {maria.id, other.id}


def test_a_username_sender_is_kept_by_its_id(app: Flask, clock: FixedClock):
    with new_session(app.extensions["agendai.engine"]) as session:
        client = create_patient(
            session=session,
            clinic_id=1,
            name="Ana Lima",
            address="whatsapp:US.13491208655302741918",
            phones=["(85) 99917-1902"],
            now=clock.now(),
        )
        phones = session.exec(
            select(ClientPhone.number, ClientPhone.key)
            .where(ClientPhone.client_id == client.id)
            .order_by(col(ClientPhone.id))
        ).all()
        assert [tuple(p) for p in phones] == [
            ("US.13491208655302741918", "US.13491208655302741918"),
            ("5585999171902", "5585999171902"),
        ]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "  "}, "INVALID_PARAMETER", "name"),
        ({"cpf": "529.982.247-24"}, "INVALID_PARAMETER", "cpf"),
        ({"cpf": "5299.822.47-25"}, "INVALID_PARAMETER", "cpf"),
        ({"cpf": "111.111.111-11"}, "INVALID_PARAMETER", "cpf"),
        ({"phones": ["(23) 98765-4321"]}, "INVALID_PARAMETER", "phone"),
        ({"phones": ["5585999171902", "(11) 88765-4321"]}, "INVALID_PARAMETER", "allPhones"),
        ({"phones": ["+55 11 98765-4321"]}, "CONFLICT", "phone"),  # Maria's
        ({"address": "whatsapp:+551187654321"}, "CONFLICT", "phone"),  # Maria's, without the 9
        ({"cpf": MARIA_CPF}, "CONFLICT", "cpf"),
        ({"health_insurance_id": 99}, "INVALID_PARAMETER", "healthInsurance"),
    ],
)
def test_what_create_patient_refuses(
    app: Flask, clock: FixedClock, fields: dict[str, Any], code: str, field: str
):
    with new_session(app.extensions["agendai.engine"]) as session:
        with pytest.raises(RecordError) as refused:
            create_patient(
                session=session, clinic_id=1, now=clock.now(), **({"name": "Ana"} | fields)
            )
        assert (refused.value.code, refused.value.field) == (code, field)
        session.rollback()
        assert len(session.exec(select(Client).where(Client.clinic_id == 1)).all()) == 2
        assert _deliveries(session) == []
