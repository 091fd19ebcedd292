"""bot.messaging.channels.twilio: real webhook bodies (shared/fixtures/twilio) and sending."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
from conftest import FIXTURES
from support import (
    STATUS_CALLBACK,
    TWILIO_ACCOUNT,
    FakeTwilioHttp,
    created,
    twilio,
    twilio_error,
)

from bot.messaging.channels.base import (
    Inbound,
    Media,
    OutboundRequest,
    Reply,
    SendError,
    SendResult,
)
from bot.messaging.channels.twilio import (
    PROVIDER,
    parse_inbound,
    parse_status,
    twiml,
    verify_signature,
)

TWILIO = FIXTURES / "twilio"
INBOUND_FILES = sorted(
    path.name
    for path in TWILIO.iterdir()
    if path.suffix in (".form", ".json") and not path.name.startswith(("06", "signature"))
)
STATUS_FILES = sorted(path.name for path in TWILIO.glob("06*.form"))
VECTORS: list[dict[str, Any]] = json.loads(
    (TWILIO / "signature_vectors.json").read_text(encoding="utf-8")
)["vectors"]


def load_form(name: str) -> dict[str, str]:
    """A fixture body as the dict Flask would hand us."""
    text = (TWILIO / name).read_text(encoding="utf-8").strip()
    if name.endswith(".json"):
        return json.loads(text)
    return dict(parse_qsl(text, keep_blank_values=True))


def inbound(name: str) -> Inbound:
    return parse_inbound(load_form(name))


@pytest.mark.parametrize("name", INBOUND_FILES)
def test_every_inbound_fixture_parses_with_addresses_verbatim(name: str) -> None:
    form = load_form(name)
    message = parse_inbound(form)
    assert message.provider == PROVIDER
    assert message.from_address == form["From"]
    assert message.to_address == form["To"]
    assert message.message_id
    assert message.raw == form
    assert parse_status(form) is None  # an inbound message is not a status callback


def test_02_brazilian_sandbox_text() -> None:
    message = inbound("02_br_sandbox_text_ddd82_12digit_waid.form")
    assert message.kind == "text"
    assert message.body == "Olá"
    assert message.from_address == "whatsapp:+558282136275"
    assert message.to_address == "whatsapp:+14155238886"
    assert message.profile_name == "Jhonata"
    assert message.message_id == "SM01cd3925943ee3504f8a5c42d88efdf6"
    assert message.media == ()
    assert message.latitude is None


def test_02b_menu_choice() -> None:
    message = inbound("02b_br_sandbox_menu_choice_3_ddd82.form")
    assert (message.kind, message.body) == ("text", "3")


def test_03_messaging_service_text_with_13_digit_wa_id() -> None:
    message = inbound("03_br_text_ddd13_13digit_waid_messaging_service.form")
    assert (message.kind, message.body) == ("text", "Oi")
    assert message.from_address == "whatsapp:+5513997270748"  # the WaId, 13 digits
    assert message.profile_name == "Camila Cardoso"
    assert message.to_address == "whatsapp:+551151963407"


def test_03b_dict_prefers_message_sid() -> None:
    message = inbound("03b_br_dict_ddd85_12digit_waid.json")
    # SmsMessageSid differs from MessageSid in this capture: MessageSid wins.
    assert message.message_id == "SMa14df2486670aa993e00c0a62a45a329"
    assert (message.kind, message.body) == ("text", "Oii")
    assert message.from_address == "whatsapp:+558599171902"


def test_04_without_message_sid_falls_back_to_sms_message_sid() -> None:
    message = inbound("04_br_text_ddd31_12digit_waid_to_landline_style.form")
    assert message.message_id == "SMba69a2ca48ef1794f03f0521d5733833"
    assert message.body == "Até às 23:59 compro ;)"
    assert message.profile_name is None
    assert message.to_address == "whatsapp:+551142002991"


def test_05a_location() -> None:
    message = inbound("05a_real_location.form")
    assert message.kind == "location"
    assert message.body == ""
    assert message.latitude == pytest.approx(25.018766403198)
    assert message.longitude == pytest.approx(-77.395950317383)


def test_05b_reply_to_quoted_message() -> None:
    message = inbound("05b_real_reply_with_quoted_message.form")
    assert (message.kind, message.body) == ("text", "Nice")
    assert message.replied_to_id == "MM3c146d6483ab26bddabeeedf9565afea"


def test_05c_shared_contact() -> None:
    message = inbound("05c_real_shared_contact_vcard.form")
    assert message.kind == "contacts"
    assert message.body == ""
    assert len(message.media) == 1
    assert message.media[0].content_type == "text/vcard"
    assert message.media[0].url.startswith("https://api.twilio.com/")


def test_05d_image_without_message_type() -> None:
    message = inbound("05d_fieldshape_image.form")
    assert message.kind == "image"
    assert message.body == ""
    assert message.media == (Media("https://api.twilio.com/media/MEimg", "image/jpeg"),)


def test_05e_voice_note_has_no_body() -> None:
    message = inbound("05e_fieldshape_voice_note_no_body.form")
    assert message.kind == "audio"
    assert message.body is None
    assert message.profile_name is None  # no ProfileName (nor WaId) in this shape
    assert message.media == (Media("https://api.twilio.com/media/MEaud", "audio/ogg"),)


def test_05f_location_inferred_from_latitude() -> None:
    message = inbound("05f_fieldshape_location_with_label.form")
    assert message.kind == "location"
    assert message.body is None
    assert message.latitude == pytest.approx(25.018774)
    assert message.longitude == pytest.approx(-77.3959579)
    assert message.raw["Label"] == "Home"


def test_07_quick_reply_button() -> None:
    message = inbound("07_quick_reply_button.form")
    assert message.kind == "button"
    assert message.button_payload == "confirm"
    assert message.button_text == "Confirmar"
    assert message.body == "Confirmar"
    assert message.replied_to_id == "SMout0001"
    assert message.from_address == "whatsapp:+5511987654321"


def test_08_two_media_items() -> None:
    message = inbound("08_multiple_media.form")
    assert message.kind == "image"
    assert message.body == "segue a carteirinha"
    assert message.media == (
        Media("https://api.twilio.com/media/ME1", "image/png"),
        Media("https://api.twilio.com/media/ME2", "image/jpeg"),
    )


@pytest.mark.parametrize("name", STATUS_FILES)
def test_every_status_fixture_parses(name: str) -> None:
    status = parse_status(load_form(name))
    assert status is not None
    assert status.provider == PROVIDER


def test_06a_status_read() -> None:
    status = parse_status(load_form("06a_status_callback_read.form"))
    assert status is not None
    assert (status.provider, status.message_id, status.status) == (PROVIDER, "SMout0001", "read")
    assert status.error_code is None
    assert status.error_message is None


def test_06b_status_failed_with_error_code() -> None:
    status = parse_status(load_form("06b_status_callback_failed.form"))
    assert status is not None
    assert (status.message_id, status.status) == ("SMout0002", "failed")
    assert status.error_code == "30008"
    assert status.error_message == "Unknown error"


def test_a_status_error_message_never_carries_the_full_number() -> None:
    form = load_form("06b_status_callback_failed.form")
    form["ErrorMessage"] = "Message to whatsapp:+5511987654321 could not be delivered"
    status = parse_status(form)
    assert status is not None
    assert status.error_message == "Message to whatsapp:+55*******4321 could not be delivered"


@pytest.mark.parametrize("missing", ["MessageSid", "MessageStatus"])
def test_status_without_sid_or_status_is_none(missing: str) -> None:
    form = load_form("06a_status_callback_read.form")
    del form[missing]
    assert parse_status(form) is None


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/webp", "sticker"),
        ("image/png", "image"),
        ("audio/mpeg", "audio"),
        ("video/mp4", "video"),
        ("text/vcard", "contacts"),
        ("application/pdf", "document"),
        ("model/gltf+json", "unknown"),
    ],
)
def test_kind_inferred_from_first_media_type(content_type: str, kind: str) -> None:
    form = {"From": "whatsapp:+5511987654321", "NumMedia": "1", "MediaUrl0": "https://m/1"}
    form["MediaContentType0"] = content_type
    assert parse_inbound(form).kind == kind


@pytest.mark.parametrize("num_media", ["", "two", "-1", "999999999"])
def test_bad_num_media_is_tolerated(num_media: str) -> None:
    form = {"NumMedia": num_media, "MediaUrl0": "https://m/1", "MediaContentType0": "image/png"}
    assert parse_inbound(form).media == (Media("https://m/1", "image/png"),)


def test_num_media_larger_than_the_urls_sent() -> None:
    form = {"NumMedia": "3", "MediaUrl0": "https://m/1", "MediaContentType0": "image/png"}
    assert len(parse_inbound(form).media) == 1


def test_odd_input_never_raises() -> None:
    message = parse_inbound({"MessageType": "", "MessageSid": ""})
    assert message.from_address == ""
    assert message.to_address == ""
    assert message.message_id is None
    assert message.body is None
    assert message.kind == "text"
    assert parse_inbound({}).kind == "text"


def test_unparseable_coordinates_are_none() -> None:
    message = parse_inbound({"Latitude": "north", "Longitude": "nan"})
    assert message.kind == "location"  # Latitude is present: the caller sees a broken location
    assert message.latitude is None
    assert message.longitude is None


def _vector_params(vector: dict[str, Any]) -> dict[str, str]:
    if "params_file" in vector:
        return load_form(Path(vector["params_file"]).name)
    return dict(vector["params"])


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector["name"])
def test_signature_vectors_validate(vector: dict[str, Any]) -> None:
    params = _vector_params(vector)
    assert verify_signature(
        auth_token=vector["auth_token"],
        url=vector["url"],
        params=params,
        signature=vector["signature"],
    )


def test_signature_signed_over_the_port_443_url() -> None:
    vector = next(vector for vector in VECTORS if "also_valid_for_url_with_port_443" in vector)
    # A different signature: Twilio signed "https://host:443/..." while we know "https://host/...".
    assert vector["also_valid_for_url_with_port_443"] != vector["signature"]
    assert verify_signature(
        auth_token=vector["auth_token"],
        url=vector["url"],
        params=_vector_params(vector),
        signature=vector["also_valid_for_url_with_port_443"],
    )


def _brazilian_vector() -> dict[str, Any]:
    return next(vector for vector in VECTORS if "params_file" in vector)


def test_signature_fails_when_body_is_altered() -> None:
    vector = _brazilian_vector()
    params = _vector_params(vector) | {"Body": "Olá!"}
    assert not verify_signature(
        auth_token=vector["auth_token"],
        url=vector["url"],
        params=params,
        signature=vector["signature"],
    )


def test_signature_fails_for_the_http_url() -> None:
    vector = _brazilian_vector()
    url = vector["url"].replace("https://", "http://", 1)
    assert not verify_signature(
        auth_token=vector["auth_token"],
        url=url,
        params=_vector_params(vector),
        signature=vector["signature"],
    )


@pytest.mark.parametrize("signature", [None, ""])
def test_signature_fails_when_missing_or_empty(signature: str | None) -> None:
    vector = _brazilian_vector()
    assert not verify_signature(
        auth_token=vector["auth_token"],
        url=vector["url"],
        params=_vector_params(vector),
        signature=signature,
    )


def test_signature_fails_with_an_empty_auth_token() -> None:
    vector = _brazilian_vector()
    assert not verify_signature(
        auth_token="",
        url=vector["url"],
        params=_vector_params(vector),
        signature=vector["signature"],
    )


def test_signature_fails_with_the_wrong_auth_token() -> None:
    vector = _brazilian_vector()
    assert not verify_signature(
        auth_token="54321",
        url=vector["url"],
        params=_vector_params(vector),
        signature=vector["signature"],
    )


def test_signature_fails_for_a_malformed_url() -> None:
    vector = _brazilian_vector()
    assert not verify_signature(
        auth_token=vector["auth_token"],
        url="https://example.com:99999/webhooks/whatsapp",
        params=_vector_params(vector),
        signature=vector["signature"],
    )


def _messages(xml: str) -> list[str | None]:
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    assert all(child.tag == "Message" for child in root)
    return [child.text for child in root]


def test_twiml_without_replies_is_an_empty_response() -> None:
    assert _messages(twiml([])) == []


def test_twiml_with_one_reply_escapes_markup() -> None:
    reply = Reply("Olá! *Consulta* às 14h & <sem custo> 😀")
    assert _messages(twiml([reply])) == ["Olá! *Consulta* às 14h & <sem custo> 😀"]


def test_twiml_with_two_replies_renders_options() -> None:
    replies = [Reply("Certo."), Reply("Qual horário?", options=("09:00", "14:30"))]
    assert _messages(twiml(replies)) == ["Certo.", "Qual horário?\n\n1 - 09:00\n2 - 14:30"]


# -- sending, against the requests Twilio would receive -----------------------------------------

MARIA = "whatsapp:+5511987654321"
SANDBOX = "whatsapp:+14155238886"
MESSAGES_PATH = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages.json"
TEMPLATE = "HX" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token"  # what support.twilio() signs in with


def test_twilio_text_is_a_form_post_to_the_messages_resource() -> None:
    http = FakeTwilioHttp((201, created("SM0001")))
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")

    result = twilio(http).send(request)

    assert result == SendResult(provider_id="SM0001", status="queued")
    [sent] = http.requests
    assert sent["method"] == "POST"
    assert sent["url"] == "https://api.twilio.com" + MESSAGES_PATH
    assert sent["auth"] == (TWILIO_ACCOUNT, AUTH_TOKEN)
    assert sent["data"] == {
        "From": SANDBOX,
        "To": MARIA,
        "Body": "Olá!",
        "StatusCallback": STATUS_CALLBACK,
    }


def test_twilio_template_sends_content_sid_and_json_variables_without_a_body() -> None:
    http = FakeTwilioHttp((201, created("SM0002")))
    variables = {"1": "Maria", "2": "qui, 11/12 às 14:00", "3": "Paulista"}
    request = OutboundRequest(
        from_address=SANDBOX, to_address=MARIA, content_sid=TEMPLATE, content_variables=variables
    )

    twilio(http).send(request)

    data = http.requests[0]["data"]
    assert "Body" not in data
    assert data["ContentSid"] == TEMPLATE
    assert json.loads(data["ContentVariables"]) == variables
    assert data["From"] == SANDBOX and data["To"] == MARIA
    assert data["StatusCallback"] == STATUS_CALLBACK


@pytest.mark.parametrize(
    ("answer", "code", "retryable"),
    [
        (twilio_error(63016, 400, "outside the allowed window"), "63016", False),
        (twilio_error(21610, 400, "Attempt to send to unsubscribed recipient"), "21610", False),
        (twilio_error(21211, 400, "Invalid 'To' Phone Number"), "21211", False),
        (twilio_error(20429, 429, "Too Many Requests"), "20429", True),
        (twilio_error(20500, 500, "Internal Server Error"), "20500", True),
        ((503, "<html>Service Unavailable</html>"), "503", True),
    ],
)
def test_twilio_errors_map_to_send_error_with_the_right_retryable(
    answer: tuple[int, Any], code: str, retryable: bool
) -> None:
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")
    with pytest.raises(SendError) as raised:
        twilio(FakeTwilioHttp(answer)).send(request)
    assert raised.value.code == code
    assert raised.value.retryable is retryable


@pytest.mark.parametrize(
    ("failure", "code", "retryable"),
    [
        (requests.ConnectionError("connection refused"), "connection", True),
        (requests.ConnectTimeout("connect timed out"), "connection", True),
        # Twilio may have accepted the message: a retry could reach the patient twice.
        (requests.ReadTimeout("read timed out"), "timeout", False),
    ],
)
def test_network_failures_map_to_send_error(
    failure: BaseException, code: str, retryable: bool
) -> None:
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")
    with pytest.raises(SendError) as raised:
        twilio(FakeTwilioHttp(failure)).send(request)
    assert (raised.value.code, raised.value.retryable) == (code, retryable)


def test_twilio_error_text_never_carries_the_full_number() -> None:
    answer = twilio_error(21211, 400, "The 'To' number whatsapp:+5511987654321 is not valid")
    request = OutboundRequest(from_address=SANDBOX, to_address=MARIA, body="Olá!")
    with pytest.raises(SendError) as raised:
        twilio(FakeTwilioHttp(answer)).send(request)
    assert "5511987654321" not in str(raised.value)
    assert "whatsapp:+55*******4321 is not valid" in str(raised.value)
