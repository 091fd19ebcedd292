"""API keys: created once and shown once, stored as a hash, checked, revoked, scoped."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from bot.api import keys
from models import ApiKey, Clinic, KeyKind, new_session

KEY = re.compile(r"^agd_(live|test|admin)_[A-Za-z0-9_-]{43}$")


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_create_prints_the_key_once_and_stores_only_its_hash(app, session):
    result = run(app, "keys", "create", "--clinic", "1", "--name", "ERP")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert KEY.match(key) and key.startswith("agd_live_")
    row = session.exec(select(ApiKey)).one()
    assert row.name == "ERP" and row.clinic_id == 1
    assert row.hash == keys.digest(key) and key not in (row.hash, row.prefix)
    assert key.startswith(row.prefix) and len(row.prefix) == len("agd_live_") + keys.VISIBLE
    listed = run(app, "keys", "list")
    assert row.prefix in listed.output and key not in listed.output


def test_a_key_authenticates_by_either_header(app, client):
    key = run(app, "keys", "create", "--clinic", "1", "--name", "ERP").stdout.strip()
    for headers in ({"x-api-key": key}, {"Authorization": f"Bearer {key}"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 200, response.json
        assert response.json["data"]["clinic_id"] == "1"
        assert response.json["data"]["rate_limit_per_minute"] == 60


def test_missing_wrong_and_revoked_keys_are_refused(app, client, session):
    assert client.get("/api/v1/me").json["code"] == "AUTH_REQUIRED"
    assert client.get("/api/v1/me").status_code == 401
    key = run(app, "keys", "create", "--clinic", "1", "--name", "ERP").stdout.strip()
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    for bad in (tampered, "agd_live_", "nonsense", "Bearer", "x" * 500):
        response = client.get("/api/v1/me", headers={"x-api-key": bad})
        assert (response.status_code, response.json["code"]) == (401, "AUTH_INVALID"), bad
    prefix = session.exec(select(ApiKey.prefix)).one()
    assert run(app, "keys", "revoke", prefix).exit_code == 0
    response = client.get("/api/v1/me", headers={"x-api-key": key})
    assert response.json["code"] == "AUTH_INVALID"


def test_last_use_is_recorded(app, api, session, clock):
    assert session.exec(select(ApiKey.last_used_at)).one() is None
    assert api.get("/api/v1/me").status_code == 200
    assert session.exec(select(ApiKey.last_used_at)).one() == clock.now()
    clock.advance(minutes=5)
    api.get("/api/v1/me")
    session.expire_all()
    assert session.exec(select(ApiKey.last_used_at)).one() == clock.now()


def test_sandbox_keys_reach_a_generated_sandbox_clinic_never_the_real_one(
    app, client, session, clock
):
    result = run(app, "keys", "create", "--clinic", "1", "--name", "dev", "--sandbox")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("agd_test_")
    sandbox = session.exec(select(Clinic).where(Clinic.sandbox_of_id == 1)).one()
    me = client.get("/api/v1/me", headers={"x-api-key": key}).json["data"]
    assert me["kind"] == "test" and me["clinic_id"] == str(sandbox.id) != "1"
    # A second sandbox key reuses the same sandbox clinic.
    run(app, "keys", "create", "--clinic", "1", "--name", "dev2", "--sandbox")
    assert len(session.exec(select(Clinic).where(Clinic.sandbox_of_id == 1)).all()) == 1
    # A sandbox key cannot be made for a real clinic directly, nor a live key for a sandbox.
    with new_session(app.extensions["agendai.engine"]) as other:
        for clinic_id, kind in ((1, KeyKind.test), (sandbox.id, KeyKind.live)):
            with pytest.raises(keys.InvalidKeyRequest):
                keys.create(other, clinic_id=clinic_id, name="x", kind=kind, now=clock.now())


def test_admin_keys_work_across_clinics_with_the_clinic_header(app, client, other_clinic):
    result = run(app, "keys", "create", "--admin", "--name", "ops")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("agd_admin_")
    admin = {"x-admin-api-key": key}
    clinics = client.get("/api/v1/admin/clinics", headers=admin).json["data"]
    assert {c["id"] for c in clinics} >= {"1", str(other_clinic)}
    # An admin key is not a clinic key, and a clinic key is not an admin key.
    assert client.get("/api/v1/me", headers={"x-api-key": key}).status_code == 401
    live = run(app, "keys", "create", "--clinic", "1", "--name", "ERP").stdout.strip()
    assert client.get("/api/v1/admin/clinics", headers={"x-api-key": live}).status_code == 403
    assert client.get("/api/v1/me", headers={"x-admin-api-key": live}).status_code == 401
    # On clinic endpoints an admin names the clinic.
    missing = client.get("/api/v1/audit", headers=admin)
    assert missing.status_code == 400 and missing.json["details"][0]["path"] == ["X-Clinic-Id"]
    for clinic in ("1", str(other_clinic)):
        response = client.get("/api/v1/audit", headers=admin | {"X-Clinic-Id": clinic})
        assert response.status_code == 200
    assert client.get("/api/v1/audit", headers=admin | {"X-Clinic-Id": "999"}).status_code == 404


def test_cli_refuses_what_cannot_work(app):
    assert run(app, "keys", "create", "--name", "x").exit_code == 2
    assert run(app, "keys", "create", "--clinic", "999", "--name", "x").exit_code == 2
    assert run(app, "keys", "create", "--admin", "--sandbox", "--name", "x").exit_code == 2
    assert (
        run(app, "keys", "create", "--clinic", "1", "--name", "x", "--rate-limit", "0").exit_code
        == 2
    )
    assert run(app, "keys", "revoke", "agd_live_nothing").exit_code == 2
