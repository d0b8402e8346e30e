"""The shared e-mail check of the public message form and the visit bookings (V2)."""

from __future__ import annotations

import pytest

from models.emails import looks_like_email


@pytest.mark.parametrize(
    "text",
    ["ivanova@example.ru", "a.b+c@mail.minpromdag.ru", "Иванова@пример.рф"],
)
def test_an_address_of_the_usual_shape_passes(text: str) -> None:
    assert looks_like_email(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ivanova@",
        "@example.ru",
        "ivanova@example",  # no dot in the domain
        "ivanova@example.",  # nothing after the last dot
        "iva nova@example.ru",
        "a@b@example.ru",
        "anna(at)example.ru",
        " ivanova@example.ru",  # untrimmed: the callers trim first
    ],
)
def test_a_typo_is_caught(text: str) -> None:
    assert not looks_like_email(text)
