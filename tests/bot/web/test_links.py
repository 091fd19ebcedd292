"""The signed cancel / reschedule links a patient opens in a browser (bot/web/links.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import Session, col, select

from bot.web.link_tokens import instant, make_token, read_token
from models import (
    Appointment,
    AppointmentEvent,
    Client,
    Clinic,
    KeyKind,
    Location,
    Professional,
    Slot,
    WebhookDelivery,
    WebhookEndpoint,
)

SECRET = "test-secret"
PUBLIC = "https://bot.example.com"
NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def app(make_app, database_url):
    return make_app(database_url, SECRET_KEY=SECRET, API_RATE_LIMIT=100_000)


def maria(session: Session) -> Appointment:
    session.expire_all()
    client_id = session.exec(select(Client.id).where(Client.name == "Maria Oliveira")).one()
    return session.exec(select(Appointment).where(Appointment.client_id == client_id)).one()


def links(api, session: Session) -> dict[str, str]:
    """The paths of Maria's cancel and reschedule pages, as the API hands them out."""
    data = api.get(f"/api/v1/appointments/{maria(session).id}").json["data"]
    return {
        "cancel": data["cancel_url"].removeprefix(PUBLIC),
        "reschedule": data["reschedule_url"].removeprefix(PUBLIC),
    }


def last_event(session: Session, appointment_id: int) -> AppointmentEvent:
    session.expire_all()
    return session.exec(
        select(AppointmentEvent)
        .where(AppointmentEvent.appointment_id == appointment_id)
        .order_by(col(AppointmentEvent.id).desc())
    ).first()


# -- tokens -------------------------------------------------------------------------------------


def test_a_token_names_its_appointment_until_it_starts():
    start = NOW + timedelta(days=2)
    token = make_token(
        SECRET, "cancel", clinic_id=1, appointment_id=7, created_at=NOW, expires=start
    )
    assert read_token(SECRET, "cancel", token, now=NOW) == (1, 7, instant(NOW))
    assert read_token(SECRET, "cancel", token, now=start) is None  # expired
    assert read_token(SECRET, "reschedule", token, now=NOW) is None  # another action
    assert read_token("other-secret", "cancel", token, now=NOW) is None
    assert read_token(SECRET, "cancel", token[:-2] + "xx", now=NOW) is None
    assert read_token("", "cancel", token, now=NOW) is None


# -- cancel -------------------------------------------------------------------------------------


def test_the_cancel_page_shows_the_appointment_and_changes_nothing(api, client, session):
    page = client.get(links(api, session)["cancel"])
    assert page.status_code == 200
    html = page.text
    assert '<html lang="pt-BR">' in html
    assert "Clínica geral com Dra. Ana Souza" in html
    assert "sex, 12/12 às 10:00" in html
    assert "Av. Paulista, 1000" in html
    assert '<form method="post">' in html and "Cancelar consulta" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert maria(session).status == "scheduled"


def test_posting_the_cancel_page_cancels_as_the_patient(api, client, session):
    session.add(
        WebhookEndpoint(clinic_id=1, url="https://erp.example.com/h", secret="s", created_at=NOW)
    )
    session.commit()
    path = links(api, session)["cancel"]
    page = client.post(path, data={"reason": "  Vou viajar  "})
    assert page.status_code == 200
    assert "Consulta cancelada" in page.text and "sex, 12/12 às 10:00" in page.text
    appointment = maria(session)
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Vou viajar"
    event = last_event(session, appointment.id)
    assert (event.actor, event.actor_ref) == ("client", "link")
    deliveries = session.exec(select(WebhookDelivery.event_type)).all()
    assert deliveries == ["appointment.cancelled"]
    # The same link again: the appointment can no longer be changed.
    again = client.post(path)
    assert again.status_code == 409
    assert "não pode mais ser alterada" in again.text and "cancelada" in again.text
    assert "não pode mais ser alterada" in client.get(path).text


@pytest.mark.parametrize(
    "path",
    ["/a/cancel/nonsense", "/a/reschedule/nonsense", "/a/cancel/" + "x" * 300],
)
def test_a_bad_token_is_a_404_page_in_portuguese(client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        assert "Este link não é válido ou já expirou" in response.text


def test_a_cancel_token_does_not_open_the_reschedule_page(api, client, session):
    token = links(api, session)["cancel"].rsplit("/", 1)[1]
    assert client.get(f"/a/reschedule/{token}").status_code == 404


def test_a_link_expires_when_the_appointment_starts(api, client, session, clock):
    path = links(api, session)["cancel"]
    clock.advance(days=2, hours=1)  # Friday 10:00
    assert client.post(path).status_code == 404
    assert maria(session).status == "scheduled"


def test_a_link_of_a_moved_appointment_that_started_says_so(api, client, session, clock):
    path = links(api, session)["cancel"]
    appointment = maria(session)
    # Moved earlier after the link was sent: the old link still verifies, the visit began.
    today = session.exec(
        select(Slot)
        .where(
            Slot.professional_id
            == session.exec(
                select(Professional.id).where(Professional.name == "Dra. Ana Souza")
            ).one(),
            Slot.location_id
            == session.exec(select(Location.id).where(Location.name == "Paulista")).one(),
            Slot.start > NOW,
        )
        .order_by(col(Slot.start))
    ).first()
    response = api.patch(f"/api/v1/appointments/{appointment.id}", json={"slot_id": str(today.id)})
    assert response.status_code == 200
    clock.advance(minutes=45)
    page = client.post(path)
    assert page.status_code == 409 and "O horário desta consulta já chegou" in page.text
    assert maria(session).status == "scheduled"


def test_a_deleted_appointments_link_is_a_404(api, client, session, make_key):
    path = links(api, session)["cancel"]
    admin = {"x-admin-api-key": make_key(kind=KeyKind.admin), "X-Clinic-Id": "1"}
    client.delete(f"/api/v1/appointments/{maria(session).id}?delete=true", headers=admin)
    assert client.get(path).status_code == 404


def test_an_old_link_never_acts_on_a_new_row_under_the_deleted_id(
    api, client, session, make_key, clock
):
    old = maria(session)
    paths = links(api, session)
    admin = {"x-admin-api-key": make_key(kind=KeyKind.admin), "X-Clinic-Id": "1"}
    deleted = client.delete(f"/api/v1/appointments/{old.id}?delete=true", headers=admin)
    assert deleted.status_code == 200, deleted.json
    # Ids are never reused; were a row to get the id anyway, it was created at another instant.
    clock.advance(minutes=1)
    joao = session.exec(select(Client.id).where(Client.name == "João Pereira")).one()
    session.expunge_all()  # the deleted row the session still remembers
    session.add(
        Appointment(
            id=old.id,
            clinic_id=1,
            slot_id=old.slot_id,
            client_id=joao,
            service_id=old.service_id,
            start=old.start,
            end=old.end,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    session.commit()
    for path in paths.values():
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    session.expire_all()
    assert session.get(Appointment, old.id).status == "scheduled"


def test_a_token_without_the_creation_instant_is_not_honoured():
    expires = int((NOW + timedelta(days=2)).timestamp())
    old = URLSafeSerializer(SECRET, salt="agendai.link.cancel").dumps([1, 7, expires])
    assert read_token(SECRET, "cancel", old, now=NOW) is None


def test_clinic_texts_override_the_pages(api, client, session):
    clinic = session.get(Clinic, 1)
    clinic.texts = {"link_cancel_heading": "Desmarcar"}
    session.add(clinic)
    session.commit()
    assert "<h1>Desmarcar</h1>" in client.get(links(api, session)["cancel"]).text


# -- reschedule ---------------------------------------------------------------------------------


def test_the_reschedule_page_lists_free_times_of_the_same_service_and_unit(api, client, session):
    page = client.get(links(api, session)["reschedule"])
    assert page.status_code == 200
    html = page.text
    assert "Remarcar consulta" in html
    assert "Escolha um novo horário para Clínica geral na unidade Paulista" in html
    assert "qua, 10/12 às 09:30 · Dra. Ana Souza" in html  # the next free slot after 09:00
    assert "sex, 12/12 às 10:00" not in html.split("</div>", 1)[1]  # its own slot is not offered
    assert html.count('name="slot_id"') == 8


def first_choice(html: str) -> str:
    return html.split('name="slot_id" value="', 1)[1].split('"', 1)[0]


def test_choosing_a_time_moves_the_appointment(api, client, session):
    path = links(api, session)["reschedule"]
    slot_id = first_choice(client.get(path).text)
    page = client.post(path, data={"slot_id": slot_id})
    assert page.status_code == 200, page.text
    assert "Pronto! Sua consulta foi remarcada para qua, 10/12 às 09:30." in page.text
    appointment = maria(session)
    assert appointment.slot_id == int(slot_id)
    event = last_event(session, appointment.id)
    assert (event.actor, event.actor_ref) == ("client", "link")
    assert event.note.startswith("rescheduled from")


def test_a_time_taken_meanwhile_shows_the_list_again(api, client, session):
    path = links(api, session)["reschedule"]
    slot_id = first_choice(client.get(path).text)
    joao = session.exec(select(Client.id).where(Client.name == "João Pereira")).one()
    booked = api.post(
        "/api/v1/appointments",
        json={"client_id": str(joao), "service_id": "1", "slot_id": slot_id},
    )
    assert booked.status_code == 201
    page = client.post(path, data={"slot_id": slot_id})
    assert page.status_code == 409
    assert "Esse horário acabou de ser ocupado" in page.text
    assert f'value="{slot_id}"' not in page.text
    assert maria(session).slot_id != int(slot_id)


@pytest.mark.parametrize("value", ["", "abc", "¹", "99999999"])
def test_a_bad_choice_shows_the_list_again(api, client, session, value):
    page = client.post(links(api, session)["reschedule"], data={"slot_id": value})
    assert page.status_code == 400 and 'name="slot_id"' in page.text


def test_a_slot_at_another_unit_is_refused(api, client, session):
    pinheiros = session.exec(select(Location.id).where(Location.name == "Pinheiros")).one()
    other = session.exec(
        select(Slot)
        .where(Slot.location_id == pinheiros, Slot.start > NOW)
        .order_by(col(Slot.start))
    ).first()
    page = client.post(links(api, session)["reschedule"], data={"slot_id": str(other.id)})
    assert page.status_code == 400
    assert maria(session).slot_id != other.id


def test_without_a_secret_key_no_token_is_accepted(make_app, database_url, client, api, session):
    path = links(api, session)["cancel"]
    bare = make_app(database_url, SECRET_KEY="")
    assert bare.test_client().get(path).status_code == 404
