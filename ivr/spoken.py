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

SpokenKeys = Mapping[str, str]  # phrase → the key it stands for ("": no answer, as silence)
Catalogue = Mapping[str, Mapping[Language, SpokenKeys]]  # question → language → phrases

WELCOME_LANGUAGE: Final = "welcome-language"
TOPIC_MENU: Final = "topic-menu"
CALLBACK_OFFER: Final = "callback-offer"
CALLBACK_NUMBER_CONFIRM: Final = "callback-number-confirm"
CALLBACK_WINDOW_MENU: Final = "callback-window-menu"
SURVEY_ANSWER_RECEIVED: Final = "survey-answer-received"
SURVEY_QUALITY: Final = "survey-quality"
YES_NO: Final[Mapping[Language, SpokenKeys]] = {
    Language.RU: {"да": "1", "нет": "2"},
    Language.EN: {"yes": "1", "no": "2"},
}

SPOKEN: Final[Catalogue] = MappingProxyType(
    {
        # V11: 1 русский / 2 English (asked in the caller's stored language, Russian first)
        WELCOME_LANGUAGE: {
            Language.RU: {"русский": "1", "английский": "2"},
            Language.EN: {"russian": "1", "english": "2"},
        },
        # C1: the topics by name, 0 the operator
        TOPIC_MENU: {
            Language.RU: {
                "государственные услуги": "1",
                "услуги": "1",
                "меры поддержки": "2",
                "поддержка": "2",
                "обращения": "3",
                "обращение": "3",
                "контроль и надзор": "4",
                "контроль": "4",
                "надзор": "4",
                "режим работы": "5",
                "личный приём": "5",
                "приём": "5",
                "оператор": "0",
            },
            Language.EN: {
                "state services": "1",
                "services": "1",
                "support measures": "2",
                "support": "2",
                "messages": "3",
                "control and supervision": "4",
                "control": "4",
                "supervision": "4",
                "opening hours": "5",
                "hours": "5",
                "visits": "5",
                "operator": "0",
            },
        },
        # C3, C11: «да» takes the offer; «нет» is no answer, as silence is: it declines
        CALLBACK_OFFER: {
            Language.RU: {"да": "1", "нет": ""},
            Language.EN: {"yes": "1", "no": ""},
        },
        # C11: the number read back: 1 it is right, 2 another
        CALLBACK_NUMBER_CONFIRM: YES_NO,
        # C11: 1 the first half of the day, 2 the second, 3 any time
        CALLBACK_WINDOW_MENU: {
            Language.RU: {
                "утром": "1",
                "до обеда": "1",
                "после обеда": "2",
                "днём": "2",
                "в любое время": "3",
                "любое время": "3",
            },
            Language.EN: {
                "morning": "1",
                "in the morning": "1",
                "afternoon": "2",
                "in the afternoon": "2",
                "any time": "3",
            },
        },
        # C15: «Получен ли ответ на Ваш вопрос?» 1 да / 2 нет
        SURVEY_ANSWER_RECEIVED: YES_NO,
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


def hearable(phrases: SpokenKeys, knows: Callable[[str], bool]) -> SpokenKeys:
    """The phrases whose every word the model knows (a grammar with one unknown word would
    be refused whole): a model lacking «приём» still hears «режим работы»."""
    found = {}
    for phrase, key in phrases.items():
        try:
            grammar_json([phrase], knows, None)
        except (UnknownWordsError, ValueError):
            continue
        found[phrase] = key
    return found


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
