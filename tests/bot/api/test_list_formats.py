"""Every list the API documents answers in CSV and XML as well as JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app import create_app

NEEDS = {
    "/api/v1/statistics/appointments": {"period": "last7days"},
    "/api/v1/statistics/calendars": {"period": "last7days"},
    "/api/v1/statistics/clients": {"period": "last7days"},
    "/api/v1/statistics/bot": {"period": "last7days"},
    "/api/v1/appointments/conflicts": {"professional_id": "1", "start": "2025-12-11T10:00:00"},
    "/api/v1/clients/search": {"term": "5511987654321"},
    "/api/v1/statistics/calendars/{id}": {"period": "last7days"},
}
# Covered in test_api_basics with an admin key.
ADMIN_ONLY = {"/api/v1/admin/clinics"}


def _lists() -> list[str]:
    """GET operations whose 200 answer the document declares as CSV too."""
    document = create_app({"DATABASE_URL": "sqlite://"}).api_doc
    return sorted(
        path
        for path, item in document["paths"].items()
        if path not in ADMIN_ONLY
        and "text/csv" in item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
    )


def test_the_lists_are_declared():
    assert {"/api/v1/clients", "/api/v1/appointments", "/api/v1/slots", "/api/v1/audit"} <= set(
        _lists()
    )


@pytest.mark.parametrize("path", _lists())
def test_every_list_comes_in_three_formats(api, demo_ids, path):
    query = NEEDS.get(path, {})
    if "{id}" in path:
        resource = path.removeprefix("/api/v1/").removeprefix("statistics/").split("/")[0]
        path = path.replace("{id}", demo_ids[resource])
    as_json = api.get(path, query_string=query)
    assert as_json.status_code == 200, as_json.json
    as_csv = api.get(path, query_string=query | {"format": "csv"})
    assert as_csv.mimetype == "text/csv" and as_csv.data.startswith("\ufeff".encode())
    as_xml = api.get(path, headers={"Accept": "application/xml"}, query_string=query)
    assert as_xml.mimetype == "application/xml"
    ET.fromstring(as_xml.data)
