"""The CPF the client endpoints document is the one bot.brazil.cpf checks, boundaries included."""

from __future__ import annotations

import pytest
from client_helpers import BASE, CPFS, new
from conftest import Api
from flask import Flask
from pydantic import ValidationError

from bot.api.clients.schemas import ClientCreate, ClientPatch
from bot.brazil.cpf import CPF_PATTERN, cpf_digits, valid_cpf

# Shapes on both sides of the line, and CPFs whose check digits fail.
TEXTS = [
    *CPFS["valid"],
    *CPFS["invalid"],
    "111 444 777 35",
    "111.444.777/35",
    "111444777-35",
    " 111.444.777-35 ",
    "1114.447.77-35",
    "111.444.777.35",
    "111-444-777-35",
    "11144477735 0",
    *(digit * 11 for digit in "0123456789"),
    "111.444.777-45",  # a wrong first check digit
    "111.444.777-36",  # a wrong second check digit
    "１１１.４４４.７７７-３５",
]


def _cpf_pattern_of(app: Flask, schema: str) -> str:
    (text,) = [
        option["pattern"]
        for option in app.api_doc["components"]["schemas"][schema]["properties"]["cpf"]["anyOf"]
        if "pattern" in option
    ]
    return text


@pytest.mark.parametrize("schema", ["ClientCreate", "ClientPatch"])
def test_the_documented_cpf_pattern_is_the_rules_own(app: Flask, schema: str):
    assert _cpf_pattern_of(app, schema) == CPF_PATTERN


@pytest.mark.parametrize("text", [text for text in TEXTS if text.strip()])
def test_the_request_models_read_a_cpf_exactly_as_the_rules_do(text: str):
    """pydantic checks the pattern with its own engine: it must agree with cpf_digits."""
    for model in (ClientCreate, ClientPatch):
        try:
            model.model_validate({"name": "Ana", "phone": "5585999171902", "cpf": text})
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted is (cpf_digits(text) is not None), model.__name__


@pytest.mark.parametrize("text", [text for text in TEXTS if text.strip()])
def test_the_api_takes_a_cpf_exactly_when_the_rules_do(api: Api, text: str):
    response = api.post(BASE, json={"name": "Ana Lima", "phone": "5585999171902", "cpf": text})
    digits = valid_cpf(text)
    if digits is None:
        assert response.status_code == 400, response.json
        assert response.json["code"] == "INVALID_PARAMETER"
        assert response.json["details"][0]["path"] == ["cpf"]
    elif digits == "52998224725":  # the demo's Maria has it
        assert response.status_code == 409
    else:
        assert response.status_code == 201, response.json
        shown = f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
        assert response.json["data"]["cpf"] == shown


@pytest.mark.parametrize("text", ["111 444 777 35", "111.444.777/35", "111444777-35"])
def test_a_cpf_typed_with_spaces_or_a_slash_is_found_in_every_form(api: Api, text: str):
    created = new(api, cpf=text)
    for form in ("11144477735", "111.444.777-35", text):
        found = api.get(BASE, query_string={"cpf": form}).json["data"]
        assert [c["id"] for c in found] == [created["id"]], form
        found = api.get(f"{BASE}/search", query_string={"term": form}).json["data"]
        assert [c["id"] for c in found] == [created["id"]], form


@pytest.mark.parametrize("text", ["1114.447.77-35", "111.444.777.35", "1114447773"])
def test_a_cpf_filter_with_dots_out_of_place_or_ten_digits_is_a_400(api: Api, text: str):
    new(api, cpf="111.444.777-35")
    response = api.get(BASE, query_string={"cpf": text})
    assert response.status_code == 400
    assert response.json["details"][0]["path"] == ["cpf"]


def test_a_formatted_search_term_in_other_digits_finds_nobody(api: Api):
    """Fullwidth digits are no CPF: they must not match the patients who have none (João)."""
    response = api.get(f"{BASE}/search", query_string={"term": "１１１.４４４.７７７-３５"})
    assert response.status_code == 200 and response.json["data"] == []
