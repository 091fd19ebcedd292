"""WhatsApp addresses -> patient lookup keys, typed phone numbers, and log-safe masking.

The reply address is never rewritten: answer exactly the address that wrote. Only the lookup key
is normalised, because Brazilian mobiles arrive both with and without the 9th digit.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

BRAZIL_COUNTRY_CODE = "55"

# Real Brazilian area codes (DDD); a 12-digit id under any other code is left alone.
BRAZIL_DDDS: frozenset[str] = frozenset(
    [str(code) for code in range(11, 20)]
    + ["21", "22", "24", "27", "28"]
    + [str(code) for code in range(31, 36)]
    + ["37", "38"]
    + [str(code) for code in range(41, 50)]
    + ["51", "53", "54", "55"]
    + [str(code) for code in range(61, 70)]
    + ["71", "73", "74", "75", "77", "79"]
    + [str(code) for code in range(81, 90)]
    + [str(code) for code in range(91, 100)]
)

_CHANNEL_PREFIX = re.compile(r"^[a-z][a-z0-9-]*:", re.IGNORECASE)
# Meta business-scoped user id: ISO country, optional "ENT." (parent BSUID), alphanumerics.
_USERNAME_ID = re.compile(r"^[A-Za-z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")
_PHONE_SHAPED = re.compile(r"^\+?[\d\s().\-]*\d[\d\s().\-]*$")
# A formatted CPF has 11 digits, like a Brazilian mobile with DDD: never read it as a phone.
_CPF_SHAPE = re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$")
_MOBILE_FIRST_DIGITS = frozenset("6789")
_LANDLINE_OR_MOBILE_FIRST_DIGITS = frozenset("23456789")
_KEPT_TAIL = 4
_MIN_MASKABLE_DIGITS = 8


def _split_channel(address: str) -> tuple[str, str]:
    """Split 'whatsapp:+55...' into ('whatsapp:', '+55...'); no prefix gives ('', address)."""
    address = address.strip()
    match = _CHANNEL_PREFIX.match(address)
    if match is None:
        return "", address
    return match.group(0), address[match.end() :]


def is_username_id(address: str) -> bool:
    """True for a WhatsApp username id (BSUID such as 'US.1349...'), which carries no phone."""
    _, rest = _split_channel(address)
    return _USERNAME_ID.match(rest) is not None


def digits_of(address: str) -> str | None:
    """The digits of a phone address ('whatsapp:+55 (82) 8213-6275' -> '558282136275')."""
    _, rest = _split_channel(address)
    if _PHONE_SHAPED.match(rest) is None:
        return None
    return "".join(char for char in rest if char.isdigit())


def _with_ninth_digit(digits: str) -> str:
    """Insert the mobile 9 into a 12-digit Brazilian mobile; anything else is returned unchanged."""
    if len(digits) != 12 or not digits.startswith(BRAZIL_COUNTRY_CODE):
        return digits
    ddd, subscriber = digits[2:4], digits[4:]
    if ddd not in BRAZIL_DDDS or subscriber[0] not in _MOBILE_FIRST_DIGITS:
        return digits
    return BRAZIL_COUNTRY_CODE + ddd + "9" + subscriber


def phone_key(address: str) -> str:
    """The same-patient key: digits with the Brazilian mobile 9th digit; username ids as-is."""
    _, rest = _split_channel(address)
    if is_username_id(rest):
        return rest
    digits = digits_of(rest)
    if digits is None:
        return rest
    return _with_ninth_digit(digits)


def lookup_keys(address: str) -> tuple[str, ...]:
    """Every key under which this address may be stored; empty for an empty address."""
    key = phone_key(address)
    # An empty key would match every record stored without a phone.
    return (key,) if key else ()


def _is_plausible(number: phonenumbers.PhoneNumber) -> bool:
    """Brazil: DDD + 8 digits (landline or old mobile) or DDD + 9xxxxxxxx; elsewhere: valid."""
    if str(number.country_code) != BRAZIL_COUNTRY_CODE:
        return phonenumbers.is_valid_number(number)
    # is_valid_number rejects the 8-digit mobile form patients still type, so check the shape.
    national = str(number.national_number)
    if national[:2] not in BRAZIL_DDDS:
        return False
    if len(national) == 11:
        return national[2] == "9"
    return len(national) == 10 and national[2] in _LANDLINE_OR_MOBILE_FIRST_DIGITS


def parse_typed_phone(text: str, *, default_region: str = "BR") -> str | None:
    """The one phone number in a chat message as E.164 digits without '+', else None."""
    found: set[str] = set()
    for match in PhoneNumberMatcher(text, default_region, leniency=Leniency.POSSIBLE):
        if _CPF_SHAPE.match(match.raw_string.strip()) or not _is_plausible(match.number):
            continue
        found.add(f"{match.number.country_code}{match.number.national_number}")
    # Two different numbers are ambiguous: better to ask again than to pick one.
    return found.pop() if len(found) == 1 else None


def _country_code_of(digits: str) -> str:
    """The leading ITU country code of an E.164 digit string ('' when none is known)."""
    for length in (1, 2, 3):
        if int(digits[:length]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return digits[:length]
    return ""


def _mask_username_id(rest: str) -> str:
    """'US.13491208655302741918' -> 'US.****************1918'."""
    prefix, _, tail = rest.rpartition(".")
    if len(tail) <= _KEPT_TAIL:
        return f"{prefix}.{'*' * len(tail)}"
    return f"{prefix}.{'*' * (len(tail) - _KEPT_TAIL)}{tail[-_KEPT_TAIL:]}"


def mask(address: str) -> str:
    """A log-safe form: country code and last 4 digits only ('whatsapp:+55******6275')."""
    channel, rest = _split_channel(address)
    if is_username_id(rest):
        return channel + _mask_username_id(rest)
    digits = digits_of(rest)
    if digits is None:
        return channel + "*" * len(rest)
    plus = "+" if rest.startswith("+") else ""
    if len(digits) < _MIN_MASKABLE_DIGITS:
        # Too short to show any part without revealing most of it.
        return channel + plus + "*" * len(digits)
    country = _country_code_of(digits)
    hidden = len(digits) - len(country) - _KEPT_TAIL
    return channel + plus + country + "*" * hidden + digits[-_KEPT_TAIL:]
