from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.common.identifiers import (
    CREDIT_CODE_CHARSET,
    InvalidIdentifier,
    credit_code_check_char,
    normalize_credit_code,
    normalize_phone,
    normalize_resident_id,
    resident_id_check_char,
)

# A fixed "today" keeps the future-birth-date rule deterministic.
TODAY = date(2025, 6, 30)
DIGITS = "0123456789"


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    address = draw(st.text(DIGITS, min_size=6, max_size=6))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    body = f"{address}{born:%Y%m%d}{sequence}"
    return body + resident_id_check_char(body)


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    body = draw(st.text(CREDIT_CODE_CHARSET, min_size=17, max_size=17))
    return body + credit_code_check_char(body)


# --- resident IDs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("37150219900101123", "4"),
        ("11010519491231002", "X"),  # the example printed in GB 11643-1999
        ("44052418800101001", "4"),
        ("37152320000229888", "7"),  # 茌平's pre-2019 address code, leap-day birth
    ],
)
def test_resident_check_char(first17: str, expected: str) -> None:
    assert resident_id_check_char(first17) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("371502199001011234", "371502199001011234"),
        ("  11010519491231002x\n", "11010519491231002X"),
        ("11010519491231002X", "11010519491231002X"),
        ("371523200002298887", "371523200002298887"),
    ],
)
def test_normalize_resident_id_accepts(raw: str, expected: str) -> None:
    assert normalize_resident_id(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "invalid_length"),
        ("37150219900101123", "invalid_length"),
        ("3715021990010112345", "invalid_length"),
        ("371502900101123", "invalid_length"),  # 15-digit first-generation IDs are not accepted
        ("37150219900101123A", "invalid_characters"),
        ("3715021990010112X4", "invalid_characters"),
        ("３７１５０２１９９００１０１１２３４", "invalid_characters"),  # full-width digits
        ("371502199002301234", "invalid_birth_date"),  # 30 February
        ("371502189912311234", "invalid_birth_date"),  # before 1900
        ("371502202507011234", "invalid_birth_date"),  # the day after TODAY
        ("371502199001011235", "invalid_check_digit"),
        ("11010519491231002 ", "invalid_length"),
    ],
)
def test_normalize_resident_id_rejects(raw: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_resident_id(raw, today=TODAY)
    assert caught.value.code == code
    assert caught.value.message
    assert isinstance(caught.value, ValueError)


def test_birth_date_equal_to_today_is_accepted() -> None:
    body = f"371502{TODAY:%Y%m%d}001"
    value = body + resident_id_check_char(body)
    assert normalize_resident_id(value, today=TODAY) == value


def test_resident_check_char_requires_17_digits() -> None:
    with pytest.raises(InvalidIdentifier):
        resident_id_check_char("3715021990010112")
    with pytest.raises(InvalidIdentifier):
        resident_id_check_char("3715021990010112X")


@given(resident_ids())
def test_generated_resident_ids_pass(value: str) -> None:
    assert normalize_resident_id(value, today=TODAY) == value
    assert normalize_resident_id(f" {value.lower()} ", today=TODAY) == value


@given(resident_ids(), st.data())
def test_any_single_character_change_of_a_resident_id_fails(
    value: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(
        st.sampled_from(DIGITS + "XxA中 ").filter(lambda c: c.upper() != value[position])
    )
    mutated = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        normalize_resident_id(mutated, today=TODAY)


def test_every_substitution_of_a_known_resident_id_fails() -> None:
    value = "371502199001011234"
    for position in range(18):
        for replacement in DIGITS + "X":
            if replacement == value[position]:
                continue
            mutated = value[:position] + replacement + value[position + 1 :]
            with pytest.raises(InvalidIdentifier):
                normalize_resident_id(mutated, today=TODAY)


# --- credit codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        "91110000600037341L",
        "91371500MA3C12345A",
    ],
)
def test_credit_check_char_round_trip(code: str) -> None:
    assert credit_code_check_char(code[:17]) == code[17]
    assert normalize_credit_code(f" {code.lower()} ") == code


def test_credit_check_value_31_is_written_as_zero() -> None:
    # "00000000000000000" weighs 0, so 31 - 0 = 31 must map to "0", not overflow the charset.
    assert credit_code_check_char("0" * 17) == "0"
    assert normalize_credit_code("0" * 18) == "0" * 18


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "invalid_length"),
        ("91350100M000100Y4", "invalid_length"),
        ("91350100M000100Y433", "invalid_length"),
        ("91350100M000I00Y43", "invalid_characters"),  # I is not in the GB 32100 charset
        ("91350100M000100Y4O", "invalid_characters"),
        ("91350100M000100Y44", "invalid_check_digit"),
    ],
)
def test_normalize_credit_code_rejects(raw: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_credit_code(raw)
    assert caught.value.code == code


@given(credit_codes())
def test_generated_credit_codes_pass(value: str) -> None:
    assert normalize_credit_code(value) == value
    assert normalize_credit_code(value.lower()) == value


@given(credit_codes(), st.data())
def test_any_single_character_change_of_a_credit_code_fails(
    value: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(
        st.sampled_from(CREDIT_CODE_CHARSET + "IOZSVa中").filter(
            lambda c: c.upper() != value[position]
        )
    )
    mutated = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        normalize_credit_code(mutated)


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800000000", "13800000000"),
        (" 138 0000 0000 ", "13800000000"),
        ("138-0000-0000", "13800000000"),
        ("+8613912345678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0086-19912345678", "19912345678"),
        ("0635-8888888", "0635-8888888"),
        ("06358888888", "0635-8888888"),
        ("0635 8888888", "0635-8888888"),
        ("0635-8888888-123", "0635-8888888-123"),
        ("010-88888888", "010-88888888"),
        ("01088888888", "010-88888888"),
        ("02161234567", "021-61234567"),
        ("0531-86123456", "0531-86123456"),
    ],
)
def test_normalize_phone_accepts(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12800000000",  # 12x is not a mobile prefix
        "1380000000",
        "138000000000",
        "+8713800000000",
        "8888888",  # no area code
        "0635-888888",  # too short
        "0635-188888888",
        "0635-0888888",  # subscriber numbers never start with 0
        "063-58888888",  # 063 is not an area code; 0635 is
        "0635-8888888-1234567",
        "１３８００００００００",  # full-width digits
        "0635-8888888转123",
    ],
)
def test_normalize_phone_rejects(raw: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_phone(raw)
    assert caught.value.code == "invalid_phone"
