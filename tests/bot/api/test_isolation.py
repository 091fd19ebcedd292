"""Invariant 6 across the whole API: every documented endpoint, tried with another clinic's key.

Operations on an id answer 404 and change nothing; lists never show the other clinic's rows. The
operations come from the OpenAPI document, so a new endpoint is covered the day it is added.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from app import create_app
from models import Client, Location, Professional, Service, WorkingHours

# Bodies that pass validation, so the answer is about the id and not about the body.
BODIES = {
    ("POST", "/api/v1/professionals/{id}/working-hours"): {
        "location_id": "1",
        "weekday": 0,
        "start": "08:00",
        "end": "09:00",
    },
    ("PUT", "/api/v1/appointments/{id}"): {"notes": "x"},
}
QUERIES = {("GET", "/api/v1/statistics/calendars/{id}"): {"period": "last7days"}}


def _operations_on_an_id() -> list[tuple[str, str]]:
    document = create_app({"DATABASE_URL": "sqlite://"}).api_doc
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if "{id}" in path and method in {"get", "post", "put", "patch", "delete"}
    )


def _resource(path: str) -> str:
    parts = path.removeprefix("/api/v1").strip("/").split("/")
    return parts[1] if parts[0] == "statistics" else parts[0]


@pytest.mark.parametrize(("method", "path"), _operations_on_an_id())
def test_another_clinics_key_gets_404_and_changes_nothing(api, other_api, demo_ids, method, path):
    url = path.replace("{id}", demo_ids[_resource(path)])
    before = api.get(url).json if method != "GET" and "{id}" in path else None
    body = BODIES.get((method, path), {}) if method in {"POST", "PUT", "PATCH"} else None
    query = QUERIES.get((method, path))
    response = other_api.request(method, url, json=body, query_string=query)
    assert response.status_code == 404, (method, url, response.json)
    assert response.json["code"] == "RESOURCE_NOT_FOUND"
    if before is not None and api.get(url).status_code == 200:
        assert api.get(url).json == before


LISTS = {
    "/api/v1/clients": "clients",
    "/api/v1/appointments": "appointments",
    "/api/v1/units": "units",
    "/api/v1/slots": "slots",
    "/api/v1/calendars": "calendars",
    "/api/v1/webhooks": "webhooks",
    "/api/v1/conversations": "conversations",
    "/api/v1/audit": None,
}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_lists_show_only_the_keys_clinic(api, other_api, demo_ids, path):
    mine = api.get(path).json["data"]
    theirs = other_api.get(path).json["data"]
    if LISTS[path] is not None:
        assert demo_ids[LISTS[path]] in {item["id"] for item in mine}
    assert not {item["id"] for item in mine} & {item["id"] for item in theirs}


def test_clinia_paths_are_scoped_too(api, other_api, demo_ids):
    client_id = demo_ids["clients"]
    assert other_api.get(f"/clients/{client_id}").status_code == 404
    assert client_id not in {c["id"] for c in other_api.get("/clients").json}
    maria = api.get(f"/clients/{client_id}").json
    # The other clinic has its own patient with the same number: found, but never ours.
    found = other_api.get("/clients/search", query_string={"term": maria["phone"]}).json
    assert found and client_id not in {c["id"] for c in found}


# Filters naming a row: (list path, filter, model of the row).
FILTERS = [
    ("/api/v1/appointments", "client_id", Client),
    ("/api/v1/appointments", "service_id", Service),
    ("/api/v1/appointments", "professional_id", Professional),
    ("/api/v1/appointments", "location_id", Location),
    ("/api/v1/conversations", "client_id", Client),
    ("/api/v1/slots", "professional_id", Professional),
    ("/api/v1/exceptions", "professional_id", Professional),
]


@pytest.mark.parametrize(("path", "field", "model"), FILTERS)
def test_a_filter_naming_another_clinics_or_no_row_is_a_400(
    api, other_clinic, session, path, field, model
):
    theirs = session.exec(select(model.id).where(model.clinic_id == other_clinic)).first()
    for value in (str(theirs), "999999"):
        response = api.get(path, query_string={field: value})
        assert response.status_code == 400, (path, field, value, response.json)
        assert response.json["code"] == "INVALID_PARAMETER"
        [detail] = response.json["details"]
        assert detail["path"] == [field] and detail["code"] == "unknown_id"


def test_a_calendar_filter_of_another_clinic_is_a_400(api, other_clinic, session):
    professional = select(Professional.id).where(Professional.clinic_id == other_clinic)
    hours = session.exec(
        select(WorkingHours).where(col(WorkingHours.professional_id).in_(professional))
    ).first()
    calendar = f"{hours.professional_id}-{hours.location_id}"
    response = api.get("/api/v1/appointments", query_string={"calendar_id": calendar})
    assert response.status_code == 400, response.json
    assert response.json["details"][0]["path"] == ["calendar_id"]
