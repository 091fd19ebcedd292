"""Twilio WhatsApp: parse webhook bodies, verify their signature, render TwiML, send messages."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

from requests import exceptions as http_errors
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot.brazil.phones import mask
from bot.messaging.channels.base import (
    PERMANENT_CODES,
    RETRYABLE_CODES,
    Inbound,
    Media,
    OutboundRequest,
    Reply,
    SendError,
    SendResult,
    StatusUpdate,
)

PROVIDER = "twilio"

# Twilio attaches at most 10 media items; the cap also bounds a bogus NumMedia.
_MAX_MEDIA = 10
_MESSAGE_ID_FIELDS = ("MessageSid", "SmsMessageSid", "SmsSid")
_KIND_BY_MEDIA_FAMILY = {"image": "image", "audio": "audio", "video": "video"}
_VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard"})


def _text(form: Mapping[str, str], key: str) -> str | None:
    """The field's value, or None when it is absent or blank."""
    value = form.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _float(value: str | None) -> float | None:
    """A finite float parsed from the field, else None."""
    try:
        number = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


def _media_count(form: Mapping[str, str]) -> int:
    """How many MediaUrlN fields to read; a missing or garbled NumMedia reads all present ones."""
    try:
        count = int(form.get("NumMedia") or "")
    except (TypeError, ValueError):
        return _MAX_MEDIA
    return _MAX_MEDIA if count < 0 else min(count, _MAX_MEDIA)


def _media(form: Mapping[str, str]) -> tuple[Media, ...]:
    """Every MediaUrlN / MediaContentTypeN pair the message carries."""
    items = []
    for index in range(_media_count(form)):
        url = _text(form, f"MediaUrl{index}")
        if url is not None:
            content_type = _text(form, f"MediaContentType{index}") or ""
            items.append(Media(url=url, content_type=content_type))
    return tuple(items)


def _kind_of_media(content_type: str) -> str:
    """The message kind WhatsApp uses for a media item of this MIME type."""
    content_type = content_type.strip().lower()
    if content_type == "image/webp":
        return "sticker"
    if content_type in _VCARD_TYPES:
        return "contacts"
    family = content_type.partition("/")[0]
    if family in _KIND_BY_MEDIA_FAMILY:
        return _KIND_BY_MEDIA_FAMILY[family]
    # WhatsApp sends PDFs, spreadsheets and plain-text files alike as documents.
    return "document" if family in ("application", "text") else "unknown"


def _kind(form: Mapping[str, str], media: tuple[Media, ...]) -> str:
    """MessageType when Twilio sent one, else inferred from location and media fields."""
    message_type = _text(form, "MessageType")
    if message_type is not None:
        return message_type.strip().lower()
    if _text(form, "Latitude") is not None:
        return "location"
    if media:
        return _kind_of_media(media[0].content_type)
    return "text"


def parse_inbound(form: Mapping[str, str]) -> Inbound:
    """An incoming Twilio WhatsApp webhook body as a provider-neutral Inbound; never raises."""
    media = _media(form)
    message_id = next(filter(None, (_text(form, key) for key in _MESSAGE_ID_FIELDS)), None)
    return Inbound(
        provider=PROVIDER,
        message_id=message_id,
        from_address=form.get("From") or "",
        to_address=form.get("To") or "",
        body=form.get("Body"),
        kind=_kind(form, media),
        profile_name=_text(form, "ProfileName"),
        media=media,
        button_payload=_text(form, "ButtonPayload"),
        button_text=_text(form, "ButtonText"),
        replied_to_id=_text(form, "OriginalRepliedMessageSid"),
        latitude=_float(form.get("Latitude")),
        longitude=_float(form.get("Longitude")),
        raw=dict(form),
    )


def parse_status(form: Mapping[str, str]) -> StatusUpdate | None:
    """A delivery status callback, or None when MessageSid or MessageStatus is missing."""
    message_id = _text(form, "MessageSid")
    status = _text(form, "MessageStatus")
    if message_id is None or status is None:
        return None
    return StatusUpdate(
        provider=PROVIDER,
        message_id=message_id,
        status=status.strip().lower(),
        error_code=_text(form, "ErrorCode"),
        error_message=_masked(_text(form, "ErrorMessage")),
    )


def verify_signature(
    *, auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """True when X-Twilio-Signature matches the public URL and POST params under auth_token."""
    if not auth_token or not signature:
        return False
    try:
        # The validator also accepts the ':443' form of the URL, which Twilio sometimes signs.
        return RequestValidator(auth_token).validate(url, params, signature)
    except (TypeError, ValueError):
        # A malformed URL (bad port) or non-text params cannot carry a valid signature.
        return False


def twiml(replies: Sequence[Reply]) -> str:
    """A TwiML <Response> with one <Message> per reply; an empty <Response/> for none."""
    response = MessagingResponse()
    for reply in replies:
        response.message(reply.render())
    return str(response)


# -- sending --------------------------------------------------------------------------------------

SEND_TIMEOUT_SECONDS = 15.0
_DIGIT_RUN = re.compile(r"\+?\d[\d ()-]{6,}\d")


class TwilioTransport:
    """Sends WhatsApp messages through Twilio's Messages API, with a delivery status callback."""

    name = PROVIDER

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        status_callback_url: str,
        http_client: HttpClient | None = None,
    ) -> None:
        self.status_callback_url = status_callback_url
        # twilio's default HTTP client waits forever; a worker must not hang on one message.
        http_client = http_client or TwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS)
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def send(self, request: OutboundRequest) -> SendResult:
        """Create the message at Twilio: its SID and status, or SendError."""
        try:
            created = self.client.messages.create(**self._arguments(request))
        except (TwilioRestException, TwilioServiceException) as error:
            raise _rest_error(error) from None
        except http_errors.ConnectionError as error:
            # Includes connect timeouts: Twilio never saw the request.
            raise SendError(
                f"Twilio unreachable: {type(error).__name__}", code="connection", retryable=True
            ) from None
        except http_errors.Timeout:
            # Twilio may have accepted it: retrying could send the message twice.
            raise SendError("no answer from Twilio in time", code="timeout") from None
        return SendResult(provider_id=str(created.sid), status=str(created.status or "queued"))

    def _arguments(self, request: OutboundRequest) -> dict[str, str]:
        """messages.create() keyword arguments: From/To, Body or ContentSid/ContentVariables."""
        arguments = {
            "from_": request.from_address,
            "to": request.to_address,
            "status_callback": self.status_callback_url,
        }
        if request.content_sid:
            arguments["content_sid"] = request.content_sid
            arguments["content_variables"] = json.dumps(
                request.content_variables or {}, ensure_ascii=False
            )
        else:
            arguments["body"] = request.body or ""
        return arguments


def _rest_error(error: TwilioRestException | TwilioServiceException) -> SendError:
    """An error answer from Twilio as SendError: 5xx and rate limits may pass later, 4xx not."""
    code = str(error.code) if error.code is not None else None
    status = int(error.status or 0)
    retryable = code not in PERMANENT_CODES and (
        status >= 500 or status == 429 or code in RETRYABLE_CODES
    )
    detail = _masked(str(getattr(error, "msg", "") or getattr(error, "detail", "") or ""))
    return SendError(
        f"Twilio answered {status} (error {code}): {detail}", code=code, retryable=retryable
    )


def _masked(text: str | None) -> str | None:
    """Twilio's error texts may quote the patient's number: never keep or log a full one."""
    return _DIGIT_RUN.sub(lambda match: mask(match.group(0)), text) if text else text
