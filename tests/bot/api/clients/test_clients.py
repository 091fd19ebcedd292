"""/api/v1/clients, reading: the Client object, exact filters, paging, formats, search."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from client_helpers import BASE, WHATSAPP_IDS, id_of, names, new, unimed_and_paulista
from conftest import Api
from sqlmodel import Session, select

from models import Appointment, Slot


def test_a_demo_patient_with_the_specs_fieldnames(api: Api, session: Session):
    maria = api.get(f"{BASE}/{id_of(api, 'Maria Oliveira')}").json["data"]
    insurance, location = unimed_and_paulista(session)
    assert maria | {"id": "x", "createdAt": "x", "lastAppointment": "x"} == {
        "id": "x",
        "name": "Maria Oliveira",
        "description": None,
        "phone": "5511987654321",
        "allPhones": ["5511987654321"],
        "cpf": "529.982.247-25",
        "image": None,
        "email": None,
        "birthday": None,
        "externalId": None,
        "healthInsurance": str(insurance),
        "location": str(location),
        "createdAt": "x",
        "updatedAt": None,
        "erasedAt": None,
        "appointmentsCount": 1,
        "lastAppointment": "x",
    }
    assert maria["lastAppointment"].startswith("2025-12-12T")  # two days after "now"


@pytest.mark.parametrize(
    "phone",
    ["5582982136275", "558282136275", "+55 (82) 98213-6275", "(82) 8213-6275", "82982136275"],
)
def test_phone_filter_finds_a_number_stored_without_the_9th_digit(api: Api, phone: str):
    """João is stored as 558282136275 (a real WhatsApp id); any way of writing it finds him."""
    assert names(api.get(BASE, query_string={"phone": phone})) == ["João Pereira"]


@pytest.mark.parametrize(
    "case", [c for c in WHATSAPP_IDS if c["wa_id"].isdigit() and c["wa_id"].startswith("55")]
)
def test_phone_filter_matches_the_fixtures_same_patient_decisions(api: Api, case: dict):
    """A number stored in one form is found by the other form with the same patient key."""
    response = api.post(BASE, json={"name": "Fixture", "phone": case["wa_id"]})
    if response.status_code == 409:  # a demo patient's number already: it must be found too
        stored = {"id": response.json["details"][0]["client_id"]}
    else:
        assert response.status_code == 201, response.json
        stored = response.json["data"]
    others = [
        c["wa_id"]
        for c in WHATSAPP_IDS
        if c["same_patient_key"] == case["same_patient_key"] and c["wa_id"] != case["wa_id"]
    ]
    variant = case["same_patient_key"]  # the 13-digit (with 9) form
    for query in [case["wa_id"], variant, *others]:
        found = api.get(BASE, query_string={"phone": query}).json["data"]
        assert [c["id"] for c in found] == [stored["id"]], query


def test_phone_filter_finds_a_number_stored_with_the_9th_digit_by_the_12_digit_form(api: Api):
    stored = new(api, phone="5531993209107")
    assert [c["id"] for c in api.get(f"{BASE}?phone=553193209107").json["data"]] == [stored["id"]]
    found = api.get(f"{BASE}/search?term=553193209107").json["data"]
    assert [c["id"] for c in found] == [stored["id"]]


def test_a_landline_never_matches_the_mobile_with_a_9(api: Api):
    new(api, phone="551133334444")
    assert names(api.get(f"{BASE}?phone=5511933334444")) == []
    assert len(names(api.get(f"{BASE}?phone=551133334444"))) == 1


@pytest.mark.parametrize("cpf", ["529.982.247-25", "52998224725", " 529.982.247-25 "])
def test_cpf_filter_formatted_or_not(api: Api, cpf: str):
    assert names(api.get(BASE, query_string={"cpf": cpf})) == ["Maria Oliveira"]


def test_a_cpf_filter_without_11_digits_is_a_400(api: Api):
    response = api.get(f"{BASE}?cpf=123")
    assert response.status_code == 400 and response.json["code"] == "INVALID_PARAMETER"
    assert response.json["details"][0]["path"] == ["cpf"]


def test_a_phone_filter_that_is_no_phone_is_a_400(api: Api):
    response = api.get(f"{BASE}?phone=abc")
    assert response.status_code == 400 and response.json["details"][0]["path"] == ["phone"]


def test_email_and_external_id_filters_are_exact(api: Api):
    ana = new(api, email="Ana.Lima@Example.com", externalId="ERP-77")
    assert ana["email"] == "ana.lima@example.com"
    assert names(api.get(f"{BASE}?email=ANA.LIMA@example.COM")) == ["Ana Lima"]
    assert names(api.get(f"{BASE}?email=ana.lima@example")) == []
    assert names(api.get(f"{BASE}?external_id=ERP-77")) == ["Ana Lima"]
    assert names(api.get(f"{BASE}?external_id=erp-77")) == []


def test_text_search_and_creation_dates(api: Api, clock):
    clock.advance(days=1)
    new(api)
    assert names(api.get(f"{BASE}?search=lima")) == ["Ana Lima"]
    assert names(api.get(f"{BASE}?search=oliv")) == ["Maria Oliveira"]
    assert names(api.get(f"{BASE}?search=50%25")) == []  # % is a literal, not a wildcard
    assert names(api.get(f"{BASE}?created_from=2025-12-11")) == ["Ana Lima"]
    assert names(api.get(f"{BASE}?created_to=2025-12-10")) == ["Maria Oliveira", "João Pereira"]
    assert len(names(api.get(f"{BASE}?created_from=0001-01-01&created_to=9999-12-31"))) == 3


def test_limit_offset_and_page_per_page(api: Api):
    new(api)
    everyone = names(api.get(BASE))
    assert everyone == ["Maria Oliveira", "João Pereira", "Ana Lima"]
    page = api.get(f"{BASE}?limit=2&offset=1").json
    assert [c["name"] for c in page["data"]] == everyone[1:]
    assert page["meta"] | {"total_pages": 0} == {
        "page": 1,
        "per_page": 2,
        "total": 3,
        "total_pages": 0,
        "limit": 2,
        "offset": 1,
    }
    second = api.get(f"{BASE}?page=2&per_page=2").json
    assert [c["name"] for c in second["data"]] == ["Ana Lima"]
    assert second["meta"] == {
        "page": 2,
        "per_page": 2,
        "total": 3,
        "total_pages": 2,
        "limit": 2,
        "offset": 2,
    }
    far = api.get(f"{BASE}?limit=1&offset=1000000000").json
    assert far["data"] == [] and far["meta"]["page"] == 1_000_000_001
    assert api.get(f"{BASE}?per_page=1001").status_code == 400
    assert api.get(f"{BASE}?limit=0").status_code == 400


def test_the_list_as_csv_and_xml(api: Api):
    response = api.get(f"{BASE}?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8").removeprefix("\ufeff"))))
    assert [(r["name"], r["phone"], r["cpf"]) for r in rows] == [
        ("Maria Oliveira", "5511987654321", "529.982.247-25"),
        ("João Pereira", "558282136275", ""),
    ]
    xml = api.get(f"{BASE}?format=xml")
    root = ET.fromstring(xml.data)
    assert [e.findtext("name") for e in root.iter("client")] == ["Maria Oliveira", "João Pereira"]
    assert root.findtext("meta/total") == "2"


@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("5511987654321", "Maria Oliveira"),
        ("551187654321", "Maria Oliveira"),
        ("529.982.247-25", "Maria Oliveira"),
        ("52998224725", "Maria Oliveira"),
        ("5582982136275", "João Pereira"),
        ("João Pereira", "João Pereira"),
    ],
)
def test_search_detects_the_kind_of_term(api: Api, term: str, who: str):
    assert names(api.get(f"{BASE}/search", query_string={"term": term})) == [who]


def test_search_by_email_and_the_meta(api: Api):
    new(api, email="ana@example.com")
    body = api.get(f"{BASE}/search?term=ANA@example.com").json
    assert [c["name"] for c in body["data"]] == ["Ana Lima"]
    assert body["meta"]["total"] == 1


def test_search_by_11_digits_that_are_both_a_cpf_and_a_mobile(api: Api):
    """11987654374 is a valid CPF and also DDD 11 + a 9-digit mobile: both are looked up."""
    mobile = new(api, name="Pelo Celular", phone="11987654374")
    assert mobile["phone"] == "5511987654374"
    new(api, name="Pelo CPF", phone="5541988887777", cpf="11987654374")
    new(api, name="Nenhum", phone="5547991767425")
    assert names(api.get(f"{BASE}/search?term=11987654374")) == ["Pelo Celular", "Pelo CPF"]
    assert names(api.get(f"{BASE}/search?term=119.876.543-74")) == ["Pelo CPF"]


def test_clients_of_one_calendar(api: Api, session):
    """TAP4BOOK's /api/clients/{calendarId}: the clients with an appointment in that calendar."""
    appointment = session.exec(select(Appointment).order_by(Appointment.id)).first()
    slot = session.get(Slot, appointment.slot_id)
    calendar = f"{slot.professional_id}-{slot.location_id}"
    listed = api.get("/api/v1/clients", query_string={"calendar_id": calendar}).json["data"]
    assert [c["id"] for c in listed] == [str(appointment.client_id)]
    unknown = api.get("/api/v1/clients", query_string={"calendar_id": "999-999"})
    assert unknown.status_code == 400
    assert unknown.json["details"][0]["path"] == ["calendar_id"]
