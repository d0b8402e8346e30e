"""What callers may say: every spoken phrase stands for a key of its question, and a model
lacking a phrase's words is told apart question by question."""

from __future__ import annotations

from ivr.spoken import SPOKEN, SURVEY_QUALITY, spoken_keys, unheard
from models.rules.survey import answer_received_from_key, quality_from_key
from models.tables import Language


def test_every_phrase_names_a_key_its_question_takes() -> None:
    # C15: a spoken answer becomes the key it names and goes the way the key goes.
    parsers = {"survey-answer-received": answer_received_from_key, SURVEY_QUALITY: quality_from_key}
    for question in SPOKEN:
        for language in Language:
            phrases = spoken_keys(SPOKEN, question, language)
            assert phrases, (question, language)
            assert all(parsers[question](key) is not None for key in phrases.values())


def test_a_model_without_some_words_leaves_just_those_questions_on_the_keypad() -> None:
    vocabulary = {"да", "нет", "yes", "no", "satisfied", "partly", "not", "удовлетворен"}
    # «удовлетворён» is heard as the model spells it («е»); «частично» and «не» are missing.
    assert unheard(SPOKEN, vocabulary.__contains__) == ["survey-quality/ru: частично, не"]
    assert unheard(SPOKEN, lambda word: True) == []
