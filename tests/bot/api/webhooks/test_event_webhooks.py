"""/api/v1/webhooks: register the clinic's URLs, change them, deactivate them, read their log."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from bot.api.webhooks.views import MAX_ACTIVE
from models import WebhookDelivery, WebhookEndpoint

URL = "https://erp.clinica.com.br/agendai/eventos"


def create(api, **body):
    return api.post("/api/v1/webhooks", json={"url": URL} | body)


def test_creating_a_webhook_shows_its_secret_once_and_audits_it(api, session):
    response = create(api, events=["appointment.created", "appointment.cancelled"])

    assert response.status_code == 201
    data = response.json["data"]
    assert data["url"] == URL and data["active"] is True
    assert data["events"] == ["appointment.created", "appointment.cancelled"]
    assert data["secret"].startswith("whsec_") and len(data["secret"]) > 30
    row = session.exec(select(WebhookEndpoint)).one()
    assert (row.clinic_id, row.secret) == (1, data["secret"])
    again = api.get(f"/api/v1/webhooks/{data['id']}").json["data"]
    assert "secret" not in again and again == {k: v for k, v in data.items() if k != "secret"}
    [event] = api.get("/api/v1/audit?resource=webhook").json["data"]
    assert (event["action"], event["resource_id"]) == ("webhook.create", data["id"])
    assert event["after"]["url"] == URL and "secret" not in event["after"]


def test_no_events_means_every_event_and_repeats_are_dropped(api):
    assert create(api).json["data"]["events"] == []
    twice = create(api, events=["client.created", "client.created"]).json["data"]
    assert twice["events"] == ["client.created"]


@pytest.mark.parametrize(
    "url",
    [
        "http://erp.clinica.com.br/hook",  # plain http outside this machine
        "ftp://erp.clinica.com.br/hook",
        "https://",
        "https://usuario:senha@erp.clinica.com.br/hook",
        "https://erp clinica.com.br/hook",
        "https://erp.clinica.com.br:99999/hook",
        "https://clínica.com.br/hook",
        "erp.clinica.com.br/hook",
        "https://erp.clinica.com.br/" + "a" * 2000,
    ],
)
def test_a_bad_url_is_refused(api, session, url):
    response = create(api, url=url)
    assert response.status_code == 400, response.json
    assert response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == ["url"]
    assert session.exec(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize(
    "url", ["http://localhost:8080/hook", "http://127.0.0.1:9000/x", "HTTPS://ERP.example.com"]
)
def test_https_or_local_http_is_accepted(api, url):
    assert create(api, url=url).status_code == 201


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"url": URL, "events": ["appointment.exploded"]}, "INVALID_PARAMETER", ["events", 0]),
        ({"url": URL, "secret": "mine"}, "INVALID_PARAMETER", ["secret"]),
        ({"events": []}, "MISSING_REQUIRED_FIELD", ["url"]),
        ({"url": URL, "active": "sim"}, "INVALID_PARAMETER", ["active"]),
    ],
)
def test_a_bad_body_is_refused(api, body, code, path):
    response = api.post("/api/v1/webhooks", json=body)
    assert response.status_code == 400
    assert response.json["code"] == code and response.json["details"][0]["path"] == path


def test_list_filters_pages_and_exports(api):
    first = create(api).json["data"]["id"]
    second = create(api, url=URL + "/2", active=False).json["data"]["id"]

    everything = api.get("/api/v1/webhooks").json
    assert [w["id"] for w in everything["data"]] == [first, second]
    assert everything["meta"]["total"] == 2
    assert [w["id"] for w in api.get("/api/v1/webhooks?active=false").json["data"]] == [second]
    assert [w["id"] for w in api.get("/api/v1/webhooks?per_page=1&page=2").json["data"]] == [second]
    exported = api.get("/api/v1/webhooks?format=csv").data.decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["url"] for r in rows] == [URL, URL + "/2"]


def test_patch_changes_what_is_given_and_audits_before_and_after(api):
    webhook = create(api).json["data"]

    response = api.patch(
        f"/api/v1/webhooks/{webhook['id']}",
        json={"url": "https://novo.clinica.com.br/h", "events": ["client.created"]},
    )

    data = response.json["data"]
    assert response.status_code == 200
    assert (data["url"], data["events"], data["active"]) == (
        "https://novo.clinica.com.br/h",
        ["client.created"],
        True,
    )
    [event] = api.get("/api/v1/audit?action=webhook.update").json["data"]
    assert event["before"]["url"] == URL and event["after"]["events"] == ["client.created"]
    unchanged = api.patch(f"/api/v1/webhooks/{webhook['id']}", json={"active": True})
    assert unchanged.status_code == 200
    assert len(api.get("/api/v1/audit?action=webhook.update").json["data"]) == 1
    refused = api.patch(f"/api/v1/webhooks/{webhook['id']}", json={"url": "http://x.com"})
    assert refused.status_code == 400
    assert (
        api.get(f"/api/v1/webhooks/{webhook['id']}").json["data"]["url"].startswith("https://novo")
    )


def test_delete_deactivates_and_keeps_the_log(api, session):
    webhook_id = create(api).json["data"]["id"]
    api.post(f"/api/v1/webhooks/{webhook_id}/test")

    response = api.delete(f"/api/v1/webhooks/{webhook_id}")

    assert response.status_code == 200 and response.json["data"]["active"] is False
    assert api.get(f"/api/v1/webhooks/{webhook_id}").json["data"]["active"] is False
    assert len(api.get(f"/api/v1/webhooks/{webhook_id}/deliveries").json["data"]) == 1
    assert api.delete(f"/api/v1/webhooks/{webhook_id}").status_code == 200
    actions = [e["action"] for e in api.get("/api/v1/audit?resource=webhook").json["data"]]
    assert actions == ["webhook.delete", "webhook.test", "webhook.create"]  # deleted once
    assert session.get(WebhookEndpoint, int(webhook_id)) is not None
    reactivated = api.patch(f"/api/v1/webhooks/{webhook_id}", json={"active": True})
    assert reactivated.json["data"]["active"] is True


def test_a_test_event_is_queued_and_shows_in_the_delivery_log(api, session, clock):
    webhook_id = create(api, events=["client.created"]).json["data"]["id"]

    response = api.post(f"/api/v1/webhooks/{webhook_id}/test")

    assert response.status_code == 202
    queued = response.json["data"]
    assert queued["event_type"] == "webhook.test" and queued["status"] == "pending"
    assert queued["event_id"].startswith("evt_") and queued["attempts"] == 0
    row = session.exec(select(WebhookDelivery)).one()
    assert row.payload["data"] == {"webhook": {"id": webhook_id}}
    assert row.next_attempt_at == clock.now()
    log = api.get(f"/api/v1/webhooks/{webhook_id}/deliveries").json
    assert log["data"] == [queued] and log["meta"]["total"] == 1
    assert api.get(f"/api/v1/webhooks/{webhook_id}/deliveries?status=delivered").json["data"] == []
    by_type = api.get(f"/api/v1/webhooks/{webhook_id}/deliveries?event_type=webhook.test")
    assert len(by_type.json["data"]) == 1
    xml = api.get(f"/api/v1/webhooks/{webhook_id}/deliveries?format=xml")
    assert b"<delivery>" in xml.data and b"webhook.test" in xml.data


def test_an_inactive_webhook_cannot_be_tested(api):
    webhook_id = create(api, active=False).json["data"]["id"]
    response = api.post(f"/api/v1/webhooks/{webhook_id}/test")
    assert response.status_code == 409
    assert response.json["details"][0]["code"] == "webhook_inactive"


def test_a_clinic_has_a_limited_number_of_active_webhooks(api):
    for n in range(MAX_ACTIVE):
        assert create(api, url=f"{URL}/{n}").status_code == 201
    refused = create(api)
    assert refused.status_code == 409
    assert refused.json["details"][0]["code"] == "too_many_webhooks"
    assert create(api, active=False).status_code == 201  # an inactive one costs nothing


def test_another_clinics_webhooks_are_not_found(api, other_api):
    webhook_id = create(api).json["data"]["id"]
    base = f"/api/v1/webhooks/{webhook_id}"

    for method, path in [
        ("GET", base),
        ("PATCH", base),
        ("DELETE", base),
        ("GET", f"{base}/deliveries"),
        ("POST", f"{base}/test"),
    ]:
        kwargs = {"json": {"active": False}} if method == "PATCH" else {}
        response = other_api.request(method, path, **kwargs)
        assert response.status_code == 404, (method, path)
        assert response.json["code"] == "RESOURCE_NOT_FOUND"
    assert other_api.get("/api/v1/webhooks").json["data"] == []
    assert api.get(base).json["data"]["active"] is True


@pytest.mark.parametrize("bad", ["abc", "0x1", "99999999999999999999", "-1"])
def test_ids_that_are_not_ours_are_not_found(api, bad):
    assert api.get(f"/api/v1/webhooks/{bad}").status_code == 404
    assert api.post(f"/api/v1/webhooks/{bad}/test").status_code == 404
