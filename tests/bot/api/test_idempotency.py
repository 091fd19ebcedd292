"""Idempotency-Key: a retried POST gets the first answer and creates nothing more.

Driven through POST /api/v1/webhooks (a real create), counting the rows it leaves; two routes
added to the test app stand in for a view that crashes and one that is still running.
"""

from __future__ import annotations

import threading

import pytest
from conftest import Api
from flask import jsonify
from sqlmodel import func, select

from models import IdempotencyRecord, KeyKind, WebhookEndpoint

URL = "https://erp.clinica.com.br/agendai"


def endpoints(session) -> int:
    return session.exec(select(func.count()).select_from(WebhookEndpoint)).one()


def create(api: Api, key: str | None, body: dict | None = None, headers: dict | None = None):
    sent = (headers or {}) | ({"Idempotency-Key": key} if key is not None else {})
    return api.post("/api/v1/webhooks", json=body or {"url": URL}, headers=sent)


def test_a_retry_gets_the_first_answer_and_creates_nothing(api, session):
    first = create(api, "pedido-123")
    retry = create(api, "pedido-123")

    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json  # the same webhook, with the same secret
    assert "Idempotent-Replayed" not in first.headers
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.mimetype == "application/json"
    assert endpoints(session) == 1
    record = session.exec(select(IdempotencyRecord)).one()
    assert (record.key, record.status) == ("pedido-123", 201)


def test_the_same_json_written_differently_is_the_same_request(api, session):
    create(api, "k1", {"url": URL, "events": ["client.created"], "active": True})
    retry = api.post(
        "/api/v1/webhooks",
        data='{ "active": true, "events": ["client.created"],   "url": "' + URL + '" }',
        headers={"Idempotency-Key": "k1", "Content-Type": "application/json"},
    )
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert endpoints(session) == 1


def test_without_a_key_or_with_another_key_each_post_creates(api, session):
    create(api, None)
    create(api, None)
    create(api, "a")
    create(api, "b")
    assert endpoints(session) == 4


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"url": URL + "/outro"}, "/api/v1/webhooks"),
        ({"url": URL}, "/api/v1/webhooks?x=1"),
    ],
)
def test_the_same_key_for_another_request_is_a_conflict(api, session, body, path):
    create(api, "pedido-9")
    response = api.post(path, json=body, headers={"Idempotency-Key": "pedido-9"})

    assert response.status_code == 409
    assert response.json["code"] == "CONFLICT"
    assert response.json["details"][0]["code"] == "idempotency_key_reused"
    assert endpoints(session) == 1


def test_keys_belong_to_one_api_key(api, client, make_key, session):
    create(api, "shared")
    colleague = Api(client, make_key())
    assert "Idempotent-Replayed" not in create(colleague, "shared").headers
    assert endpoints(session) == 2


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_key_of_the_wrong_size_is_refused(api, session, key):
    response = create(api, key)
    assert response.status_code == 400 and response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == ["Idempotency-Key"]
    assert endpoints(session) == 0


def test_the_longest_key_works(api, session):
    assert create(api, "x" * 255).status_code == 201
    assert create(api, "x" * 255).headers["Idempotent-Replayed"] == "true"


def test_a_refusal_is_replayed_too(api, session):
    first = create(api, "bad", {"url": "http://erp.clinica.com.br"})
    retry = create(api, "bad", {"url": "http://erp.clinica.com.br"})
    assert first.status_code == retry.status_code == 400
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_kept_so_the_client_may_retry(app, api, session):
    calls: list[int] = []

    @app.post("/api/v1/test-crash")
    def crash():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return jsonify({"data": {"ok": True}}), 201

    headers = {"Idempotency-Key": "k"}
    assert api.post("/api/v1/test-crash", headers=headers).status_code == 500
    assert session.exec(select(IdempotencyRecord)).all() == []
    second = api.post("/api/v1/test-crash", headers=headers)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    third = api.post("/api/v1/test-crash", headers=headers)
    assert third.headers["Idempotent-Replayed"] == "true"
    assert len(calls) == 2


def test_a_retry_while_the_first_is_running_is_a_conflict(app, api, session):
    started, finish = threading.Event(), threading.Event()
    calls: list[int] = []

    @app.post("/api/v1/test-slow")
    def slow():
        calls.append(1)
        started.set()
        finish.wait(10)
        return jsonify({"data": {"n": len(calls)}}), 201

    headers = {api.header: api.key, "Idempotency-Key": "slow-1"}
    answers: list = []
    first = threading.Thread(
        target=lambda: answers.append(app.test_client().post("/api/v1/test-slow", headers=headers))
    )
    first.start()
    assert started.wait(10)

    retry = app.test_client().post("/api/v1/test-slow", headers=headers)
    finish.set()
    first.join(10)

    assert retry.status_code == 409
    assert retry.json["details"][0]["code"] == "idempotency_key_in_progress"
    assert answers[0].status_code == 201
    after = app.test_client().post("/api/v1/test-slow", headers=headers)
    assert after.status_code == 201 and after.headers["Idempotent-Replayed"] == "true"
    assert after.json == {"data": {"n": 1}} and len(calls) == 1


def test_a_key_is_forgotten_after_24_hours(api, session, clock):
    create(api, "daily")
    clock.advance(hours=23, minutes=59)
    assert create(api, "daily").headers["Idempotent-Replayed"] == "true"
    clock.advance(minutes=2)

    again = create(api, "daily")

    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert endpoints(session) == 2
    [record] = session.exec(select(IdempotencyRecord)).all()  # the old one was cleaned
    assert record.created_at == clock.now()


def test_only_posts_are_concerned(api, session):
    create(api, "k")
    listed = api.get("/api/v1/webhooks", headers={"Idempotency-Key": "k"})
    assert listed.status_code == 200 and "Idempotent-Replayed" not in listed.headers
    webhook_id = listed.json["data"][0]["id"]
    patched = api.patch(
        f"/api/v1/webhooks/{webhook_id}", json={"active": False}, headers={"Idempotency-Key": "k"}
    )
    assert patched.status_code == 200 and patched.json["data"]["active"] is False


def test_an_unauthenticated_post_stores_nothing(client, session):
    response = client.post(
        "/api/v1/webhooks", json={"url": URL}, headers={"Idempotency-Key": "anon"}
    )
    assert response.status_code == 401
    assert session.exec(select(IdempotencyRecord)).all() == []


def test_an_admin_key_naming_another_clinic_is_another_request(
    client, make_key, other_clinic, session
):
    admin = Api(client, make_key(kind=KeyKind.admin), header="x-admin-api-key")
    create(admin, "adm", headers={"X-Clinic-Id": "1"})
    other = create(admin, "adm", headers={"X-Clinic-Id": str(other_clinic)})
    assert other.status_code == 409
    assert other.json["details"][0]["code"] == "idempotency_key_reused"


def test_a_replay_still_counts_against_the_rate_limit(client, make_key):
    limited = Api(client, make_key(rate_limit=2))
    create(limited, "k")
    assert create(limited, "k").headers["Idempotent-Replayed"] == "true"
    assert create(limited, "k").status_code == 429


def test_the_header_is_documented_on_the_webhook_post(client):
    spec = client.get("/api/v1/openapi.json").json
    parameters = spec["paths"]["/api/v1/webhooks"]["post"]["parameters"]
    [header] = [p for p in parameters if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header" and header["schema"]["maxLength"] == 255
