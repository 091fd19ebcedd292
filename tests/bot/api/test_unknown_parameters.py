"""A query parameter an endpoint does not know is a 400 naming it, never silently ignored.

An integrator asking for "this patient's appointments" with a parameter we do not have
(`customer_id`) must not get everyone's. The endpoints come from the OpenAPI document.
"""

from __future__ import annotations

import pytest

from app import create_app

# Required parameters, so the answer is about the unknown one.
REQUIRED = {
    "/api/v1/clients/search": {"term": "5511987654321"},
    "/api/v1/appointments/conflicts": {"start": "2025-12-11T10:00:00-03:00"},
}
PERIOD = {"period": "last7days"}


def _gets_with_a_query() -> list[str]:
    document = create_app({"DATABASE_URL": "sqlite://"}).api_doc
    return sorted(
        path
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        and not path.startswith("/api/v1/admin/")  # an admin key's; same Page model
        and any(p["in"] == "query" for p in item.get("get", {}).get("parameters", []))
    )


def _resource(path: str) -> str:
    parts = path.removeprefix("/api/v1").strip("/").split("/")
    return parts[1] if parts[0] == "statistics" else parts[0]


def _query(path: str, demo_ids: dict[str, str]) -> dict[str, str]:
    if path.startswith("/api/v1/statistics/"):
        return dict(PERIOD)
    if path == "/api/v1/appointments/conflicts":
        return REQUIRED[path] | {"professional_id": demo_ids["professionals"]}
    return dict(REQUIRED.get(path, {}))


@pytest.mark.parametrize("path", _gets_with_a_query())
def test_an_unknown_query_parameter_is_refused_by_name(api, demo_ids, path):
    url = path.replace("{id}", demo_ids[_resource(path)]) if "{id}" in path else path
    query = _query(path, demo_ids)
    assert api.get(url, query_string=query).status_code == 200, url
    response = api.get(url, query_string=query | {"customer_id": demo_ids["clients"]})
    assert response.status_code == 400, (url, response.json)
    assert response.json["code"] == "INVALID_PARAMETER"
    assert [d["path"] for d in response.json["details"]] == [["customer_id"]]


@pytest.mark.parametrize("name", ["customer_id", "user_id", "page_size", "clientId", "limit"])
def test_a_patients_appointments_asked_the_wrong_way_are_not_everyones(api, demo_ids, name):
    response = api.get("/api/v1/appointments", query_string={name: demo_ids["clients"]})
    assert response.status_code == 400, response.json
    assert response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == [name]


def test_the_standard_list_parameters_stay_accepted(api):
    response = api.get("/api/v1/appointments?page=1&per_page=10&format=json")
    assert response.status_code == 200
    assert api.get("/api/v1/units?format=csv").status_code == 200


def test_the_clinia_paths_keep_ignoring_what_the_spec_does_not_name(api):
    assert api.get("/clients?limit=1&page_size=5").status_code == 200
    assert api.get("/clients/search?term=5511987654321&foo=1").status_code == 200
