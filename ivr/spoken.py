"""What a caller may say instead of pressing a key: for each question that takes a spoken
answer, the phrases of each language and the key each one stands for.

A spoken answer becomes the key it names and goes the way a pressed key goes (the question's
own parser, the call's trail), so a menu has one meaning whichever way it was answered. The
phrases are the recognizer's grammar: a model that lacks a word of them refuses the grammar
(``speech.recognizer.UnknownWordsError``) and the question stays on the keypad.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from models.tables import Language
from speech.recognizer import UnknownWordsError, grammar_json

SpokenKeys = Mapping[str, str]  # phrase → the key it stands for
Catalogue = Mapping[str, Mapping[Language, SpokenKeys]]  # question → language → phrases

SURVEY_ANSWER_RECEIVED: Final = "survey-answer-received"
SURVEY_QUALITY: Final = "survey-quality"

SPOKEN: Final[Catalogue] = MappingProxyType(
    {
        # C15: «Получен ли ответ на Ваш вопрос?» 1 да / 2 нет
        SURVEY_ANSWER_RECEIVED: {
            Language.RU: {"да": "1", "нет": "2"},
            Language.EN: {"yes": "1", "no": "2"},
        },
        # C15: «Оцените качество работы консультанта» 1 / 2 / 3
        SURVEY_QUALITY: {
            Language.RU: {
                "удовлетворён": "1",
                "частично": "2",
                "частично удовлетворён": "2",
                "не удовлетворён": "3",
            },
            Language.EN: {
                "satisfied": "1",
                "partly": "2",
                "partly satisfied": "2",
                "not satisfied": "3",
            },
        },
    }
)


def spoken_keys(catalogue: Catalogue, question: str, language: Language) -> SpokenKeys:
    """The phrases of ``question`` in ``language``; empty when it takes keys only."""
    return catalogue.get(question, {}).get(language, {})


def unheard(catalogue: Catalogue, knows: Callable[[str], bool]) -> list[str]:
    """The questions (``question/language``) whose phrases have words a model lacks, with
    those words: they stay on the keypad with that model."""
    found = []
    for question, languages in catalogue.items():
        for language, phrases in languages.items():
            try:
                grammar_json(list(phrases), knows, None)
            except UnknownWordsError as error:
                found.append(f"{question}/{language.value}: {', '.join(error.words)}")
    return found
