"""The public booking page's errors in English (V11): every Russian sentence the form or the
store can give has its English one, and nothing else is in the table."""

from __future__ import annotations

from agent_console.visit_form import (
    BAD_DAY,
    ERRORS_EN,
    NO_EMAIL,
    NO_PHONE,
    NO_SLOT,
    in_language,
)
from models.emails import BAD_EMAIL
from models.rules.visit_slots import REFUSAL_RU
from models.tables import Language
from visits.store import BAD_PHONE

RUSSIAN_ERRORS = {NO_PHONE, NO_SLOT, BAD_DAY, NO_EMAIL, BAD_PHONE, BAD_EMAIL, *REFUSAL_RU.values()}


def test_every_error_has_an_english_sentence_and_only_errors_are_listed() -> None:  # V11
    assert set(ERRORS_EN) == RUSSIAN_ERRORS
    for message in RUSSIAN_ERRORS:
        english = in_language(message, Language.EN)
        assert english != message
        assert english.isascii()


def test_the_russian_page_keeps_the_russian_sentence() -> None:  # V11
    for message in RUSSIAN_ERRORS:
        assert in_language(message, Language.RU) == message
