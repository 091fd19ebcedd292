"""bot.brazil.phones against the real Brazilian WhatsApp ids in shared/fixtures/phones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES

from bot.brazil.phones import (
    digits_of,
    is_username_id,
    lookup_keys,
    mask,
    parse_typed_phone,
    phone_key,
)


def _load(relative: str) -> dict[str, Any]:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


WHATSAPP_IDS: list[dict[str, str]] = _load("phones/br_whatsapp_ids.json")["ids"]
DATETIMES: list[dict[str, str]] = _load("ptbr/datetimes.json")["cases"]
CPFS: list[str] = _load("cpf/cpf.json")["valid"]


def _id(entry: dict[str, str]) -> str:
    return f"{entry['wa_id']}-{entry['context'][:30]}"


@pytest.mark.parametrize("entry", WHATSAPP_IDS, ids=_id)
def test_phone_key_matches_same_patient_key(entry: dict[str, str]) -> None:
    assert phone_key(entry["wa_id"]) == entry["same_patient_key"]


@pytest.mark.parametrize("entry", WHATSAPP_IDS, ids=_id)
def test_phone_key_of_from_address_equals_key_of_wa_id(entry: dict[str, str]) -> None:
    assert phone_key(entry["reply_to"]) == entry["same_patient_key"]
    assert lookup_keys(entry["reply_to"]) == (entry["same_patient_key"],)


@pytest.mark.parametrize("entry", WHATSAPP_IDS, ids=_id)
def test_reply_address_is_never_rewritten(entry: dict[str, str]) -> None:
    """Decision: we answer the From address exactly as Twilio sent it; only lookup keys change."""
    wa_id = entry["wa_id"]
    received_from = "whatsapp:" + wa_id if is_username_id(wa_id) else "whatsapp:+" + wa_id
    assert received_from == entry["reply_to"]


@pytest.mark.parametrize("entry", WHATSAPP_IDS, ids=_id)
def test_mask_never_shows_the_full_id(entry: dict[str, str]) -> None:
    masked = mask(entry["reply_to"])
    assert entry["wa_id"] not in masked
    assert masked.startswith("whatsapp:")
    assert masked.endswith(entry["wa_id"][-4:])


def test_ids_with_and_without_ninth_digit_share_a_key() -> None:
    assert phone_key("whatsapp:+558282136275") == phone_key("whatsapp:+5582982136275")
    assert phone_key("+55 (82) 8213-6275") == "5582982136275"


@pytest.mark.parametrize(
    "wa_id",
    [
        "552387654321",  # DDD 23 does not exist
        "552087654321",  # DDD 20 does not exist
        "558001234567",  # 0800 toll-free: never a mobile
        "551152345678",  # landline subscriber starting 5
        "551123456789",  # landline subscriber starting 2
        "55118765432",  # 11 digits: malformed
    ],
)
def test_numbers_that_must_not_get_a_ninth_digit(wa_id: str) -> None:
    assert phone_key(wa_id) == wa_id


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("whatsapp:+558282136275", "558282136275"),
        ("+55 (82) 8213-6275", "558282136275"),
        ("558282136275", "558282136275"),
        (" whatsapp:+14155238886 ", "14155238886"),
        ("whatsapp:US.13491208655302741918", None),
        ("US.13491208655302741918", None),
        ("", None),
        ("whatsapp:", None),
        ("not a phone", None),
    ],
)
def test_digits_of(address: str, expected: str | None) -> None:
    assert digits_of(address) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("US.13491208655302741918", True),
        ("whatsapp:US.13491208655302741918", True),
        ("whatsapp:US.ENT.11815799212886844830", True),
        ("BR.1A2B3C4D5E6F7G8H9I0J", True),
        ("whatsapp:+558282136275", False),
        ("558282136275", False),
        ("", False),
    ],
)
def test_is_username_id(address: str, expected: bool) -> None:
    assert is_username_id(address) is expected


def test_username_id_key_drops_only_the_channel_prefix() -> None:
    assert phone_key("whatsapp:US.13491208655302741918") == "US.13491208655302741918"


def test_lookup_keys_is_empty_for_an_empty_address() -> None:
    assert lookup_keys("") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(82) 98213-6275", "5582982136275"),
        ("82 98213 6275", "5582982136275"),
        ("+55 82 982136275", "5582982136275"),
        ("82982136275", "5582982136275"),
        ("082 98213-6275", "5582982136275"),
        ("(82) 8213-6275", "558282136275"),  # old 8-digit mobile: phone_key adds the 9
        ("(11) 3333-4444", "551133334444"),
        ("+1 415 523 8886", "14155238886"),
        ("quero cortar amanhã, meu telefone é 71988887777", "5571988887777"),
        ("8213-6275", None),  # no DDD
        ("98213-6275", None),  # no DDD
        ("(23) 98765-4321", None),  # DDD 23 does not exist
        ("(11) 88765-4321", None),  # 11 digits must start with 9 after the DDD
        ("82 98213-6275 ou 82 98888-7777", None),  # two numbers: ambiguous
        ("3", None),
        ("sim", None),
        ("Até às 23:59 compro ;)", None),
        ("", None),
    ],
)
def test_parse_typed_phone(text: str, expected: str | None) -> None:
    assert parse_typed_phone(text) == expected


def test_typed_old_mobile_matches_the_whatsapp_id() -> None:
    typed = parse_typed_phone("(82) 8213-6275")
    assert typed is not None
    assert phone_key(typed) == phone_key("whatsapp:+558282136275")


@pytest.mark.parametrize("case", DATETIMES, ids=lambda case: case["text"])
def test_dates_and_times_are_not_phones(case: dict[str, str]) -> None:
    assert parse_typed_phone(case["text"]) is None


@pytest.mark.parametrize("cpf", CPFS)
def test_cpfs_are_not_phones(cpf: str) -> None:
    assert parse_typed_phone(cpf) is None


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("whatsapp:+558282136275", "whatsapp:+55******6275"),
        ("whatsapp:+14155238886", "whatsapp:+1******8886"),
        ("+55 (82) 8213-6275", "+55******6275"),
        ("558282136275", "55******6275"),
        ("whatsapp:US.13491208655302741918", "whatsapp:US.****************1918"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask(address: str, expected: str) -> None:
    assert mask(address) == expected
