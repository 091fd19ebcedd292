"""/api/v1/clients: LGPD erasure, and isolation between clinics on every client endpoint."""

from __future__ import annotations

import json

from client_helpers import BASE, id_of, names, new
from conftest import Api
from sqlmodel import Session, func, select

from models import (
    Appointment,
    AuditEvent,
    Client,
    ClientPhone,
    Conversation,
    IdempotencyRecord,
    Message,
    WebhookDelivery,
    WebhookEndpoint,
)


def test_erase_removes_personal_data_and_keeps_the_appointments(
    api: Api, session: Session, patient, clock
):
    joao_id = id_of(api, "João Pereira")
    chat = patient("+5582982136275", "João")  # João, writing with the 9th digit
    assert "João" in chat.says("oi")
    chat.says("1")
    session.add(
        WebhookEndpoint(
            clinic_id=1, url="https://erp.example.com/h", secret="s" * 32, created_at=clock.now()
        )
    )
    session.commit()
    api.patch(
        f"{BASE}/{joao_id}",
        json={
            "cpf": "11144477735",
            "email": "joao@example.com",
            "birthday": "1970-05-05",
            "externalId": "ERP-9",
        },
    )
    session.expire_all()
    conversation = session.exec(
        select(Conversation).where(Conversation.client_id == int(joao_id))
    ).one()
    messages_before = session.exec(
        select(func.count()).select_from(Message).where(Message.conversation_id == conversation.id)
    ).one()
    assert messages_before >= 4
    appointments = session.exec(
        select(Appointment).where(Appointment.client_id == int(joao_id))
    ).all()
    kept = [(a.id, a.status, a.start, a.end, a.slot_id) for a in appointments]
    assert kept

    clock.advance(hours=1)
    response = api.post(f"{BASE}/{joao_id}/erase")
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["id"] == joao_id and data["name"] == "Paciente anonimizado"
    assert all(
        data[key] in (None, [])
        for key in (
            "phone",
            "allPhones",
            "cpf",
            "email",
            "birthday",
            "externalId",
            "image",
            "description",
        )
    )
    assert data["erasedAt"] is not None and data["appointmentsCount"] == len(kept)

    session.expire_all()
    stored = session.get(Client, int(joao_id))
    assert (stored.cpf, stored.email, stored.birthday, stored.external_id) == (None,) * 4
    assert session.exec(select(ClientPhone).where(ClientPhone.client_id == stored.id)).all() == []
    after = session.exec(select(Appointment).where(Appointment.client_id == int(joao_id))).all()
    assert [(a.id, a.status, a.start, a.end, a.slot_id) for a in after] == kept
    conversation = session.get(Conversation, conversation.id)
    assert "8213" not in conversation.address and conversation.profile_name is None
    assert conversation.context == {}
    messages = session.exec(select(Message).where(Message.conversation_id == conversation.id)).all()
    assert len(messages) == messages_before
    assert all(m.body == "" and m.payload == {} for m in messages)

    # No copy of the personal data stays in the audit trail.
    for event in session.exec(select(AuditEvent).where(AuditEvent.resource_id == joao_id)):
        for record in (event.before, event.after):
            text = json.dumps(record or {})
            assert "1970-05-05" not in text and "joao@example.com" not in text, event.action
            assert "João" not in text and "558282136275" not in text, event.action

    # Found by nothing any more; listed nowhere; still readable by id for the appointments.
    for query in (
        "phone=558282136275",
        "phone=5582982136275",
        "cpf=11144477735",
        "email=joao@example.com",
        "external_id=ERP-9",
        "search=pereira",
    ):
        assert names(api.get(f"{BASE}?{query}")) == [], query
    for term in ("558282136275", "111.444.777-35", "joao@example.com", "Paciente anonimizado"):
        assert names(api.get(f"{BASE}/search", query_string={"term": term})) == [], term
    assert api.get("/clients/search?term=5582982136275").json == []
    assert names(api.get(BASE)) == ["Maria Oliveira"]

    # Writing again, he is a stranger to the bot: a new conversation, not greeted by name.
    assert "João" not in chat.says("oi")
    session.expire_all()
    assert session.get(Conversation, conversation.id).address.startswith("erased:")


def test_erasing_twice_is_harmless_and_audited_once(api: Api, session: Session):
    maria = id_of(api, "Maria Oliveira")
    first = api.post(f"{BASE}/{maria}/erase")
    second = api.post(f"{BASE}/{maria}/erase")
    assert first.status_code == second.status_code == 200
    assert first.json == second.json
    session.expire_all()
    erases = session.exec(
        select(AuditEvent).where(
            AuditEvent.resource_id == maria, AuditEvent.action == "client.erase"
        )
    ).all()
    assert len(erases) == 1 and erases[0].before is None
    assert erases[0].after["name"] == "Paciente anonimizado"


def test_an_erased_client_cannot_be_filled_again_and_frees_its_number_and_cpf(api: Api):
    maria = id_of(api, "Maria Oliveira")
    api.post(f"{BASE}/{maria}/erase")
    refused = api.patch(f"{BASE}/{maria}", json={"name": "Maria Oliveira"})
    assert refused.status_code == 409 and refused.json["code"] == "CONFLICT"
    again = api.post(
        BASE, json={"name": "Maria O.", "phone": "5511987654321", "cpf": "52998224725"}
    )
    assert again.status_code == 201 and again.json["data"]["id"] != maria


def test_erase_blanks_a_conversation_not_yet_linked_to_the_client(
    api: Api, session: Session, clock
):
    """A conversation from one of the client's numbers that was never linked is theirs too."""
    ana = new(api, phone="5531993209107")
    now = clock.now()
    stray = Conversation(
        clinic_id=1,
        address="whatsapp:+553193209107",
        profile_name="Ana",
        created_at=now,
        updated_at=now,
    )
    other = Conversation(
        clinic_id=1, address="whatsapp:+5531893209107", created_at=now, updated_at=now
    )  # same last 8 digits, another number
    session.add_all([stray, other])
    session.commit()
    session.add(
        Message(
            clinic_id=1,
            conversation_id=stray.id,
            direction="inbound",
            provider="twilio",
            body="meu cpf é 111.444.777-35",
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()
    api.post(f"{BASE}/{ana['id']}/erase")
    session.expire_all()
    assert session.get(Conversation, stray.id).address == f"erased:{stray.id}"
    assert session.get(Conversation, other.id).address == "whatsapp:+5531893209107"
    assert session.exec(select(Message.body).where(Message.conversation_id == stray.id)).one() == ""


def test_erase_redacts_the_queued_client_created_event(api: Api, session: Session, clock):
    session.add(
        WebhookEndpoint(
            clinic_id=1, url="https://erp.example.com/h", secret="s" * 32, created_at=clock.now()
        )
    )
    session.commit()
    ana = new(api)
    api.post(f"{BASE}/{ana['id']}/erase")
    session.expire_all()
    event = session.exec(select(WebhookDelivery)).one()
    assert event.payload["data"]["client"] == {"id": ana["id"], "name": "Paciente anonimizado"}


# -- isolation ----------------------------------------------------------------------------------


def test_another_clinics_key_gets_404_for_every_client_endpoint(api: Api, other_api: Api):
    maria = id_of(api, "Maria Oliveira")
    calls = [
        ("GET", f"{BASE}/{maria}", None),
        ("PATCH", f"{BASE}/{maria}", {"name": "Invasora"}),
        ("POST", f"{BASE}/{maria}/erase", None),
        ("GET", f"/clients/{maria}", None),
        ("PATCH", f"/clients/{maria}", {"name": "Invasora"}),
    ]
    for method, path, body in calls:
        response = other_api.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json["code"] == "RESOURCE_NOT_FOUND"
    assert api.get(f"{BASE}/{maria}").json["data"]["name"] == "Maria Oliveira"
    assert api.get(f"{BASE}/{maria}").json["data"]["erasedAt"] is None
    theirs = other_api.get(f"{BASE}?cpf=52998224725").json["data"]
    assert len(theirs) == 1 and theirs[0]["id"] != maria  # their own Maria, never ours
    assert maria not in {
        c["id"] for c in other_api.get(f"{BASE}/search?term=52998224725").json["data"]
    }


def test_a_phone_of_another_clinics_client_is_free_here(api: Api, other_api: Api):
    theirs = other_api.post(BASE, json={"name": "Ana", "phone": "5585999171902"})
    ours = api.post(BASE, json={"name": "Ana", "phone": "5585999171902"})
    assert theirs.status_code == ours.status_code == 201
    assert theirs.json["data"]["id"] != ours.json["data"]["id"]


def test_erase_reaches_kept_retry_answers_and_the_audit_of_appointments(api: Api, session: Session):
    cpf = "11144477735"
    created = api.post(
        BASE,
        json={"name": "Ana Lima", "phone": "5585999171902", "cpf": cpf},
        headers={"Idempotency-Key": "ana-1"},
    )
    assert created.status_code == 201
    ana = created.json["data"]["id"]
    joao = id_of(api, "João Pereira")
    appointment = session.exec(
        select(Appointment.id).where(Appointment.client_id == int(joao))
    ).first()
    confirm = f"/api/v1/appointments/{appointment}/confirm"
    confirmed = api.post(confirm, headers={"Idempotency-Key": "joao-1"})
    assert confirmed.json["data"]["client_name"] == "João Pereira"

    for client_id in (ana, joao):
        assert api.post(f"{BASE}/{client_id}/erase").status_code == 200

    # A retry gets the first answer again, without the personal data.
    replayed = api.post(
        BASE,
        json={"name": "Ana Lima", "phone": "5585999171902", "cpf": cpf},
        headers={"Idempotency-Key": "ana-1"},
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json["data"]["id"] == ana
    assert replayed.json["data"]["name"] == "Paciente anonimizado"
    assert replayed.json["data"]["cpf"] is None and replayed.json["data"]["phone"] is None
    again = api.post(confirm, headers={"Idempotency-Key": "joao-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["data"]["client_name"] == "Paciente anonimizado"
    assert again.json["data"]["status"] == "confirmed"  # the rest of the answer is kept

    session.expire_all()
    kept = " ".join(r.body for r in session.exec(select(IdempotencyRecord)))
    assert "Ana Lima" not in kept and cpf not in kept and "5585999171902" not in kept
    assert "João" not in kept and "Jo\\u00e3o" not in kept
    audit = session.exec(
        select(AuditEvent).where(
            AuditEvent.resource == "appointment", AuditEvent.resource_id == str(appointment)
        )
    ).all()
    assert audit, "confirming through the API is audited"
    for event in audit:
        text = json.dumps([event.before, event.after], ensure_ascii=False)
        assert "João" not in text and "Paciente anonimizado" in text
