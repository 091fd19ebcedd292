"""/api/v1/conversations: the bot's conversations and transcripts, read-only, one clinic each.

The conversations are made the real way: patients writing through the signed Twilio webhook.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import col, select

from models import Client, Conversation, Message

MARIA = "+5511987654321"  # a demo patient, recognised by her phone
NEW = "+5582912345678"


@pytest.fixture
def chats(patient, clock, session) -> dict[str, str]:
    """Maria says hello on Wednesday; a new patient asks for a human on Thursday."""
    patient(MARIA, "Maria").says("oi")
    clock.advance(days=1)
    stranger = patient(NEW, "Jhonata")
    stranger.says("oi")
    stranger.says("atendente")
    rows = session.exec(select(Conversation).order_by(col(Conversation.id))).all()
    return {"maria": str(rows[0].id), "new": str(rows[1].id)}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["data"]]


def test_the_list_shows_the_latest_first_with_who_and_where(api, chats, session):
    body = api.get("/api/v1/conversations").json

    assert [c["id"] for c in body["data"]] == [chats["new"], chats["maria"]]
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 2, "total_pages": 1}
    new, maria = body["data"]
    assert new["address"] == "whatsapp:+5582912345678" and new["handoff"] is True
    assert new["handoff_at"] is not None and new["message_count"] == 4
    maria_id = session.exec(select(Client.id).where(Client.name == "Maria Oliveira")).one()
    assert maria["client_id"] == str(maria_id) and maria["handoff"] is False
    assert maria["last_inbound_at"] == "2025-12-10T12:00:00+00:00"


def test_filters(api, chats, session):
    maria_id = session.exec(select(Client.id).where(Client.name == "Maria Oliveira")).one()
    state = session.get(Conversation, int(chats["maria"])).state
    base = "/api/v1/conversations"

    assert ids(api.get(f"{base}?handoff=true")) == [chats["new"]]
    assert ids(api.get(f"{base}?handoff=false")) == [chats["maria"]]
    assert ids(api.get(f"{base}?client_id={maria_id}")) == [chats["maria"]]
    assert chats["maria"] in ids(api.get(f"{base}?state={state}"))
    assert ids(api.get(f"{base}?state=no_such_step")) == []
    # Dates are whole days in the clinic's zone (São Paulo); moments are exact.
    assert ids(api.get(f"{base}?last_inbound_from=2025-12-11")) == [chats["new"]]
    assert ids(api.get(f"{base}?last_inbound_to=2025-12-10")) == [chats["maria"]]
    assert ids(api.get(f"{base}?updated_from=2025-12-10&updated_to=2025-12-10")) == [chats["maria"]]
    assert ids(api.get(f"{base}?updated_to=2025-12-10T11:59:59Z")) == []
    assert ids(api.get(f"{base}?updated_to=2025-12-10T09:00:00-03:00")) == [chats["maria"]]
    assert ids(api.get(f"{base}?updated_from=2025-12-11T09:00:00")) == [chats["new"]]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("updated_from=10/12/2025", "INVALID_DATE_FORMAT", "updated_from"),
        ("last_inbound_to=2025-02-30", "INVALID_DATE_FORMAT", "last_inbound_to"),
        ("updated_to=0001-01-01T00:00:00+05:00", "INVALID_DATE_FORMAT", "updated_to"),
        ("client_id=abc", "INVALID_PARAMETER", "client_id"),
        ("handoff=talvez", "INVALID_PARAMETER", "handoff"),
    ],
)
def test_bad_filters_are_refused(api, query, code, field):
    response = api.get(f"/api/v1/conversations?{query}")
    assert response.status_code == 400
    assert response.json["code"] == code and response.json["details"][0]["path"] == [field]


def test_one_conversation(api, chats):
    response = api.get(f"/api/v1/conversations/{chats['new']}")

    data = response.json["data"]
    assert response.status_code == 200
    assert data["id"] == chats["new"] and data["profile_name"] == "Jhonata"
    assert data["message_count"] == 4 and data["handoff"] is True
    assert data["client_id"] is None and data["opted_out_at"] is None
    assert data["last_inbound_at"] == "2025-12-11T12:00:00+00:00"
    assert "context" not in data


def test_the_transcript_is_oldest_first(api, chats, session):
    body = api.get(f"/api/v1/conversations/{chats['new']}/messages").json

    directions = [m["direction"] for m in body["data"]]
    assert directions == ["inbound", "outbound", "inbound", "outbound"]
    assert [m["body"] for m in body["data"]][::2] == ["oi", "atendente"]
    stored = session.exec(
        select(Message)
        .where(Message.conversation_id == int(chats["new"]))
        .order_by(col(Message.id))
    ).all()
    assert [m["body"] for m in body["data"]] == [m.body for m in stored]
    assert body["meta"]["total"] == 4
    inbound = api.get(f"/api/v1/conversations/{chats['new']}/messages?direction=inbound").json
    assert [m["body"] for m in inbound["data"]] == ["oi", "atendente"]
    second_page = api.get(f"/api/v1/conversations/{chats['new']}/messages?per_page=3&page=2")
    assert [m["body"] for m in second_page.json["data"]] == [stored[3].body]


def test_the_transcript_exports_to_csv(api, chats):
    response = api.get(f"/api/v1/conversations/{chats['new']}/messages?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8").removeprefix("\ufeff"))))
    assert [r["direction"] for r in rows][:2] == ["inbound", "outbound"]
    assert rows[0]["body"] == "oi"


def test_another_clinics_conversations_are_not_found(api, other_api, chats):
    for path in (
        f"/api/v1/conversations/{chats['new']}",
        f"/api/v1/conversations/{chats['new']}/messages",
    ):
        response = other_api.get(path)
        assert response.status_code == 404 and response.json["code"] == "RESOURCE_NOT_FOUND"
    assert other_api.get("/api/v1/conversations").json["data"] == []
    assert api.get(f"/api/v1/conversations/{chats['new']}").status_code == 200


@pytest.mark.parametrize("bad", ["abc", "999999", "1e3"])
def test_unknown_ids_are_not_found(api, bad):
    assert api.get(f"/api/v1/conversations/{bad}").status_code == 404
    assert api.get(f"/api/v1/conversations/{bad}/messages").status_code == 404


def test_conversations_are_read_only(api, chats):
    for method in ("POST", "PATCH", "DELETE", "PUT"):
        response = api.request(method, f"/api/v1/conversations/{chats['new']}", json={})
        assert response.status_code == 405, method
