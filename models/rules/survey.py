"""Post-call survey answers (C15), from the keypad or from recognised speech.

1. «Получен ли ответ на Ваш вопрос?» — да / нет.
2. «Оцените качество работы консультанта» — удовлетворен / частично удовлетворен /
   не удовлетворен.

Speech is read word by word (Russian and English). Anything ambiguous, such as both a "yes"
and a "no", gives None so that the flow asks again; a negated "satisfied" is never read as
satisfied.
"""

import re
from enum import StrEnum
from typing import TypeVar

_T = TypeVar("_T")


class AnswerReceived(StrEnum):
    YES = "yes"
    NO = "no"


class QualityRating(StrEnum):
    SATISFIED = "satisfied"
    PARTLY_SATISFIED = "partly_satisfied"
    NOT_SATISFIED = "not_satisfied"


_ANSWER_KEYS = {"1": AnswerReceived.YES, "2": AnswerReceived.NO}
_QUALITY_KEYS = {
    "1": QualityRating.SATISFIED,
    "2": QualityRating.PARTLY_SATISFIED,
    "3": QualityRating.NOT_SATISFIED,
}

_NEGATIONS = frozenset({"не", "not", "never"})
_NEGATION_REACH = 3  # "не удовлетворен", "не был удовлетворен", "not at all satisfied"
_YES_WORDS = frozenset({"да", "ага", "угу", "конечно", "yes", "yeah", "yep", "sure"})
_NO_WORDS = frozenset({"нет", "неа", "no", "nope"})
_RECEIVED_STEMS = ("получ", "receiv", "got")
_PARTLY_WORDS = frozenset({"частично", "отчасти", "partly", "partially"})
# "не полностью удовлетворен", "not fully satisfied": partly, not "not satisfied".
_FULLY_WORDS = frozenset({"полностью", "совсем", "вполне", "fully", "entirely", "completely"})
_SATISFIED_STEMS = ("удовлетвор", "доволен", "довольна", "довольны", "satisfied", "happy")
_NOT_SATISFIED_STEMS = (
    "неудовлетвор",
    "недоволен",
    "недовольна",
    "недовольны",
    "unsatisfied",
    "dissatisfied",
    "unhappy",
)


def answer_received_from_key(key: str) -> AnswerReceived | None:
    return _ANSWER_KEYS.get(key)


def quality_from_key(key: str) -> QualityRating | None:
    return _QUALITY_KEYS.get(key)


def answer_received_from_speech(text: str) -> AnswerReceived | None:
    words = _words(text)
    found: set[AnswerReceived] = set()
    for index, word in enumerate(words):
        if word in _YES_WORDS:
            found.add(AnswerReceived.YES)
        elif word in _NO_WORDS:
            found.add(AnswerReceived.NO)
        elif word.startswith(_RECEIVED_STEMS):
            negated = _negated(words, index)
            found.add(AnswerReceived.NO if negated else AnswerReceived.YES)
    return _single(found)


def quality_from_speech(text: str) -> QualityRating | None:
    words = _words(text)
    found: set[QualityRating | None] = set()
    for index, word in enumerate(words):
        if word in _PARTLY_WORDS:
            found.add(QualityRating.PARTLY_SATISFIED)
        elif word.startswith(_NOT_SATISFIED_STEMS):
            found.add(QualityRating.NOT_SATISFIED)
        elif word.startswith(_SATISFIED_STEMS):
            found.add(_rate_satisfied(words, index))
    return None if None in found else _single(found)


def _rate_satisfied(words: list[str], index: int) -> QualityRating | None:
    """Rate one "satisfied" word by its neighbours; None when a negation is too far to read."""
    near = words[max(index - _NEGATION_REACH, 0) : index]
    if _NEGATIONS.intersection(near):
        fully = _FULLY_WORDS.intersection(near)
        return QualityRating.PARTLY_SATISFIED if fully else QualityRating.NOT_SATISFIED
    if _NEGATIONS.intersection(words[:index]):
        return None
    if _PARTLY_WORDS.intersection(near + words[index + 1 : index + 3]):
        return QualityRating.PARTLY_SATISFIED
    return QualityRating.SATISFIED


def _negated(words: list[str], index: int) -> bool:
    return bool(_NEGATIONS.intersection(words[max(index - _NEGATION_REACH, 0) : index]))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold().replace("ё", "е"))


def _single(found: set[_T]) -> _T | None:
    return next(iter(found)) if len(found) == 1 else None
