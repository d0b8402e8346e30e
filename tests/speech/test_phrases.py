"""Recognized text back to the phrase the caller chose: case, ``ё``, repeats, mixtures."""

from __future__ import annotations

import pytest

from speech.phrases import match_phrase, normalise, spoken_words

SURVEY = ("удовлетворён", "частично удовлетворён", "не удовлетворён")  # C15
YES_NO = ("да", "нет")


@pytest.mark.parametrize(
    ("text", "phrases", "expected"),
    [
        ("да", YES_NO, "да"),
        ("Да", YES_NO, "да"),
        ("  нет ", YES_NO, "нет"),
        ("да да", YES_NO, "да"),  # said twice: still yes
        ("да нет", YES_NO, None),  # both: neither
        ("нет да нет", YES_NO, None),
        ("", YES_NO, None),
        ("   ", YES_NO, None),
        ("может быть", YES_NO, None),
        # C15: «ё» in the prompt, «е» from the recognizer (and the other way round)
        ("удовлетворен", SURVEY, "удовлетворён"),
        ("частично удовлетворен", SURVEY, "частично удовлетворён"),
        ("не удовлетворен", SURVEY, "не удовлетворён"),  # not the shorter phrase inside it
        ("не удовлетворён", ("не удовлетворен",), "не удовлетворен"),
        ("частично", SURVEY, None),  # a part of a phrase is not the phrase
        ("удовлетворен частично", SURVEY, None),
        ("Да!", YES_NO, "да"),  # punctuation is not a word
        ("네", ("네", "아니요"), "네"),  # any script
    ],
)
def test_match_phrase(text: str, phrases: tuple[str, ...], expected: str | None) -> None:
    assert match_phrase(text, phrases) == expected


def test_phrases_equal_after_normalising_give_the_first() -> None:
    assert match_phrase("ещё", ("Ещё", "еще")) == "Ещё"


def test_no_phrases_match_nothing() -> None:
    assert match_phrase("да", ()) is None


def test_a_phrase_without_words_never_matches() -> None:
    assert match_phrase("да", ("!", "да")) == "да"


def test_normalise_folds_case_yo_and_punctuation() -> None:
    assert normalise("  Частично-Удовлетворён! ") == "частично удовлетворен"


def test_spoken_words_keep_yo_for_the_vocabulary() -> None:
    assert spoken_words("Не удовлетворён.") == ["не", "удовлетворён"]
