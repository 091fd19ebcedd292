"""Invariant 6 across the whole API: every documented endpoint, tried with another clinic's key.

Operations on an id answer 404 and change nothing; lists never show the other clinic's rows. The
operations come from the OpenAPI document, so a new endpoint is covered the day it is added.
"""

from __future__ import annotations

import pytest

from app import create_app

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
