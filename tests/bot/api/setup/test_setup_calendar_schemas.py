"""The OpenAPI document describes exactly what the setup, calendar, slot and statistics endpoints
answer: every JSON answer validates against its declared schema made strict (no key the
document does not name), and no declared answer is a generic object.

Now: Wed 2025-12-10 09:00 São Paulo; Maria holds Dra. Ana's Fri 12/12 10:00 slot at Paulista.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

MY_PREFIXES = (
    "/api/v1/calendars",
    "/api/v1/slots",
    "/api/v1/units",
    "/api/v1/services",
    "/api/v1/insurances",
    "/api/v1/professionals",
    "/api/v1/working-hours",
    "/api/v1/exceptions",
    "/api/v1/statistics",
)


def _strict(node: Any) -> Any:
    """A copy of a schema where every object with properties refuses any other key."""
    if isinstance(node, dict):
        out = {key: _strict(value) for key, value in node.items()}
        if "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_strict(value) for value in node]
    return node


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


class Shapes:
    """Checks answers against the strict form of the operation's declared JSON schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = _strict(document["components"])

    def schema(self, method: str, template: str, status: int) -> dict[str, Any]:
        operation = self.document["paths"][template][method.lower()]
        declared = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        return {"components": self.components} | declared

    def errors(self, method: str, template: str, status: int, body: Any) -> list[str]:
        validator = jsonschema_rs.validator_for(
            self.schema(method, template, status), validate_formats=True
        )
        return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]

    def check(self, response, method: str, template: str, status: int = 200) -> dict[str, Any]:
        """The answer's JSON, after asserting its status and that it matches the document."""
        assert response.status_code == status, response.get_json()
        body = response.get_json()
        assert self.errors(method, template, status, body) == []
        return body


@pytest.fixture
def shapes(document) -> Shapes:
    return Shapes(document)


def _named(api, path: str, name: str) -> str:
    return next(row["id"] for row in api.get(path).get_json()["data"] if row["name"] == name)


def test_the_strict_check_refuses_what_the_document_does_not_say(api, shapes):
    unit = shapes.check(api.get("/api/v1/units"), "GET", "/api/v1/units")["data"][0]
    assert shapes.errors("GET", "/api/v1/units/{id}", 200, {"data": unit}) == []
    extra = {"data": unit | {"secret": 1}}
    assert shapes.errors("GET", "/api/v1/units/{id}", 200, extra)
    missing = {"data": {k: v for k, v in unit.items() if k != "phone"}}
    assert shapes.errors("GET", "/api/v1/units/{id}", 200, missing)
    wrong = {"data": unit | {"id": int(unit["id"])}}
    assert shapes.errors("GET", "/api/v1/units/{id}", 200, wrong)
    holiday = api.get("/api/v1/exceptions").get_json()["data"][0]
    assert shapes.errors("GET", "/api/v1/exceptions/{id}", 200, {"data": holiday}) == []
    bad_day = {"data": holiday | {"day": "24/12/2025"}}
    assert shapes.errors("GET", "/api/v1/exceptions/{id}", 200, bad_day)
    bad_scope = {"data": holiday | {"scope": "everyone"}}
    assert shapes.errors("GET", "/api/v1/exceptions/{id}", 200, bad_scope)


def _objects(node: Any, components: dict[str, Any], seen: set[str]) -> list[dict[str, Any]]:
    """Every object schema reachable from `node`, following $refs once."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref and ref not in seen:
            seen.add(ref)
            found += _objects(components[ref.rsplit("/", 1)[1]], components, seen)
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += _objects(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value, components, seen)
    return found


def test_every_answer_of_these_endpoints_has_a_precise_schema(document):
    components = document["components"]["schemas"]
    checked = 0
    for path, item in document["paths"].items():
        if not path.startswith(MY_PREFIXES):
            continue
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                schema = answer["content"]["application/json"]["schema"]
                objects = _objects(schema, components, set())
                vague = [o for o in objects if "properties" not in o]
                assert objects and not vague, (method, path, vague)
                lists = [
                    o for o in objects if "data" in o["properties"] and "meta" in o["properties"]
                ]
                if lists:
                    assert {"application/xml", "text/csv"} <= set(answer["content"]), (method, path)
                checked += 1
    assert checked >= 34  # every operation under these paths


def test_units_and_services(api, shapes):
    shapes.check(api.get("/api/v1/units?active=true"), "GET", "/api/v1/units")
    body = {"name": "Recife", "address": "Av. Boa Viagem, 1", "timezone": "America/Recife"}
    unit = shapes.check(api.post("/api/v1/units", json=body), "POST", "/api/v1/units", 201)
    unit_id = unit["data"]["id"]
    assert unit["data"]["phone"] is None
    shapes.check(api.get(f"/api/v1/units/{unit_id}"), "GET", "/api/v1/units/{id}")
    renamed = api.patch(f"/api/v1/units/{unit_id}", json={"phone": "+55 81 3333-4444"})
    assert "slots" not in shapes.check(renamed, "PATCH", "/api/v1/units/{id}")
    paulista = _named(api, "/api/v1/units", "Paulista")
    moved = api.patch(f"/api/v1/units/{paulista}", json={"timezone": "America/Recife"})
    assert "slots" in shapes.check(moved, "PATCH", "/api/v1/units/{id}")

    shapes.check(api.get("/api/v1/services"), "GET", "/api/v1/services")
    body = {"name": "Pediatria", "duration_minutes": 30, "price_cents": 25000}
    service = shapes.check(api.post("/api/v1/services", json=body), "POST", "/api/v1/services", 201)
    path = f"/api/v1/services/{service['data']['id']}"
    shapes.check(api.get(path), "GET", "/api/v1/services/{id}")
    shapes.check(api.patch(path, json={"active": False}), "PATCH", "/api/v1/services/{id}")


def test_insurances_and_professionals(api, shapes):
    units = shapes.check(api.get("/api/v1/insurances"), "GET", "/api/v1/insurances")
    assert any(row["location_ids"] for row in units["data"])
    paulista = _named(api, "/api/v1/units", "Paulista")
    body = {"name": "Amil", "location_ids": [paulista]}
    made = shapes.check(
        api.post("/api/v1/insurances", json=body), "POST", "/api/v1/insurances", 201
    )
    path = f"/api/v1/insurances/{made['data']['id']}"
    shapes.check(api.get(path), "GET", "/api/v1/insurances/{id}")
    shapes.check(api.patch(path, json={"location_ids": []}), "PATCH", "/api/v1/insurances/{id}")

    shapes.check(api.get("/api/v1/professionals"), "GET", "/api/v1/professionals")
    made = api.post("/api/v1/professionals", json={"name": "Dra. Carla Dias"})
    made = shapes.check(made, "POST", "/api/v1/professionals", 201)
    path = f"/api/v1/professionals/{made['data']['id']}"
    shapes.check(api.get(path), "GET", "/api/v1/professionals/{id}")
    renamed = shapes.check(
        api.patch(path, json={"name": "Dra. Carla"}), "PATCH", "/api/v1/professionals/{id}"
    )
    assert "slots" not in renamed
    ana = _named(api, "/api/v1/professionals", "Dra. Ana Souza")
    away = api.patch(f"/api/v1/professionals/{ana}", json={"active": False})
    away = shapes.check(away, "PATCH", "/api/v1/professionals/{id}")
    assert away["slots"]["kept_slots"][0]["reason"] == "outside_hours"  # Maria's slot


def test_working_hours_and_exceptions(api, shapes):
    ana = _named(api, "/api/v1/professionals", "Dra. Ana Souza")
    pinheiros = _named(api, "/api/v1/units", "Pinheiros")
    listed = api.get(f"/api/v1/professionals/{ana}/working-hours")
    shapes.check(listed, "GET", "/api/v1/professionals/{id}/working-hours")
    body = {"location_id": pinheiros, "weekday": 5, "start": "08:00", "end": "12:00"}
    made = api.post(f"/api/v1/professionals/{ana}/working-hours", json=body)
    made = shapes.check(made, "POST", "/api/v1/professionals/{id}/working-hours", 201)
    path = f"/api/v1/working-hours/{made['data']['id']}"
    shapes.check(api.get(path), "GET", "/api/v1/working-hours/{id}")
    moved = shapes.check(
        api.patch(path, json={"end": "11:00"}), "PATCH", "/api/v1/working-hours/{id}"
    )
    assert moved["slots"]["removed"] == 8  # 11:00 and 11:30 of four Saturdays
    same = shapes.check(api.patch(path, json={}), "PATCH", "/api/v1/working-hours/{id}")
    assert "slots" not in same
    shapes.check(api.delete(path), "DELETE", "/api/v1/working-hours/{id}")

    shapes.check(api.get("/api/v1/exceptions"), "GET", "/api/v1/exceptions")
    body = {"day": "2025-12-12", "professional_id": ana, "reason": "Congresso"}
    made = shapes.check(
        api.post("/api/v1/exceptions", json=body), "POST", "/api/v1/exceptions", 201
    )
    assert made["data"]["scope"] == "professional" and made["data"]["location_id"] is None
    assert made["slots"]["kept_slots"][0]["start"] == "2025-12-12T10:00:00-03:00"
    path = f"/api/v1/exceptions/{made['data']['id']}"
    shapes.check(api.get(path), "GET", "/api/v1/exceptions/{id}")
    shapes.check(api.delete(path), "DELETE", "/api/v1/exceptions/{id}")


def test_calendars_and_slots(api, shapes):
    listed = shapes.check(api.get("/api/v1/calendars"), "GET", "/api/v1/calendars")
    calendar = listed["data"][0]["id"]
    one = shapes.check(api.get(f"/api/v1/calendars/{calendar}"), "GET", "/api/v1/calendars/{id}")
    assert one["data"]["totals"]["appointments"]["total"] >= 0
    slots = api.get("/api/v1/slots?date_from=2025-12-12&per_page=200")
    slots = shapes.check(slots, "GET", "/api/v1/slots")
    held = next(s for s in slots["data"] if s["booked"])  # Maria's
    # A slot serves every service its professional offers that fits: it names none.
    assert "service_id" not in held
    shapes.check(api.get(f"/api/v1/slots/{held['id']}"), "GET", "/api/v1/slots/{id}")


def test_statistics(api, shapes):
    period = "period=custom&start_date=2025-12-01&end_date=2025-12-31"
    daily = api.get(f"/api/v1/statistics/appointments?{period}")
    daily = shapes.check(daily, "GET", "/api/v1/statistics/appointments")
    assert daily["meta"]["summary"]["total"] > 0
    assert daily["meta"]["summary"]["no_show_rate"] is None
    calendar = api.get("/api/v1/calendars").get_json()["data"][0]["id"]
    one = api.get(f"/api/v1/statistics/calendars/{calendar}?period=last7days")
    assert shapes.check(one, "GET", "/api/v1/statistics/calendars/{id}")["meta"]["calendar_id"]
    every = api.get(f"/api/v1/statistics/calendars?{period}")
    every = shapes.check(every, "GET", "/api/v1/statistics/calendars")
    assert isinstance(every["meta"]["summary"]["utilisation_percent"], float)
    clients = api.get(f"/api/v1/statistics/clients?{period}")
    clients = shapes.check(clients, "GET", "/api/v1/statistics/clients")
    assert clients["data"]["top_clients"][0]["name"] == "Maria Oliveira"
    shapes.check(api.get("/api/v1/statistics/bot?period=today"), "GET", "/api/v1/statistics/bot")
