"""bot.brazil.phones against the real Brazilian WhatsApp ids in shared/fixtures/phones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES

from bot.brazil.phones import (
    BRAZIL_DDDS,
    digits_of,
    is_national,
    is_username_id,
    lookup_keys,
    mask,
    normalize_phone,
    number_of,
    parse_typed_phone,
    phone_key,
    shared_tail,
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


# -- boundaries of Brazil's rules ---------------------------------------------------------------

# Every area code in use (ANATEL's numbering plan), written out here rather than derived, so a
# wrong entry in bot.brazil.phones.BRAZIL_DDDS fails a test.
REAL_DDDS = [
    str(code)
    for code in (
        *(11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28),
        *(31, 32, 33, 34, 35, 37, 38, 41, 42, 43, 44, 45, 46, 47, 48, 49),
        *(51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69),
        *(71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89),
        *(91, 92, 93, 94, 95, 96, 97, 98, 99),
    )
]
UNKNOWN_DDDS = [
    str(code)
    for code in (
        *(10, 20, 23, 25, 26, 29, 30, 36, 39, 40, 50, 52),
        *(56, 57, 58, 59, 60, 70, 72, 76, 78, 80, 90),
    )
]
PHONE_FIXTURES = [entry for entry in WHATSAPP_IDS if entry["wa_id"].isdigit()]


def test_the_area_codes_are_exactly_brazils_67() -> None:
    assert len(REAL_DDDS) == 67
    assert set(REAL_DDDS) == BRAZIL_DDDS
    assert not set(UNKNOWN_DDDS) & BRAZIL_DDDS


@pytest.mark.parametrize("ddd", REAL_DDDS)
def test_each_real_area_code_is_accepted(ddd: str) -> None:
    mobile, landline, old_mobile = f"{ddd}987654321", f"{ddd}33334444", f"{ddd}87654321"
    assert is_national(mobile) and is_national(landline) and is_national(old_mobile)
    assert normalize_phone(f"({ddd}) 98765-4321") == "55" + mobile
    assert normalize_phone(f"0{ddd} 3333-4444") == "55" + landline
    assert parse_typed_phone(f"meu celular é ({ddd}) 98765-4321") == "55" + mobile
    # A mobile without its 9th digit gets it in the key; a landline never does.
    assert phone_key("55" + old_mobile) == "55" + mobile
    assert phone_key("55" + landline) == "55" + landline


@pytest.mark.parametrize("ddd", UNKNOWN_DDDS)
def test_an_unknown_area_code_is_refused(ddd: str) -> None:
    mobile = f"{ddd}987654321"
    assert not is_national(mobile) and not is_national(f"{ddd}33334444")
    assert normalize_phone(f"({ddd}) 98765-4321") is None
    assert normalize_phone(f"0{ddd} 98765-4321") is None
    assert normalize_phone(f"(0{ddd}) 3333-4444") is None
    assert parse_typed_phone(f"({ddd}) 98765-4321") is None
    assert parse_typed_phone(f"+55 {ddd} 98765-4321") is None
    assert phone_key(f"55{ddd}87654321") == f"55{ddd}87654321"  # never given a 9th digit


def test_an_unknown_area_code_after_plus_55_is_kept_as_whatsapp_sent_it() -> None:
    """Integrators send ids as WhatsApp gives them: +55 and a wrong DDD are kept, not fixed."""
    assert normalize_phone("+55 23 98765-4321") == "5523987654321"
    assert normalize_phone("5523987654321") == "5523987654321"


@pytest.mark.parametrize(
    ("subscriber", "national"),
    [
        ("98765-4321", True),  # 9 digits starting with 9: a mobile
        ("88765-4321", False),  # 9 digits not starting with 9
        ("58765-4321", False),
        ("08765-4321", False),
        ("9876-5432", True),  # 8 digits: an old mobile written without its 9
        ("8765-4321", True),
        ("6765-4321", True),
        ("5765-4321", True),  # 8 digits starting 2-5: a landline
        ("2765-4321", True),
        ("1765-4321", False),  # no subscriber number starts with 0 or 1
        ("0765-4321", False),
        ("765-4321", False),  # 7 digits
    ],
)
def test_the_subscriber_number_after_the_ddd(subscriber: str, national: bool) -> None:
    digits = "82" + subscriber.replace("-", "")
    assert is_national(digits) is national
    assert normalize_phone(f"(82) {subscriber}") == ("55" + digits if national else None)
    assert normalize_phone(f"082 {subscriber}") == ("55" + digits if national else None)
    assert parse_typed_phone(f"(82) {subscriber}") == ("55" + digits if national else None)


@pytest.mark.parametrize(
    "written",
    [
        "5582982136275",
        "+5582982136275",
        "+55 82 98213-6275",
        "+55 (82) 98213-6275",
        "+55-82-98213-6275",
        "0055 82 98213 6275",
        "82982136275",
        "82 98213 6275",
        "82-98213-6275",
        "(82) 98213-6275",
        "(82)98213-6275",
        "( 82 ) 98213 6275",
        "082 98213-6275",
        "(082) 98213-6275",
        "0 82 982136275",
        " 82 98213-6275 ",
        "whatsapp:+5582982136275",
    ],
)
def test_a_mobile_written_any_way_gives_the_same_number(written: str) -> None:
    assert normalize_phone(written) == "5582982136275"
    assert phone_key(normalize_phone(written) or "") == "5582982136275"


@pytest.mark.parametrize(
    "written",
    ["(82) 8213-6275", "82 8213 6275", "082 8213-6275", "+55 82 8213-6275", "558282136275"],
)
def test_an_old_mobile_keeps_its_form_and_finds_the_same_patient(written: str) -> None:
    assert normalize_phone(written) == "558282136275"
    assert phone_key("558282136275") == phone_key("5582982136275")


@pytest.mark.parametrize(
    "written", ["(11) 3333-4444", "011 3333-4444", "+55 11 3333-4444", "1133334444"]
)
def test_a_landline_keeps_its_form_and_never_gets_a_9(written: str) -> None:
    assert normalize_phone(written) == "551133334444"
    assert phone_key("551133334444") == "551133334444"


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "abc",
        "123",
        "1234567",  # seven digits: too short for any country
        "+55",
        "+1234567",
        "+1234567890123456",  # sixteen digits: longer than E.164 allows
        "0800 123 4567",  # toll-free: no area code, no patient
        "(11) 0765-4321",
        "(82) 98765-43210",  # ten digits after the DDD
        "082 98765-43210",
        "５５８２９８２１３６２７５",  # other scripts' digits
    ],
)
def test_what_is_no_phone_number(written: str) -> None:
    assert normalize_phone(written) is None


@pytest.mark.parametrize("entry", PHONE_FIXTURES, ids=_id)
def test_whatsapp_ids_are_stored_as_they_come(entry: dict[str, str]) -> None:
    assert normalize_phone(entry["wa_id"]) == entry["wa_id"]
    assert number_of(entry["reply_to"]) == entry["wa_id"]
    assert phone_key(normalize_phone(entry["wa_id"]) or "") == entry["same_patient_key"]


def test_a_username_id_is_kept_as_it_is_and_is_no_typed_phone() -> None:
    assert number_of("whatsapp:US.13491208655302741918") == "US.13491208655302741918"
    assert normalize_phone("US.13491208655302741918") is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("+55 (82) 98213-6275", "+55*******6275"),
        ("whatsapp:+5582982136275", "whatsapp:+55*******6275"),
        ("whatsapp:+551133334444", "whatsapp:+55******4444"),
    ],
)
def test_mask_keeps_only_the_country_code_and_last_four(written: str, expected: str) -> None:
    assert mask(written) == expected


@pytest.mark.parametrize("entry", PHONE_FIXTURES, ids=_id)
def test_both_forms_of_a_number_share_its_tail(entry: dict[str, str]) -> None:
    assert shared_tail(entry["same_patient_key"]) == entry["wa_id"][-8:]


def test_a_username_id_has_no_tail() -> None:
    assert shared_tail("US.13491208655302741918") is None
