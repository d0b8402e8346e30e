"""What callers may say: every spoken phrase stands for a key of its question, and a model
lacking a phrase's words is told apart question by question."""

from __future__ import annotations

from ivr.flows.entry import LANGUAGE_KEYS, TOPIC_KEYS
from ivr.spoken import (
    CALLBACK_NUMBER_CONFIRM,
    CALLBACK_OFFER,
    CALLBACK_WINDOW_MENU,
    SPOKEN,
    SURVEY_ANSWER_RECEIVED,
    SURVEY_QUALITY,
    TOPIC_MENU,
    WELCOME_LANGUAGE,
    hearable,
    spoken_keys,
    unheard,
)
from models.rules.survey import answer_received_from_key, quality_from_key
from models.tables import Language


def test_every_phrase_names_a_key_its_question_takes() -> None:
    # A spoken answer becomes the key it names and goes the way the key goes (C1, V11, C11,
    # C15); "" is no answer, where silence declines (the callback offer).
    takes = {
        WELCOME_LANGUAGE: set(LANGUAGE_KEYS),
        TOPIC_MENU: set(TOPIC_KEYS),
        CALLBACK_OFFER: {"1", ""},
        CALLBACK_NUMBER_CONFIRM: {"1", "2"},
        CALLBACK_WINDOW_MENU: {"1", "2", "3"},
        SURVEY_ANSWER_RECEIVED: {k for k in "12" if answer_received_from_key(k)},
        SURVEY_QUALITY: {k for k in "123" if quality_from_key(k)},
    }
    assert set(SPOKEN) == set(takes)
    for question, keys in takes.items():
        for language in Language:
            said = set(spoken_keys(SPOKEN, question, language).values())
            assert said == keys, (question, language)  # every key can be said, no other


def test_a_model_without_some_words_leaves_just_those_questions_on_the_keypad() -> None:
    survey_only = {key: SPOKEN[key] for key in (SURVEY_ANSWER_RECEIVED, SURVEY_QUALITY)}
    vocabulary = {"да", "нет", "yes", "no", "satisfied", "partly", "not", "удовлетворен"}
    # «удовлетворён» is heard as the model spells it («е»); «частично» and «не» are missing.
    assert unheard(survey_only, vocabulary.__contains__) == ["survey-quality/ru: частично, не"]
    assert unheard(SPOKEN, lambda word: True) == []


def test_a_phrase_with_an_unknown_word_is_dropped_the_others_stay() -> None:
    phrases = spoken_keys(SPOKEN, TOPIC_MENU, Language.RU)
    known = {word for phrase in phrases for word in phrase.split()} - {"приём"}
    kept = hearable(phrases, known.__contains__)
    assert "режим работы" in kept
    assert "личный приём" not in kept
    assert "приём" not in kept
    assert set(kept.values()) == set(phrases.values())
