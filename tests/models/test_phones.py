"""Phone normalisation: one E.164 key per caller (G1–G3, C11), odd caller IDs refused."""

from __future__ import annotations

import pytest

from models.phones import MAX_INPUT_LENGTH, format_phone, normalize_phone

LINE_E164 = "+78722678091"  # C2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # C2: the line's own number in every way people and trunks write it.
        ("8 (8722) 67-80-91", LINE_E164),
        ("+7 8722 678091", LINE_E164),
        ("78722678091", LINE_E164),
        ("88722678091", LINE_E164),
        ("8722678091", LINE_E164),
        ("  +7 (8722) 67-80-91  ", LINE_E164),
        ("+7.8722.67.80.91", LINE_E164),
        # Dagestani mobiles (fictional subscriber parts).
        ("89280000001", "+79280000001"),
        ("+7 988 000-00-02", "+79880000002"),
        ("8 800 555-35-35", "+78005553535"),
        # A foreign caller keeps its own country code.
        ("+49 30 123456", "+4930123456"),
    ],
)
def test_normalize_phone_accepts_russian_and_international_forms(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        # What Asterisk puts in CALLERID(num) for hidden or missing numbers.
        "<unknown>",
        "unknown",
        "anonymous",
        "Anonymous",
        "Restricted",
        "",
        "   ",
        "+",
        "0",
        # Internal extensions and service numbers are not a client's number.
        "201",
        "112",
        # A caller *name* must never become a number.
        "Иван Петрович",
        "1-800-FLOWERS",
        # Control characters smuggled into a caller ID.
        "+7928000\x000001",
        "+79280000001\r\n",
        "+7928\t0000001",
        # Too short / too long for the numbering plan.
        "+7928000",
        "+7928000000123",
        # Absurdly long input is refused before parsing.
        "9" * 200,
        "+7 " + "9" * 197,
    ],
)
def test_normalize_phone_refuses_what_is_not_a_valid_number(raw: str) -> None:
    assert normalize_phone(raw) is None


def test_normalize_phone_caps_input_length_even_if_padding_would_parse() -> None:
    padded = " " * (MAX_INPUT_LENGTH - len("89280000001")) + "89280000001"
    assert normalize_phone(padded) == "+79280000001"
    assert normalize_phone(" " + padded) is None


def test_normalize_phone_uses_the_region_for_national_numbers() -> None:
    assert normalize_phone("030 123456", region="DE") == "+4930123456"
    assert normalize_phone("030 123456") is None


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (LINE_E164, "+7 872 267-80-91"),
        ("+79281234567", "+7 928 123-45-67"),
        ("+4930123456", "+49 30 123456"),
        ("not a number", "not a number"),  # a display never fails over a stored value
    ],
)
def test_format_phone_shows_a_stored_number_as_people_read_it(stored: str, shown: str) -> None:
    assert format_phone(stored) == shown
