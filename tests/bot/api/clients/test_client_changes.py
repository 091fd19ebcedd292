"""/api/v1/clients, writing: create and patch, their validation, conflicts and audit rows."""

from __future__ import annotations

import pytest
from client_helpers import BASE, CPFS, id_of, names, new, unimed_and_paulista
from conftest import Api
from sqlmodel import Session, func, select

from models import (
    AuditEvent,
    Client,
    ClientPhone,
    WebhookDelivery,
    WebhookEndpoint,
)


def test_create_stores_every_field_audits_and_emits_client_created(
    api: Api, session: Session, clock
):
    session.add(
        WebhookEndpoint(
            clinic_id=1, url="https://erp.example.com/h", secret="s" * 32, created_at=clock.now()
        )
    )
    insurance, location = unimed_and_paulista(session)
    body = {
        "name": "  Beatriz Costa ",
        "phone": "+55 (13) 99727-0748",
        "allPhones": ["5513997270748", "(21) 3333-4444"],
        "email": "bia@example.com",
        "birthday": "1990-01-01",
        "cpf": "111.444.777-35",
        "healthInsurance": str(insurance),
        "location": str(location),
        "externalId": "ext123",
        "description": "Cliente regular",
        "image": "https://example.com/photo.jpg",
    }
    response = api.post(BASE, json=body)
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert data["name"] == "Beatriz Costa"
    assert data["phone"] == "5513997270748"
    assert data["allPhones"] == ["5513997270748", "552133334444"]
    assert data["cpf"] == "111.444.777-35"
    assert (data["birthday"], data["externalId"], data["image"]) == (
        "1990-01-01",
        "ext123",
        "https://example.com/photo.jpg",
    )
    assert (data["healthInsurance"], data["location"]) == (str(insurance), str(location))
    assert data["appointmentsCount"] == 0 and data["lastAppointment"] is None

    session.expire_all()
    stored = session.get(Client, int(data["id"]))
    assert stored is not None and stored.cpf == "11144477735" and stored.clinic_id == 1
    keys = session.exec(select(ClientPhone.key).where(ClientPhone.client_id == stored.id)).all()
    assert sorted(keys) == ["5513997270748", "552133334444"]
    audit = session.exec(select(AuditEvent).where(AuditEvent.resource_id == data["id"])).one()
    assert (audit.action, audit.before, audit.after["name"]) == (
        "client.create",
        None,
        "Beatriz Costa",
    )
    event = session.exec(select(WebhookDelivery)).one()
    assert event.event_type == "client.created"
    assert event.payload["data"]["client"] == {"id": data["id"], "name": "Beatriz Costa"}


@pytest.mark.parametrize("cpf", [cpf for cpf in CPFS["invalid"] if cpf.strip()])
def test_an_invalid_cpf_is_refused_naming_the_cpf(api: Api, cpf: str):
    response = api.post(BASE, json={"name": "X", "phone": "5585999171902", "cpf": cpf})
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == ["cpf"]


@pytest.mark.parametrize(
    "cpf", [cpf for cpf in CPFS["valid"] if cpf.replace(".", "").replace("-", "") != "52998224725"]
)
def test_every_valid_cpf_of_the_fixtures_is_taken_and_found(api: Api, cpf: str):
    """(Maria's CPF, also in the fixtures, is taken: the 409 test covers it.)"""
    created = new(api, cpf=cpf)
    digits = cpf.replace(".", "").replace("-", "")
    assert created["cpf"] == f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    for form in (digits, created["cpf"]):
        assert [c["id"] for c in api.get(BASE, query_string={"cpf": form}).json["data"]] == [
            created["id"]
        ]


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"phone": "5585999171902"}, "MISSING_REQUIRED_FIELD", "name"),
        ({"name": "Ana"}, "MISSING_REQUIRED_FIELD", "phone"),
        ({"name": "", "phone": "5585999171902"}, "INVALID_PARAMETER", "name"),
        ({"name": "Ana", "phone": "abc"}, "INVALID_PARAMETER", "phone"),
        ({"name": "Ana", "phone": "123"}, "INVALID_PARAMETER", "phone"),
        ({"name": "Ana", "phone": "5585999171902", "email": "nope"}, "INVALID_PARAMETER", "email"),
        (
            {"name": "Ana", "phone": "5585999171902", "birthday": "15/03/1985"},
            "INVALID_DATE_FORMAT",
            "birthday",
        ),
        (
            {"name": "Ana", "phone": "5585999171902", "birthday": "2030-01-01"},
            "INVALID_PARAMETER",
            "birthday",
        ),
        (
            {"name": "Ana", "phone": "5585999171902", "image": "javascript:alert(1)"},
            "INVALID_PARAMETER",
            "image",
        ),
        (
            {"name": "Ana", "phone": "5585999171902", "location": "loc456"},
            "INVALID_PARAMETER",
            "location",
        ),
    ],
)
def test_create_refuses_bad_input_with_the_field(api: Api, body: dict, code: str, path: str):
    response = api.post(BASE, json=body)
    assert response.status_code == 400, response.json
    assert response.json["code"] == code
    assert response.json["details"][0]["path"][-1] == path


def test_blank_optional_fields_are_none(api: Api):
    created = new(api, email="", birthday="", cpf=" ", healthInsurance="")
    assert (created["email"], created["birthday"], created["cpf"]) == (None, None, None)


def test_a_phone_or_cpf_of_another_client_is_a_409_with_its_id(api: Api, session: Session):
    maria = id_of(api, "Maria Oliveira")
    for body in (
        {"phone": "551187654321"},  # Maria's number without the 9th digit
        {"phone": "5585999171902", "allPhones": ["+55 11 98765-4321"]},
        {"phone": "5585999171902", "cpf": "52998224725"},
    ):
        response = api.post(BASE, json={"name": "Outra Maria"} | body)
        assert response.status_code == 409, body
        assert response.json["code"] == "CONFLICT"
        assert response.json["details"][0]["client_id"] == maria
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Client)).one() == 2  # nothing stored


def test_patch_changes_only_what_is_sent_and_audits_before_and_after(
    api: Api, session: Session, other_clinic: int
):
    maria = id_of(api, "Maria Oliveira")
    _insurance, location = unimed_and_paulista(session)
    response = api.patch(
        f"{BASE}/{maria}",
        json={
            "email": "maria@example.com",
            "birthday": "1985-03-15",
            "description": "Prefere manhãs",
            "externalId": "ERP-1",
            "image": "https://example.com/m.jpg",
            "healthInsurance": None,
        },
    )
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["name"] == "Maria Oliveira" and data["cpf"] == "529.982.247-25"
    assert (data["email"], data["birthday"], data["description"]) == (
        "maria@example.com",
        "1985-03-15",
        "Prefere manhãs",
    )
    assert (data["externalId"], data["image"]) == ("ERP-1", "https://example.com/m.jpg")
    assert data["healthInsurance"] is None and data["location"] == str(location)
    assert data["updatedAt"] is not None

    session.expire_all()
    audit = session.exec(
        select(AuditEvent).where(
            AuditEvent.resource_id == maria, AuditEvent.action == "client.update"
        )
    ).one()
    assert audit.before["email"] is None and audit.after["email"] == "maria@example.com"
    assert audit.before["healthInsurance"] is not None and audit.after["healthInsurance"] is None

    # Another clinic's unit is refused, and nothing of the request is kept.
    _, their_location = unimed_and_paulista(session, other_clinic)
    refused = api.patch(f"{BASE}/{maria}", json={"name": "X", "location": str(their_location)})
    assert refused.status_code == 400 and refused.json["details"][0]["path"] == ["location"]
    assert api.get(f"{BASE}/{maria}").json["data"]["name"] == "Maria Oliveira"


def test_patch_cpf_name_and_nulls(api: Api):
    ana = new(api, email="ana@example.com")
    response = api.patch(f"{BASE}/{ana['id']}", json={"cpf": "12345678909", "email": None})
    assert response.json["data"]["cpf"] == "123.456.789-09"
    assert response.json["data"]["email"] is None
    for body, path in (({"cpf": "12345678900"}, "cpf"), ({"name": None}, "name")):
        refused = api.patch(f"{BASE}/{ana['id']}", json=body)
        assert refused.status_code == 400 and refused.json["details"][0]["path"][-1] == path
    taken = api.patch(f"{BASE}/{ana['id']}", json={"cpf": "529.982.247-25"})
    assert taken.status_code == 409
    assert taken.json["details"][0]["client_id"] == id_of(api, "Maria Oliveira")


def test_an_unchanged_patch_leaves_no_audit_row(api: Api, session: Session):
    ana = new(api)
    same = api.patch(f"{BASE}/{ana['id']}", json={"name": "Ana Lima", "phone": "85999171902"})
    assert same.status_code == 200 and same.json["data"]["updatedAt"] is None
    session.expire_all()
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.resource_id == ana["id"]))
    assert list(actions) == ["client.create"]


def test_patch_phone_replaces_the_main_number_and_allphones_every_number(api: Api):
    ana = new(api, allPhones=["5521999990000"])
    assert ana["allPhones"] == ["5585999171902", "5521999990000"]
    path = f"{BASE}/{ana['id']}"
    main = api.patch(path, json={"phone": "(31) 99320-9107"}).json["data"]
    assert main["phone"] == "5531993209107"
    assert main["allPhones"] == ["5531993209107", "5521999990000"]
    # The old main number is free again; the new one is found in its 12-digit form.
    assert names(api.get(f"{BASE}?phone=5585999171902")) == []
    assert names(api.get(f"{BASE}?phone=553193209107")) == ["Ana Lima"]
    every = api.patch(path, json={"allPhones": ["5541988887777", "554188887777"]}).json["data"]
    assert every["allPhones"] == ["5541988887777"]  # the same number twice is kept once
    both = api.patch(path, json={"phone": "5513997270748", "allPhones": ["5541988887777"]})
    assert both.json["data"]["allPhones"] == ["5513997270748", "5541988887777"]
    cleared = api.patch(path, json={"allPhones": []}).json["data"]
    assert (cleared["phone"], cleared["allPhones"]) == (None, [])


def test_patch_to_a_number_of_another_client_is_a_409(api: Api):
    ana = new(api)
    response = api.patch(f"{BASE}/{ana['id']}", json={"phone": "5582982136275"})
    assert response.status_code == 409
    assert response.json["details"][0]["client_id"] == id_of(api, "João Pereira")
    assert api.get(f"{BASE}/{ana['id']}").json["data"]["phone"] == "5585999171902"


def test_ids_beyond_a_32_bit_column_are_nobodys(api: Api):
    """PostgreSQL's integer ids stop at 2**31-1: a bigger id is a 404/400, never a 500."""
    assert api.get(f"{BASE}/99999999999999999").status_code == 404
    response = api.post(
        BASE, json={"name": "Ana", "phone": "5585999171902", "location": "99999999999"}
    )
    assert response.status_code == 400 and response.json["details"][0]["path"] == ["location"]


@pytest.mark.parametrize(
    ("method", "path", "kw"),
    [
        ("POST", BASE, {"json": {"name": "A\x00na", "phone": "5585999171902"}}),
        ("GET", f"{BASE}?external_id=a%00b", {}),
        ("GET", f"{BASE}/search?term=a%00b", {}),
        ("GET", "/clients/search?term=a%00b", {}),
    ],
)
def test_nul_characters_are_refused_before_reaching_the_database(api: Api, method, path, kw):
    response = api.request(method, path, **kw)
    assert response.status_code == 400 and response.json["code"] == "INVALID_PARAMETER"


@pytest.mark.parametrize("odd", ["¹", "٣", "1²"])
def test_digits_of_other_scripts_are_no_id(api: Api, odd: str):
    """str.isdigit() passes these; int() refuses '¹' and reads '٣' as 3: neither is an id."""
    for path in (f"{BASE}/{odd}", f"/clients/{odd}"):
        assert api.get(path).status_code == 404, path
    response = api.post(BASE, json={"name": "Ana", "phone": "5585999171902", "location": odd})
    assert response.status_code == 400 and response.json["details"][0]["path"] == ["location"]
