"""What every endpoint shares: the error envelope, the list formats, the OpenAPI document."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from conftest import Api

from models import KeyKind


@pytest.fixture
def admin(client, make_key, other_clinic) -> Api:
    return Api(client, make_key(kind=KeyKind.admin), header="x-admin-api-key")


def test_lists_come_as_json_by_default(admin):
    response = admin.get("/api/v1/admin/clinics")
    assert response.mimetype == "application/json"
    body = response.json
    assert [c["name"] for c in body["data"]] == ["Clínica Demo", "Clínica Outra"]
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 2, "total_pages": 1}


@pytest.mark.parametrize(
    ("query", "accept"), [("?format=xml", None), ("", "application/xml"), ("", "text/xml")]
)
def test_lists_come_as_xml(admin, query, accept):
    headers = {"Accept": accept} if accept else None
    response = admin.get(f"/api/v1/admin/clinics{query}", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    names = [e.findtext("name") for e in root.iter("clinic")]
    assert names == ["Clínica Demo", "Clínica Outra"]
    assert root.findtext("meta/total") == "2"


@pytest.mark.parametrize(("query", "accept"), [("?format=csv", None), ("", "text/csv")])
def test_lists_come_as_csv_ready_for_a_spreadsheet(admin, query, accept):
    headers = {"Accept": accept} if accept else None
    response = admin.get(f"/api/v1/admin/clinics{query}", headers=headers)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM spreadsheets need to read UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == ["id", "name", "slug", "sandbox"]
    assert [r["name"] for r in rows] == ["Clínica Demo", "Clínica Outra"]


def test_paging(admin):
    body = admin.get("/api/v1/admin/clinics?page=2&per_page=1").json
    assert [c["name"] for c in body["data"]] == ["Clínica Outra"]
    assert body["meta"] == {"page": 2, "per_page": 1, "total": 2, "total_pages": 2}
    too_many = admin.get("/api/v1/admin/clinics?per_page=1001")
    assert too_many.status_code == 400 and too_many.json["code"] == "INVALID_PARAMETER"
    assert too_many.json["details"][0]["path"] == ["per_page"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", 404, "RESOURCE_NOT_FOUND"),
        ("DELETE", "/api/v1/me", 405, "METHOD_NOT_ALLOWED"),
        ("GET", "/api/v1/admin/clinics?format=pdf", 400, "INVALID_PARAMETER"),
        ("GET", "/api/v1/admin/clinics?page=zero", 400, "INVALID_PARAMETER"),
    ],
)
def test_errors_share_one_envelope(admin, method, path, status, code):
    response = admin.request(method, path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["code"] == code
    assert set(response.json) == {"error", "code", "details"}


def test_the_openapi_document_and_its_page_are_served(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert "/api/v1/me" in document["paths"]
    assert {"apiKey", "bearer", "adminKey"} <= set(document["components"]["securitySchemes"])
    page = client.get("/api/v1/swagger")
    assert page.status_code == 200 and b"openapi.json" in page.data


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "INVALID_JSON"),
        ("{}", "MISSING_REQUIRED_FIELD"),
        ('{"url": 5}', "INVALID_PARAMETER"),
    ],
)
def test_bodies_that_cannot_be_read_get_a_clear_code(api, body, code):
    response = api.post("/api/v1/webhooks", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["code"] == code


def _untyped(schema: dict, components: dict) -> bool:
    """Is this a bare object (or a list of them) the document says nothing more about?"""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        return all(_untyped(s, components) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return _untyped(schema.get("items", {}), components)
    return schema.get("type") == "object" and not schema.get("properties")


def test_every_answer_documents_its_shape(client):
    """Integrators (and the fuzz test) see each resource's fields, not `data: object`."""
    document = client.get("/api/v1/openapi.json").json
    components = document["components"]["schemas"]
    untyped = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if not status.startswith("2") or schema is None:
                    continue
                while "$ref" in schema:
                    schema = components[schema["$ref"].rsplit("/", 1)[-1]]
                data = schema.get("properties", {}).get("data", schema)
                if _untyped(data, components):
                    untyped.append(f"{method.upper()} {path} {status}")
    assert untyped == []


@pytest.mark.parametrize(
    ("method", "path", "body", "where"),
    [
        ("POST", "/api/v1/units", {"name": "A\x00", "address": "Rua 1"}, ["name"]),
        ("GET", "/api/v1/clients?search=a%00b", None, ["search"]),
        ("POST", "/api/v1/webhooks", {"url": "https://x.com", "events": ["a\x00"]}, ["events", 0]),
    ],
)
def test_nul_characters_are_refused_before_anything_is_stored(api, method, path, body, where):
    """PostgreSQL cannot store NUL in text: a clear 400 naming the field, on every engine."""
    response = api.request(method, path, json=body)
    assert response.status_code == 400
    assert response.json["details"] == [
        {"code": "nul_character", "message": "text may not contain NUL", "path": where}
    ]
