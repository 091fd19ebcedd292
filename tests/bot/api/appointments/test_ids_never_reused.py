"""A deleted record's id never names a new one (issue 12, point 8), on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from models import Client, KeyKind, Service, Slot

BASE = "/api/v1/appointments"
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def app(make_app, any_database_url):
    return make_app(any_database_url, SECRET_KEY="test-secret", API_RATE_LIMIT=100_000)


def test_a_permanently_deleted_appointments_id_is_never_given_again(api, client, make_key, session):
    joao = session.exec(select(Client.id).where(Client.name == "João Pereira")).one()
    service = session.exec(select(Service.id).where(Service.name == "Clínica geral")).first()
    free = session.exec(
        select(Slot).where(Slot.start > NOW, Slot.capacity == 1).order_by(col(Slot.start))
    ).all()
    admin = {"x-admin-api-key": make_key(kind=KeyKind.admin, rate_limit=1000), "X-Clinic-Id": "1"}

    def book() -> str:
        for slot in free:
            body = {"client_id": str(joao), "service_id": str(service), "slot_id": str(slot.id)}
            response = api.post(BASE, json=body)
            if response.status_code == 201:
                return response.json["data"]["id"]
        raise AssertionError("no free slot")

    newest = book()
    deleted = client.delete(f"{BASE}/{newest}?delete=true", headers=admin)
    assert deleted.status_code == 200, deleted.json
    assert book() != newest
