"""The Clinia-spec /clients paths, driven as a bot built for that spec drives them.

The request bodies are the spec's own examples (shared/seeds/clinia_client_integration_spec.txt);
the expected answers are the spec's example responses, field by field.
"""

from __future__ import annotations

import pytest
from conftest import Api
from sqlmodel import Session, select

from models import AuditEvent, Client, HealthInsurance, Location

# "Criar um novo cliente" / "Exemplo de Requisição", as the spec prints it.
SPEC_CREATE = {
    "name": "Maria Silva Santos",
    "phone": "5511999999999",
    "email": "maria.silva@example.com",
    "birthday": "1985-03-15",
    "cpf": "12345678900",
    "healthInsurance": "conv123",
    "location": "loc456",
}
# "Atualizar um cliente por ID" / "Exemplo de Requisição".
SPEC_UPDATE = {
    "name": "Maria Silva Santos Oliveira",
    "email": "maria.oliveira@example.com",
    "cpf": "12345678900",
    "birthday": "1985-03-15",
}
# The spec's example CPF fails its check digits (123.456.789-00); this is the valid one of the
# same base (shared/fixtures/cpf/cpf.json), formatted as the spec's answers show a CPF.
VALID_CPF, VALID_CPF_SHOWN = "12345678909", "123.456.789-09"
OBJECT_KEYS = {"id", "name", "description", "phone", "allPhones", "cpf", "image", "email"} | {
    "birthday",
    "externalId",
    "healthInsurance",
    "location",
}


def _ids(session: Session, clinic_id: int = 1) -> tuple[str, str]:
    """(Unimed's id, Paulista's id) in the clinic: what a bot picked in the conversation."""
    unimed = session.exec(
        select(HealthInsurance).where(
            HealthInsurance.clinic_id == clinic_id, HealthInsurance.name == "Unimed"
        )
    ).one()
    paulista = session.exec(
        select(Location).where(Location.clinic_id == clinic_id, Location.name == "Paulista")
    ).one()
    return str(unimed.id), str(paulista.id)


def _spec_create(session: Session) -> dict[str, str]:
    """The spec's example body with our real insurance/unit ids and a CPF that passes its check."""
    insurance, location = _ids(session)
    return SPEC_CREATE | {"cpf": VALID_CPF, "healthInsurance": insurance, "location": location}


def test_the_specs_example_requests_get_the_specs_example_answers(api: Api, session: Session):
    created = api.post("/clients", json=_spec_create(session))
    # "Qualquer resposta que não seja um status 200 OK será ser tratada como um erro."
    assert created.status_code == 200, created.json
    body = created.json
    assert set(body) == OBJECT_KEYS
    assert isinstance(body["id"], str) and body["id"].isdigit()
    insurance, location = _ids(session)
    assert body == {
        "id": body["id"],
        "name": "Maria Silva Santos",
        "phone": "5511999999999",
        "allPhones": ["5511999999999"],
        "cpf": VALID_CPF_SHOWN,
        "email": "maria.silva@example.com",
        "birthday": "1985-03-15",
        "description": None,
        "image": None,
        "externalId": None,
        "healthInsurance": insurance,
        "location": location,
    }
    client_id = body["id"]

    updated = api.patch(f"/clients/{client_id}", json=SPEC_UPDATE | {"cpf": VALID_CPF})
    assert updated.status_code == 200, updated.json
    assert {k: updated.json[k] for k in ("id", "name", "phone", "allPhones", "cpf", "email")} == {
        "id": client_id,
        "name": "Maria Silva Santos Oliveira",
        "phone": "5511999999999",
        "allPhones": ["5511999999999"],
        "cpf": VALID_CPF_SHOWN,
        "email": "maria.oliveira@example.com",
    }
    assert updated.json["birthday"] == "1985-03-15"

    got = api.get(f"/clients/{client_id}")
    assert got.status_code == 200 and got.json == updated.json

    # "se o termo de pesquisa for o telefone 5511999999999 ... os clientes que possuem esse
    # telefone": a bare array of Client objects.
    found = api.get("/clients/search?term=5511999999999")
    assert found.status_code == 200 and found.json == [updated.json]

    listed = api.get("/clients?limit=10&offset=0")
    assert listed.status_code == 200 and isinstance(listed.json, list)
    assert updated.json in listed.json


def test_the_specs_example_body_verbatim_is_refused_for_its_invalid_cpf(api: Api, session: Session):
    """12345678900 fails the CPF check digits: we answer 400 naming the field, and store nothing."""
    insurance, location = _ids(session)
    body = SPEC_CREATE | {"healthInsurance": insurance, "location": location}
    response = api.post("/clients", json=body)
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == ["cpf"]
    session.expire_all()
    assert session.exec(select(Client).where(Client.name == "Maria Silva Santos")).first() is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("healthInsurance", "conv123"), ("location", "loc456"), ("healthInsurance", "999999")],
)
def test_ids_that_are_not_this_clinics_are_refused(api: Api, session: Session, field, value):
    response = api.post("/clients", json=_spec_create(session) | {field: value})
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == [field]


def test_another_clinics_insurance_and_unit_are_refused(
    api: Api, session: Session, other_clinic: int
):
    insurance, location = _ids(session, other_clinic)
    for field, value in (("healthInsurance", insurance), ("location", location)):
        response = api.post("/clients", json=_spec_create(session) | {field: value})
        assert response.status_code == 400, field
        assert response.json["details"][0]["path"] == [field]


def test_list_is_a_bare_array_paged_by_limit_and_offset(api: Api):
    everyone = api.get("/clients").json
    assert [c["name"] for c in everyone] == ["Maria Oliveira", "João Pereira"]
    assert api.get("/clients?limit=1").json == everyone[:1]
    assert api.get("/clients?limit=1&offset=1").json == everyone[1:]
    assert api.get("/clients?offset=2").json == []


def test_the_demo_patients_as_client_objects(api: Api):
    maria, joao = api.get("/clients").json
    assert maria["phone"] == "5511987654321" and maria["allPhones"] == ["5511987654321"]
    assert maria["cpf"] == "529.982.247-25"
    assert joao["phone"] == "558282136275" and joao["cpf"] is None


@pytest.mark.parametrize(
    "term",
    ["5582982136275", "558282136275", "+55 (82) 98213-6275", "whatsapp:+558282136275"],
)
def test_search_finds_a_phone_in_either_9th_digit_form(api: Api, term: str):
    response = api.get("/clients/search", query_string={"term": term})
    assert response.status_code == 200
    assert [c["name"] for c in response.json] == ["João Pereira"]


@pytest.mark.parametrize("term", ["529.982.247-25", "52998224725", "5511987654321"])
def test_search_by_cpf_formatted_or_not_and_by_phone(api: Api, term: str):
    assert [c["name"] for c in api.get(f"/clients/search?term={term}").json] == ["Maria Oliveira"]


def test_search_by_email_ignores_case(api: Api):
    created = api.post("/clients", json={"name": "Ana", "phone": "5585999171902"})
    api.patch(f"/clients/{created.json['id']}", json={"email": "Ana.Lima@Example.com"})
    found = api.get("/clients/search?term=ana.lima@EXAMPLE.com").json
    assert [c["id"] for c in found] == [created.json["id"]]
    assert found[0]["email"] == "ana.lima@example.com"


def test_search_is_exact(api: Api):
    for term in ("55119876543", "529.982.247", "Maria", "maria@", "1"):
        assert api.get("/clients/search", query_string={"term": term}).json == [], term


def test_search_without_a_term_is_the_envelope(api: Api):
    response = api.get("/clients/search")
    assert response.status_code == 400
    assert response.json["code"] == "MISSING_REQUIRED_FIELD"
    assert response.json["details"][0]["path"][-1] == "term"


def test_create_answers_409_for_a_phone_of_another_client_in_its_other_form(api: Api):
    """João is stored as 558282136275; a bot that saw 5582982136275 must not duplicate him."""
    joao = api.get("/clients/search?term=558282136275").json[0]
    response = api.post("/clients", json={"name": "João P.", "phone": "5582982136275"})
    assert response.status_code == 409
    assert response.json["code"] == "CONFLICT"
    assert response.json["details"][0]["client_id"] == joao["id"]
    assert response.json["details"][0]["path"] == ["phone"]


def test_create_needs_a_name_and_a_phone(api: Api):
    for body in ({"phone": "5511999999999"}, {"name": "Sem Telefone"}):
        response = api.post("/clients", json=body)
        assert response.status_code == 400
        assert response.json["code"] == "MISSING_REQUIRED_FIELD"


def test_create_takes_a_phone_as_the_name_as_clinia_sends_it(api: Api):
    """Without a name in the chat, Clinia sends the phone as the name."""
    response = api.post("/clients", json={"name": "5531993209107", "phone": "5531993209107"})
    assert response.status_code == 200
    assert response.json["name"] == "5531993209107"


def test_create_is_audited(api: Api, session: Session):
    created = api.post("/clients", json=_spec_create(session)).json
    session.expire_all()
    event = session.exec(select(AuditEvent).where(AuditEvent.resource_id == created["id"])).one()
    assert event.action == "client.create" and event.resource == "client"
    assert event.after is not None and event.after["cpf"] == VALID_CPF_SHOWN


def test_bearer_authentication_works_and_no_key_is_401(api: Api, client):
    assert client.get("/clients").status_code == 401
    assert client.get("/clients").json["code"] == "AUTH_REQUIRED"
    bearer = client.get("/clients", headers={"Authorization": f"Bearer {api.key}"})
    assert bearer.status_code == 200 and len(bearer.json) == 2


def test_unknown_ids_are_404_in_the_envelope(api: Api):
    for path in ("/clients/999999", "/clients/abc"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json["code"] == "RESOURCE_NOT_FOUND"
    assert api.patch("/clients/999999", json={"name": "X"}).status_code == 404


def test_another_clinic_sees_none_of_these_clients(api: Api, other_api: Api):
    maria_id = api.get("/clients").json[0]["id"]
    assert other_api.get(f"/clients/{maria_id}").status_code == 404
    assert other_api.patch(f"/clients/{maria_id}", json={"name": "Outra"}).status_code == 404
    assert api.get(f"/clients/{maria_id}").json["name"] == "Maria Oliveira"
    # The second clinic's own demo patients have the same numbers: never the first clinic's ids.
    theirs = other_api.get("/clients/search?term=5511987654321").json
    assert [c["name"] for c in theirs] == ["Maria Oliveira"] and theirs[0]["id"] != maria_id
    assert maria_id not in {c["id"] for c in other_api.get("/clients").json}


def test_the_openapi_document_says_arrays_and_objects(client):
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]

    def schema_of(path: str, method: str, status: str) -> dict:
        content = document["paths"][path][method]["responses"][status]["content"]
        ref = content["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[-1]]

    for path in ("/clients", "/clients/search"):
        listed = schema_of(path, "get", "200")
        assert listed["type"] == "array"
        assert listed["items"]["$ref"].endswith("/ClientOut")
    assert "allPhones" in schema_of("/clients/{id}", "get", "200")["properties"]
    assert "200" in document["paths"]["/clients"]["post"]["responses"]
    assert "201" not in document["paths"]["/clients"]["post"]["responses"]
    assert "200" in document["paths"]["/clients/{id}"]["patch"]["responses"]


def test_numbers_sent_as_json_numbers_and_blank_optionals_are_taken(api: Api):
    """A bot may send the phone as a number and "" for what the chat did not ask."""
    body = {"name": "Carla", "phone": 5585999171902, "email": "", "birthday": "", "cpf": ""}
    response = api.post("/clients", json=body)
    assert response.status_code == 200, response.json
    assert response.json["phone"] == "5585999171902"
    assert (response.json["email"], response.json["birthday"], response.json["cpf"]) == (None,) * 3


def test_an_erased_client_is_anonymised_here_too(api: Api):
    maria_id = api.get("/clients").json[0]["id"]
    assert api.post(f"/api/v1/clients/{maria_id}/erase").status_code == 200
    shown = api.get(f"/clients/{maria_id}").json
    assert shown["name"] == "Paciente anonimizado" and shown["phone"] is None
    assert api.get("/clients/search?term=5511987654321").json == []
    assert maria_id not in {c["id"] for c in api.get("/clients").json}
    assert api.patch(f"/clients/{maria_id}", json={"name": "Maria"}).status_code == 409
