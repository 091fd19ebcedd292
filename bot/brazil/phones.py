"""WhatsApp addresses -> patient lookup keys, typed phone numbers, and log-safe masking.

The one copy of Brazil's phone rules: area codes (DDD), the mobile 9th digit, mobile vs
landline, national vs +55. The reply address is never rewritten: answer exactly the address that
wrote. Only the lookup key is normalised, because Brazilian mobiles arrive both with and without
the 9th digit.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from bot.brazil.cpf import FORMATTED_CPF

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
# "(82) ..." or "(082) ...": an area code in parentheses is the national way of writing.
_AREA_IN_PARENTHESES = re.compile(r"^\(\s*0?[0-9]{2}\s*\)")
# After the DDD: a mobile's 9 digits start with 9; eight digits are a landline (2-5) or a
# mobile written without its 9th digit (6-9). 0 and 1 start no subscriber number.
_MOBILE_FIRST_DIGITS = frozenset("6789")
_LANDLINE_FIRST_DIGITS = frozenset("2345")
_NATIONAL_LENGTHS = (10, 11)  # DDD + 8, DDD + 9
_SUBSCRIBER_DIGITS = 8  # the part after the 9th digit
_INTERNATIONAL_LENGTHS = range(8, 16)  # E.164 allows at most 15 digits
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


def is_national(digits: str) -> bool:
    """A Brazilian number without +55: a real DDD, then 9 digits starting with 9 (mobile) or
    8 digits (landline, or a mobile written without its 9th digit)."""
    if len(digits) not in _NATIONAL_LENGTHS or not digits.isascii() or not digits.isdigit():
        return False
    ddd, subscriber = digits[:2], digits[2:]
    if ddd not in BRAZIL_DDDS:
        return False
    if len(subscriber) == 9:
        return subscriber[0] == "9"
    return subscriber[0] in _LANDLINE_FIRST_DIGITS | _MOBILE_FIRST_DIGITS


def _with_ninth_digit(digits: str) -> str:
    """Insert the mobile 9 into a 12-digit Brazilian mobile; anything else is returned unchanged."""
    national = digits.removeprefix(BRAZIL_COUNTRY_CODE)
    if len(digits) != 12 or national == digits or not is_national(national):
        return digits
    if national[2] not in _MOBILE_FIRST_DIGITS:  # a landline never gets a 9
        return digits
    return BRAZIL_COUNTRY_CODE + national[:2] + "9" + national[2:]


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


def shared_tail(key: str) -> str | None:
    """What every written form of a phone key ends with: its last 8 digits, which come after
    Brazil's 9th digit; None for a key that is no number (a username id)."""
    return key[-_SUBSCRIBER_DIGITS:] if key.isascii() and key.isdigit() else None


def number_of(address: str) -> str:
    """What a patient's record keeps of an address: its digits, or the username id itself."""
    return digits_of(address) or phone_key(address)


def normalize_phone(text: str | None) -> str | None:
    """International digits of a typed phone ('(82) 8213-6275' -> '558282136275'), else None.

    A national number (DDD + 8 or 9 digits, maybe after the trunk 0 or with the DDD in
    parentheses) gets +55 and must follow Brazil's rules; a leading '+' or '00' means the
    country code is already there, and bare digits that are no national number are read as
    international, as WhatsApp ids come.
    """
    text = (text or "").strip()
    digits = digits_of(text)
    if not digits or not digits.isascii():  # other scripts' digits are no phone number
        return None
    if text.startswith("+") or ":" in text:
        return digits if len(digits) in _INTERNATIONAL_LENGTHS else None
    if digits.startswith("00"):  # international dialling prefix
        digits = digits[2:]
        return digits if len(digits) in _INTERNATIONAL_LENGTHS else None
    written_nationally = _AREA_IN_PARENTHESES.match(text) is not None
    if digits.startswith("0"):  # the trunk prefix: no country code starts with 0
        digits, written_nationally = digits[1:], True
    if is_national(digits):
        return BRAZIL_COUNTRY_CODE + digits
    if written_nationally:
        return None
    return digits if len(digits) in _INTERNATIONAL_LENGTHS else None


def _is_plausible(number: phonenumbers.PhoneNumber) -> bool:
    """Brazil: a national number by our rules; elsewhere: valid for phonenumbers."""
    if str(number.country_code) != BRAZIL_COUNTRY_CODE:
        return phonenumbers.is_valid_number(number)
    # is_valid_number rejects the 8-digit mobile form patients still type, so check the shape.
    return is_national(str(number.national_number))


def parse_typed_phone(text: str, *, default_region: str = "BR") -> str | None:
    """The one phone number in a chat message as E.164 digits without '+', else None."""
    found: set[str] = set()
    for match in PhoneNumberMatcher(text, default_region, leniency=Leniency.POSSIBLE):
        # A formatted CPF has 11 digits, like a mobile with its DDD: never read it as a phone.
        if FORMATTED_CPF.match(match.raw_string.strip()) or not _is_plausible(match.number):
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
