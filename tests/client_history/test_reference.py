"""What the supervisor types to find a client (G4): a phone number in any usual writing, or a
client's record number in the history's address; anything else is refused in Russian."""

from __future__ import annotations

import pytest

from client_history.reference import (
    ClientNumber,
    NotAPhoneError,
    PhoneNumber,
    parse_phone,
    parse_ref,
)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+7 928 123-45-67", "+79281234567"),
        ("8 (928) 123-45-67", "+79281234567"),
        ("89281234567", "+79281234567"),
        ("  9281234567 ", "+79281234567"),
        ("8 (8722) 67-80-91", "+78722678091"),
    ],
)
def test_a_phone_number_in_any_usual_writing_is_found_by_its_e164(typed: str, e164: str) -> None:
    assert parse_phone(typed) == PhoneNumber(e164)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Введите номер телефона клиента, например, +7 928 123-45-67 или 8 (8722) 67-80-91."),
        (
            "   ",
            "Введите номер телефона клиента, например, +7 928 123-45-67 или 8 (8722) 67-80-91.",
        ),
        (
            "Гаджиева",
            "«Гаджиева» — не номер телефона. Введите номер клиента полностью, "
            "например, +7 928 123-45-67 или 8 (8722) 67-80-91.",
        ),
        (
            "201",
            "«201» — не номер телефона. Введите номер клиента полностью, "
            "например, +7 928 123-45-67 или 8 (8722) 67-80-91.",
        ),
        (
            "1-800-FLOWERS",
            "«1-800-FLOWERS» — не номер телефона. Введите номер клиента полностью, "
            "например, +7 928 123-45-67 или 8 (8722) 67-80-91.",
        ),
    ],
)
def test_what_is_not_a_phone_number_is_refused_saying_what_to_type(  # G4
    typed: str, message: str
) -> None:
    with pytest.raises(NotAPhoneError) as refused:
        parse_phone(typed)
    assert refused.value.message == message


def test_a_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(NotAPhoneError) as refused:
        parse_phone("x" * 100)
    assert refused.value.message.startswith("«" + "x" * 40 + "…» — не номер телефона.")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("42", ClientNumber(42)),
        ("999999999", ClientNumber(999_999_999)),  # 9 digits: still a record
        ("9281234567", PhoneNumber("+79281234567")),  # 10 digits: a number
        ("+79281234567", PhoneNumber("+79281234567")),
    ],
)
def test_an_address_names_a_record_by_up_to_nine_digits_else_a_number(
    ref: str, expected: ClientNumber | PhoneNumber
) -> None:
    assert parse_ref(ref) == expected


@pytest.mark.parametrize("ref", ["x", "0", "007", "٣٤", "-5"])
def test_an_address_that_is_neither_is_refused(ref: str) -> None:
    with pytest.raises(NotAPhoneError):
        parse_ref(ref)
