"""Post-call survey (C15): «Получен ли ответ на Ваш вопрос?» and «Оцените качество работы
консультанта», from the keypad and from recognised speech."""

import pytest

from models.rules.survey import (
    AnswerReceived,
    QualityRating,
    answer_received_from_key,
    answer_received_from_speech,
    quality_from_key,
    quality_from_speech,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("1", AnswerReceived.YES),
        ("2", AnswerReceived.NO),
        ("3", None),
        ("", None),
        ("11", None),
        ("*", None),
        ("#", None),
        (" 1", None),
    ],
)
def test_answer_received_key_1_is_yes_2_is_no_anything_else_is_unknown(
    key: str, expected: AnswerReceived | None
) -> None:
    # C15
    assert answer_received_from_key(key) is expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("1", QualityRating.SATISFIED),
        ("2", QualityRating.PARTLY_SATISFIED),
        ("3", QualityRating.NOT_SATISFIED),
        ("0", None),
        ("4", None),
        ("", None),
        ("12", None),
        ("#", None),
    ],
)
def test_quality_keys_1_to_3_map_to_the_three_ratings(
    key: str, expected: QualityRating | None
) -> None:
    # C15
    assert quality_from_key(key) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("да", AnswerReceived.YES),
        ("Да, спасибо", AnswerReceived.YES),
        ("ага", AnswerReceived.YES),
        ("ответ получен", AnswerReceived.YES),
        ("ПОЛУЧИЛА", AnswerReceived.YES),
        ("yes", AnswerReceived.YES),
        ("Yes, I got it", AnswerReceived.YES),
        ("нет", AnswerReceived.NO),
        ("Нет.", AnswerReceived.NO),
        ("не получен", AnswerReceived.NO),
        ("ответ не получила", AnswerReceived.NO),
        ("нет, ответ не был получен", AnswerReceived.NO),
        ("no", AnswerReceived.NO),
        ("not received", AnswerReceived.NO),
        ("да нет", None),  # both: ask again
        ("yes and no", None),
        ("не знаю", None),
        ("", None),
        ("давно звоню", None),  # "да" only as a whole word
        ("нетрудно", None),
    ],
)
def test_answer_received_from_speech_in_russian_and_english(
    text: str, expected: AnswerReceived | None
) -> None:
    # C15
    assert answer_received_from_speech(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("удовлетворен", QualityRating.SATISFIED),
        ("Удовлетворена", QualityRating.SATISFIED),
        ("удовлетворён", QualityRating.SATISFIED),
        ("я доволен", QualityRating.SATISFIED),
        ("satisfied", QualityRating.SATISFIED),
        ("частично удовлетворен", QualityRating.PARTLY_SATISFIED),
        ("частично", QualityRating.PARTLY_SATISFIED),
        ("удовлетворена частично", QualityRating.PARTLY_SATISFIED),
        ("не полностью удовлетворен", QualityRating.PARTLY_SATISFIED),
        ("partly satisfied", QualityRating.PARTLY_SATISFIED),
        ("partially", QualityRating.PARTLY_SATISFIED),
        ("не удовлетворен", QualityRating.NOT_SATISFIED),
        ("Не удовлетворена", QualityRating.NOT_SATISFIED),
        ("НЕ УДОВЛЕТВОРЁН", QualityRating.NOT_SATISFIED),
        ("неудовлетворен", QualityRating.NOT_SATISFIED),
        ("я не очень доволен", QualityRating.NOT_SATISFIED),
        ("не был удовлетворен", QualityRating.NOT_SATISFIED),
        ("недовольна", QualityRating.NOT_SATISFIED),
        ("not satisfied", QualityRating.NOT_SATISFIED),
        ("not at all satisfied", QualityRating.NOT_SATISFIED),
        ("dissatisfied", QualityRating.NOT_SATISFIED),
    ],
)
def test_quality_from_speech_reads_the_three_ratings(text: str, expected: QualityRating) -> None:
    # C15
    assert quality_from_speech(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "не удовлетворен",
        "не удовлетворена",
        "Я НЕ удовлетворён",
        "не очень-то и удовлетворена",
        "not satisfied",
        "I was not, honestly, really satisfied",
        "ну не знаю, вроде удовлетворен",
    ],
)
def test_negated_satisfied_is_never_read_as_satisfied(text: str) -> None:
    # C15: the worst reporting error is counting a complaint as satisfaction.
    assert quality_from_speech(text) is not QualityRating.SATISFIED


@pytest.mark.parametrize(
    "text",
    ["", "не знаю", "хорошо", "удовлетворен и не удовлетворен", "частично, нет, не удовлетворен"],
)
def test_quality_from_speech_is_unknown_when_empty_or_ambiguous(text: str) -> None:
    # C15: the flow asks again instead of guessing.
    assert quality_from_speech(text) is None
