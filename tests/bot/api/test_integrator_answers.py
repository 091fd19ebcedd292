"""The webhook, conversation, audit and account answers match the OpenAPI document exactly.

The fuzz test sees mostly empty lists and 404s; here every answer carries real rows, with the
nullable fields both set and null, and is validated against the schema the document declares.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup
from sqlmodel import Session

from bot.integrations.deliveries import deliver_due
from models import KeyKind, new_session


class Receiver:
    """The clinic's system: answers each POST with the next status of `script`, then 200."""

    def __init__(self, *script: int) -> None:
        self.script = list(script)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(receiver.script.pop(0) if receiver.script else 200)
                self.end_headers()
                self.wfile.write(b"sistema fora do ar")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/agendai"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(500)  # the first POST fails, later ones succeed
    yield server
    server.close()


@pytest.fixture
def worker(app) -> Iterator[Session]:
    """A session as the `events deliver` worker opens it."""
    with new_session(app.extensions["agendai.engine"]) as session:
        yield session


@pytest.fixture
def conforms(app):
    """conforms("GET", "/api/v1/me", response, 200): the status, then the documented schema."""
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    def check(method: str, path: str, response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.json
        document[path][method].validate_response(response)  # raises on any mismatch
        return response.json

    return check


def test_webhook_answers_and_every_kind_of_delivery_match(api, conforms, worker, clock, receiver):
    base = "/api/v1/webhooks"
    created = conforms("POST", base, api.post(base, json={"url": receiver.url}), 201)["data"]
    one = f"{base}/{created['id']}"
    assert created["secret"].startswith("whsec_")
    conforms("GET", f"{base}/{{id}}", api.get(one))
    patch = api.patch(one, json={"events": ["client.created"]})
    assert conforms("PATCH", f"{base}/{{id}}", patch)["data"]["events"] == ["client.created"]
    queued = conforms("POST", f"{base}/{{id}}/test", api.post(f"{one}/test"), 202)["data"]
    assert queued["next_attempt_at"] is not None and queued["last_status_code"] is None
    api.post(f"{one}/test")
    doomed = api.post(base, json={"url": receiver.url + "/2"}).json["data"]["id"]
    api.post(f"{base}/{doomed}/test")
    deleted = api.delete(f"{base}/{doomed}")
    assert conforms("DELETE", f"{base}/{{id}}", deleted)["data"]["active"] is False

    report = deliver_due(worker, clock=clock)  # 500, then 200, then no URL any more

    assert (report.retrying, report.delivered, report.failed) == (1, 1, 1)
    log = conforms("GET", f"{base}/{{id}}/deliveries", api.get(f"{one}/deliveries"))["data"]
    assert [(d["status"], d["last_status_code"]) for d in log] == [
        ("delivered", 200),
        ("pending", 500),
    ]
    assert log[0]["delivered_at"] and log[0]["next_attempt_at"] is None
    assert log[1]["last_error"].startswith("HTTP 500") and log[1]["next_attempt_at"]
    [failed] = conforms("GET", f"{base}/{{id}}/deliveries", api.get(f"{base}/{doomed}/deliveries"))[
        "data"
    ]
    assert (failed["status"], failed["last_status_code"]) == ("failed", None)
    listed = conforms("GET", base, api.get(base))
    assert [w["active"] for w in listed["data"]] == [True, False]


def test_conversation_answers_match(api, conforms, patient):
    patient("+5511987654321", "Maria").says("oi")  # a known client, with the bot
    stranger = patient("+5582912345678", "Jhonata")
    stranger.says("oi")
    stranger.says("atendente")  # nobody we know, with a human

    body = conforms("GET", "/api/v1/conversations", api.get("/api/v1/conversations"))
    new, maria = body["data"]
    assert (new["client_id"], new["handoff_at"] is not None) == (None, True)
    assert (maria["client_id"] is not None, maria["handoff_at"]) == (True, None)
    for item in (new, maria):
        path = f"/api/v1/conversations/{item['id']}"
        assert conforms("GET", "/api/v1/conversations/{id}", api.get(path))["data"] == item
        messages = conforms(
            "GET", "/api/v1/conversations/{id}/messages", api.get(f"{path}/messages")
        )["data"]
        assert {m["direction"] for m in messages} == {"inbound", "outbound"}


def test_audit_answers_match_with_and_without_a_before(api, conforms):
    webhook = api.post("/api/v1/webhooks", json={"url": "https://erp.clinica.com.br/h"}).json
    api.patch(f"/api/v1/webhooks/{webhook['data']['id']}", json={"active": False})

    events = conforms("GET", "/api/v1/audit", api.get("/api/v1/audit"))["data"]

    assert [(e["action"], e["before"] is None) for e in events] == [
        ("webhook.update", False),
        ("webhook.create", True),
    ]


def test_account_answers_match_for_live_and_admin_keys(api, client, conforms, make_key):
    mine = conforms("GET", "/api/v1/me", api.get("/api/v1/me"))["data"]
    assert (mine["kind"], mine["clinic_id"]) == ("live", "1")
    admin = {"x-admin-api-key": make_key(kind=KeyKind.admin, rate_limit=500)}

    theirs = conforms("GET", "/api/v1/me", client.get("/api/v1/me", headers=admin))["data"]
    clinics = client.get("/api/v1/admin/clinics", headers=admin)

    assert (theirs["kind"], theirs["clinic_id"], theirs["rate_limit_per_minute"]) == (
        "admin",
        None,
        500,
    )
    assert conforms("GET", "/api/v1/admin/clinics", clinics)["data"][0]["id"] == "1"


def test_an_answer_off_its_schema_is_caught(api, app):
    """The check above has teeth: /me's answer is not a webhook."""
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    with pytest.raises((AssertionError, FailureGroup)):
        document["/api/v1/webhooks/{id}"]["GET"].validate_response(api.get("/api/v1/me"))
