"""Helpers shared by the client endpoint tests (test_clients*.py, test_client_*.py)."""

from __future__ import annotations

import json

from conftest import FIXTURES, Api
from sqlmodel import Session, select

from models import HealthInsurance, Location

CPFS = json.loads((FIXTURES / "cpf" / "cpf.json").read_text(encoding="utf-8"))
WHATSAPP_IDS = json.loads((FIXTURES / "phones" / "br_whatsapp_ids.json").read_text("utf-8"))["ids"]
BASE = "/api/v1/clients"


def id_of(api: Api, name: str) -> str:
    """The id of the (first) client with this name."""
    return next(c["id"] for c in api.get(BASE).json["data"] if c["name"] == name)


def names(response) -> list[str]:
    """The names in a 200 list answer."""
    assert response.status_code == 200, response.json
    return [c["name"] for c in response.json["data"]]


def new(api: Api, **fields) -> dict:
    """Create a client (Ana Lima, 5585999171902, unless overridden); its data."""
    response = api.post(BASE, json={"name": "Ana Lima", "phone": "5585999171902"} | fields)
    assert response.status_code == 201, response.json
    return response.json["data"]


def unimed_and_paulista(session: Session, clinic_id: int = 1) -> tuple[int, int]:
    """The ids of the clinic's Unimed insurance and Paulista unit."""
    insurance = session.exec(
        select(HealthInsurance.id).where(
            HealthInsurance.clinic_id == clinic_id, HealthInsurance.name == "Unimed"
        )
    ).one()
    location = session.exec(
        select(Location.id).where(Location.clinic_id == clinic_id, Location.name == "Paulista")
    ).one()
    return insurance, location
