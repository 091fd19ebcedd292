"""bot.web.twilio_webhooks through the Flask test client, on a SQLite file.

Every payload in shared/fixtures/twilio is posted and gets the answer its kind deserves, built
from the catalogue (bot/core/texts), never from copied sentences.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import AUTH_TOKEN, FIXTURES, PUBLIC_BASE_URL, SANDBOX
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlmodel import Session, col, select
from twilio.request_validator import RequestValidator

from bot.core.texts import Texts
from bot.demo import DEMO_NUMBERS
from bot.messaging.channels.twilio import verify_signature
from models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    Conversation,
    Direction,
    Location,
    Message,
    Slot,
)

TWILIO = FIXTURES / "twilio"
INBOUND_FIXTURES = sorted(
    path.name
    for path in TWILIO.iterdir()
    if path.suffix in (".form", ".json") and not path.name.startswith(("06", "signature"))
)
STATUS_FIXTURES = sorted(path.name for path in TWILIO.glob("06*.form"))
BUTTON_FIXTURE = "07_quick_reply_button.form"
STATUS_PATH = "/webhooks/twilio/status"
CLINIC_NUMBERS = {f"whatsapp:+{number}" for number in DEMO_NUMBERS}
# The 05* forms were captured against a test number no clinic answers on (as were 03 and 04,
# written to real numbers of other businesses); re-targeted at the demo clinic they are answered.
RETARGETED = sorted(name for name in INBOUND_FIXTURES if name.startswith("05"))
# The demo's patients (bot/demo) write from two of the fixtures' numbers: they are greeted by name.
KNOWN = {"whatsapp:+558282136275": "João", "whatsapp:+5511987654321": "Maria"}
# What each message deserves as the first of a conversation with the clinic: the catalogue key
# of what is said before the menu. "greeting": hello (by name when known). Text is read, even a
# caption under pictures (08); what cannot be read is said so, with the menu all the same.
FIRST_REPLY = {
    "02_br_sandbox_text_ddd82_12digit_waid.form": "greeting",
    "02b_br_sandbox_menu_choice_3_ddd82.form": "greeting",  # "3" before any menu picks nothing
    "03_br_text_ddd13_13digit_waid_messaging_service.form": "greeting",
    "03b_br_dict_ddd85_12digit_waid.json": "greeting",
    "04_br_text_ddd31_12digit_waid_to_landline_style.form": "greeting",
    "05a_real_location.form": "unsupported_location",
    "05b_real_reply_with_quoted_message.form": "greeting",
    "05c_real_shared_contact_vcard.form": "unsupported_contact",
    "05d_fieldshape_image.form": "unsupported_media",
    "05e_fieldshape_voice_note_no_body.form": "unsupported_audio",
    "05f_fieldshape_location_with_label.form": "unsupported_location",
    "08_multiple_media.form": "greeting",
}
# Kinds WhatsApp sends with no captured payload here: 05d's image with another media type.
OTHER_MEDIA = {"sticker": "image/webp", "video": "video/mp4", "document": "application/pdf"}


Form = dict[str, str]


@pytest.fixture
def load(read_form: Callable[[str], Form]) -> Callable[[str], Form]:
    """load(name): a fixture body as the form Twilio posts (the .json one holds the same fields)."""

    def load(name: str) -> Form:
        if name.endswith(".json"):
            return json.loads((TWILIO / name).read_text(encoding="utf-8"))
        return read_form(name)

    return load


def signature(url: str, form: Form, token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio computes for this POST (twilio's own code)."""
    return RequestValidator(token).compute_signature(url, form)


def message_id(form: dict[str, str]) -> str:
    """The id Twilio gives the message (older bodies carry only SmsMessageSid)."""
    return form.get("MessageSid") or form["SmsMessageSid"]


def assert_twiml(response: Any) -> ET.Element:
    """A 200 answer whose body is a TwiML <Response> of <Message> elements only."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    assert all(child.tag == "Message" for child in root)
    return root


def fresh(session: Session, query: Any) -> list[Any]:
    """Rows as committed now, never from the session's cache; no read transaction is left open
    (on SQLite it would hold the write lock the app's next turn needs)."""
    session.expire_all()
    rows = list(session.exec(query).all())
    session.commit()
    return rows


def inbound_rows(session: Session, provider_id: str) -> list[Message]:
    return fresh(
        session,
        select(Message).where(
            Message.provider == "twilio",
            Message.provider_id == provider_id,
            Message.direction == Direction.inbound,
        ),
    )


def count(session: Session, model: type, *where: Any) -> int:
    return fresh(session, select(func.count()).select_from(model).where(*where))[0]


def demo_clinic_id(session: Session) -> int:
    return fresh(session, select(Clinic.id).where(Clinic.slug == "clinica-demo"))[0]


def conversation_of(session: Session, address: str) -> Conversation:
    [conversation] = fresh(session, select(Conversation).where(Conversation.address == address))
    return conversation


def numbered(question: str, labels: list[str]) -> str:
    """A question with its options, as WhatsApp shows them ("1 - Unimed")."""
    return question + "\n\n" + "\n".join(f"{n} - {label}" for n, label in enumerate(labels, 1))


def menu(texts: Texts) -> str:
    """The main menu."""
    options = [texts("menu_book"), texts("menu_appointments"), texts("menu_human")]
    return numbered(texts("menu"), options)


def said_first(texts: Texts, key: str, form: Form, clinic: str) -> str:
    """The line before the menu: a greeting (by name when known) or the catalogue's `key`."""
    if key != "greeting":
        return texts(key)
    name = KNOWN.get(form["From"])
    return texts("greeting_known", name=name) if name else texts("greeting_new", clinic=clinic)


def next_appointment(session: Session, client_name: str) -> tuple[Appointment, str]:
    """The patient's one open appointment and its time as the bot writes it (the unit's zone)."""
    [(appointment, zone)] = fresh(
        session,
        select(Appointment, Location.timezone)
        .join(Client, col(Client.id) == col(Appointment.client_id))
        .join(Slot, col(Slot.id) == col(Appointment.slot_id))
        .join(Location, col(Location.id) == col(Slot.location_id))
        .where(Client.name == client_name, col(Appointment.status).in_(OPEN_STATUSES)),
    )
    start = appointment.start if appointment.start.tzinfo else appointment.start.replace(tzinfo=UTC)
    return appointment, Texts().datetime(start.astimezone(ZoneInfo(zone)))


# -- inbound messages ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", INBOUND_FIXTURES)
def test_every_inbound_fixture_answers_valid_twiml(
    name: str,
    load: Callable[[str], Form],
    post_twilio: Callable[..., Any],
    twiml_messages: Callable[[bytes], list[str]],
    session: Session,
) -> None:
    form = load(name)
    response = post_twilio(form)
    root = assert_twiml(response)
    [stored] = inbound_rows(session, message_id(form))
    if form["To"] in CLINIC_NUMBERS:
        replies = twiml_messages(response.data)
        assert replies
        assert all(reply.strip() for reply in replies)
        assert stored.clinic_id == demo_clinic_id(session)
        assert stored.conversation_id is not None
    else:
        assert len(root) == 0  # no clinic answers on that number: an empty <Response/>
        assert stored.clinic_id is None
        assert stored.conversation_id is None
        assert count(session, Conversation) == 0


def test_the_05_fixtures_write_to_a_number_no_clinic_answers(load: Callable[[str], Form]) -> None:
    # Guards the parametrised tests: every fixture is posted, both branches are exercised.
    assert len(INBOUND_FIXTURES) >= 13
    assert "03b_br_dict_ddd85_12digit_waid.json" in INBOUND_FIXTURES
    assert all(load(name)["To"] == "whatsapp:+15555550100" for name in RETARGETED)
    assert load("08_multiple_media.form")["To"] in CLINIC_NUMBERS


def test_every_fixture_has_the_reply_it_deserves_written_down() -> None:
    # A fixture added to shared/fixtures/twilio must be given its expected answer here.
    files = {path.name for path in TWILIO.iterdir()} - {"signature_vectors.json"}
    assert files == set(FIRST_REPLY) | {BUTTON_FIXTURE} | set(STATUS_FIXTURES)
    assert set(INBOUND_FIXTURES) == set(FIRST_REPLY) | {BUTTON_FIXTURE}


@pytest.mark.parametrize("name", sorted(FIRST_REPLY))
def test_each_fixture_written_to_the_clinic_gets_the_reply_its_kind_deserves(
    name: str,
    load: Callable[[str], Form],
    post_twilio: Callable[..., Any],
    twiml_messages: Callable[[bytes], list[str]],
    session: Session,
) -> None:
    form = load(name) | {"To": SANDBOX}  # post_twilio signs the re-targeted form
    [clinic] = fresh(session, select(Clinic).where(Clinic.id == demo_clinic_id(session)))
    texts = Texts(clinic.texts)

    response = post_twilio(form)

    assert_twiml(response)
    first = said_first(texts, FIRST_REPLY[name], form, clinic.name)
    assert twiml_messages(response.data) == [f"{first}\n\n{menu(texts)}"]
    assert conversation_of(session, form["From"]).state == "menu"


def test_the_menu_choice_after_the_greeting_calls_a_person(
    load: Callable[[str], Form],
    post_twilio: Callable[..., Any],
    twiml_messages: Callable[[bytes], list[str]],
    session: Session,
) -> None:
    # 02b is João's answer to the menu 02 brought: "3", talk to a person.
    greeting = post_twilio(load("02_br_sandbox_text_ddd82_12digit_waid.form"))
    assert menu(Texts()) in twiml_messages(greeting.data)[0]

    response = post_twilio(load("02b_br_sandbox_menu_choice_3_ddd82.form"))

    assert twiml_messages(response.data) == [Texts()("handoff")]
    assert conversation_of(session, "whatsapp:+558282136275").handoff_at is not None


@pytest.mark.parametrize(
    ("payload", "text"),
    [("confirm", "Confirmar"), ("cancel", "Cancelar"), ("reschedule", "Remarcar")],
)
def test_a_reminder_button_does_what_the_button_says(
    payload: str,
    text: str,
    load: Callable[[str], Form],
    post_twilio: Callable[..., Any],
    twiml_messages: Callable[[bytes], list[str]],
    session: Session,
) -> None:
    # 07 is Maria tapping a reminder's button; she has one appointment, so that is the one meant.
    form = load(BUTTON_FIXTURE) | {"ButtonPayload": payload, "ButtonText": text, "Body": text}
    appointment, when = next_appointment(session, "Maria Oliveira")
    texts = Texts()

    replies = twiml_messages(post_twilio(form).data)

    [after] = fresh(session, select(Appointment).where(Appointment.id == appointment.id))
    state = conversation_of(session, form["From"]).state
    if payload == "confirm":
        assert replies == [texts("appointment_confirmed", when=when)]
        assert after.status == AppointmentStatus.confirmed
    elif payload == "cancel":
        assert replies == [texts("ask_cancel_reason")]  # cancelled once the reason is given
        assert (after.status, state) == (AppointmentStatus.scheduled, "cancel_reason")
    else:
        [reply] = replies
        assert reply.startswith(texts("ask_reschedule", when=when))  # ... then the free times
        assert (after.status, state) == (AppointmentStatus.scheduled, "slot")


@pytest.mark.parametrize("name", STATUS_FIXTURES)
def test_a_status_callback_gets_an_empty_answer(
    name: str, read_form: Callable[[str], Form], post_twilio: Callable[..., Any], session: Session
) -> None:
    # What a callback changes is in tests/bot/messaging/test_statuses.py.
    before = count(session, Message)
    response = post_twilio(read_form(name), path=STATUS_PATH)
    assert (response.status_code, response.data) == (204, b"")  # Twilio reads no body here
    assert count(session, Message) == before


@pytest.mark.parametrize("name", [*RETARGETED, *OTHER_MEDIA])
def test_in_the_middle_of_a_booking_the_question_is_asked_again(
    name: str,
    load: Callable[[str], Form],
    post_twilio: Callable[..., Any],
    twiml_messages: Callable[[bytes], list[str]],
    session: Session,
) -> None:
    if name in OTHER_MEDIA:
        form = load("05d_fieldshape_image.form") | {"MediaContentType0": OTHER_MEDIA[name]}
        form["MessageSid"] = f"SM{name}"
    else:
        form = load(name)
    form["To"] = SANDBOX  # post_twilio signs the re-targeted form
    sender = form["From"]
    # First put the same sender in the middle of a booking: the insurance question.
    for number, text in enumerate(("oi", "1"), start=1):
        opening = {"MessageSid": f"SMopen{number}", "From": sender, "To": SANDBOX, "Body": text}
        assert_twiml(post_twilio(opening))
    before = conversation_of(session, sender)
    assert before.state == "insurance"
    labels = before.context["option_labels"]
    texts = Texts()

    response = post_twilio(form)

    assert_twiml(response)
    key = FIRST_REPLY.get(name, "unsupported_media")
    # A text that is no insurance ("Nice") is said to be no option; the rest cannot be read.
    first = texts("not_understood_words") if key == "greeting" else texts(key)
    assert twiml_messages(response.data) == [
        f"{first}\n\n{numbered(texts('ask_insurance'), labels)}"
    ]
    after = conversation_of(session, sender)
    assert after.state == "insurance"
    assert after.context["option_labels"] == labels
    assert "insurance_id" not in after.context
    assert len(inbound_rows(session, message_id(form))) == 1


def test_a_signed_post_without_from_or_to_gets_an_empty_answer(
    post_twilio: Callable[..., Any], session: Session
) -> None:
    root = assert_twiml(post_twilio({"MessageSid": "SMnoaddress", "Body": "oi"}))
    assert len(root) == 0
    assert count(session, Message) == 0


def test_a_redelivered_message_gets_the_same_answer_and_is_stored_once(
    load: Callable[[str], Form],
    post_twilio: Callable[..., Any],
    twiml_messages: Callable[[bytes], list[str]],
    session: Session,
) -> None:
    form = load("02_br_sandbox_text_ddd82_12digit_waid.form")

    first = post_twilio(form)
    state = conversation_of(session, form["From"]).state
    outbound = count(session, Message, Message.direction == Direction.outbound)
    second = post_twilio(form)

    assert_twiml(first)
    assert_twiml(second)
    assert twiml_messages(first.data)  # a real answer, not two empty ones
    assert second.data == first.data
    [inbound] = inbound_rows(session, form["MessageSid"])
    replies = count(session, Message, Message.reply_to_id == inbound.id)
    assert replies == len(twiml_messages(first.data))
    assert count(session, Message, Message.direction == Direction.outbound) == outbound
    assert conversation_of(session, form["From"]).state == state


# -- signatures ---------------------------------------------------------------------------------


def post(client: FlaskClient, form: Form, headers: dict[str, str], **kwargs: Any) -> Any:
    return client.post("/webhooks/twilio", data=form, headers=headers, **kwargs)


def test_a_missing_signature_is_refused(
    client: FlaskClient, read_form: Callable[[str], Form], session: Session
) -> None:
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    assert post(client, form, {}).status_code == 403
    assert count(session, Message) == 0


def test_a_wrong_signature_is_refused(
    client: FlaskClient, read_form: Callable[[str], Form], session: Session
) -> None:
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    url = PUBLIC_BASE_URL + "/webhooks/twilio"
    headers = {"X-Twilio-Signature": signature(url, form, token="another-token")}
    assert post(client, form, headers).status_code == 403
    assert count(session, Message) == 0


def test_a_signature_for_the_http_url_is_refused_when_the_public_url_is_https(
    client: FlaskClient, read_form: Callable[[str], Form]
) -> None:
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    http_url = PUBLIC_BASE_URL.replace("https://", "http://") + "/webhooks/twilio"
    assert http_url.startswith("http://")
    headers = {"X-Twilio-Signature": signature(http_url, form)}
    assert post(client, form, headers).status_code == 403


def test_a_body_altered_after_signing_is_refused(
    client: FlaskClient, read_form: Callable[[str], Form], session: Session
) -> None:
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    headers = {"X-Twilio-Signature": signature(PUBLIC_BASE_URL + "/webhooks/twilio", form)}
    assert post(client, form, headers).status_code == 200  # the same signature is good as sent
    altered = form | {"Body": "cancelar", "MessageSid": "SMaltered"}
    assert post(client, altered, headers).status_code == 403
    assert inbound_rows(session, "SMaltered") == []


def test_the_status_callback_is_signed_too(
    client: FlaskClient, read_form: Callable[[str], Form]
) -> None:
    form = read_form("06a_status_callback_read.form")
    assert client.post(STATUS_PATH, data=form).status_code == 403


def test_without_an_auth_token_webhooks_answer_503(
    make_app: Callable[[str], Flask],
    database_url: str,
    read_form: Callable[[str], Form],
    session: Session,
) -> None:
    app = make_app(database_url)
    app.config["TWILIO_AUTH_TOKEN"] = ""
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    headers = {"X-Twilio-Signature": signature(PUBLIC_BASE_URL + "/webhooks/twilio", form)}
    assert post(app.test_client(), form, headers).status_code == 503
    assert count(session, Message) == 0


@pytest.fixture
def build(make_app: Callable[..., Flask], database_url: str) -> Callable[..., Flask]:
    """build(**settings): an app on the demo database with those settings changed."""
    return lambda **settings: make_app(database_url, **settings)


def test_skipping_signatures_accepts_unsigned_posts_and_warns_loudly(
    build: Callable[..., Flask],
    read_form: Callable[[str], Form],
    twiml_messages: Callable[[bytes], list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        app = build(TWILIO_SKIP_SIGNATURE=True, TWILIO_AUTH_TOKEN="")
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert any("NOT checked" in record.getMessage() for record in warnings)
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    response = post(app.test_client(), form, {})
    assert_twiml(response)
    assert twiml_messages(response.data)


def test_an_app_that_checks_signatures_does_not_warn_about_skipping_them(
    build: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        build()
    assert not any("NOT checked" in record.getMessage() for record in caplog.records)


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.com"}


def test_behind_a_proxy_the_forwarded_https_url_is_the_one_checked(
    build: Callable[..., Flask],
    read_form: Callable[[str], Form],
    twiml_messages: Callable[[bytes], list[str]],
) -> None:
    client = build(PROXY_COUNT=1, PUBLIC_BASE_URL="").test_client()
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    public = {"X-Twilio-Signature": signature("https://bot.example.com/webhooks/twilio", form)}
    local = {"X-Twilio-Signature": signature("http://localhost/webhooks/twilio", form)}

    response = post(client, form, FORWARDED | public, base_url="http://localhost")

    assert_twiml(response)
    assert twiml_messages(response.data)
    # The URL the proxy reached us on is not the one Twilio signed.
    assert post(client, form, FORWARDED | local, base_url="http://localhost").status_code == 403


def test_without_a_proxy_forwarded_headers_are_not_trusted(
    build: Callable[..., Flask], read_form: Callable[[str], Form]
) -> None:
    client = build(PROXY_COUNT=0, PUBLIC_BASE_URL="").test_client()
    form = read_form("02_br_sandbox_text_ddd82_12digit_waid.form")
    public = {"X-Twilio-Signature": signature("https://bot.example.com/webhooks/twilio", form)}
    response = post(client, form, FORWARDED | public, base_url="http://localhost")
    assert response.status_code == 403


def test_the_real_brazilian_vector_validates(read_form: Callable[[str], Form]) -> None:
    vectors = json.loads((TWILIO / "signature_vectors.json").read_text(encoding="utf-8"))
    vector = next(v for v in vectors["vectors"] if "params_file" in v)
    params = read_form(Path(vector["params_file"]).name)
    assert vector["auth_token"] == "12345"
    assert vector["url"] == "https://example.com/webhooks/whatsapp"
    check = {"auth_token": "12345", "url": vector["url"], "params": params}
    assert verify_signature(**check, signature=vector["signature"])
    assert not verify_signature(**check, signature=signature(vector["url"], params, "54321"))
