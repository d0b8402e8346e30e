"""The survey page's form (W12): the two questions of the call survey (C15), worded for a written
message, and the client's comment; what was chosen, and what is missing.

Pure: :func:`read_survey_form` takes the submitted texts and returns them (to be shown again)
with an error per question in Russian; the route stores the answers only when there is none.
A value that is not one of the options (a form altered by hand) counts as no answer.

The rating of a personal visit (V13) asks the same two questions worded for the visit, in
English for a visitor who booked in English (V11): :class:`SurveyTexts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent_console.public_message_form import TOO_LONG, normalized
from call_card.labels import QUALITY_LABELS_RU, YES_NO_LABELS_RU
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_answers import COMMENT_MAX, SurveyAnswers

RECEIVED_QUESTION = "Получен ли ответ на Ваш вопрос?"
QUALITY_QUESTION = "Оцените качество работы с Вашим обращением"
NO_RECEIVED = "Ответьте, пожалуйста, получен ли ответ на Ваш вопрос."
NO_QUALITY = "Оцените, пожалуйста, качество работы с Вашим обращением."


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


RECEIVED_CHOICES = [Choice(answer.value, label) for answer, label in YES_NO_LABELS_RU.items()]
QUALITY_CHOICES = [Choice(rating.value, label) for rating, label in QUALITY_LABELS_RU.items()]
YES_NO_LABELS_EN = {AnswerReceived.YES: "yes", AnswerReceived.NO: "no"}
QUALITY_LABELS_EN = {
    QualityRating.SATISFIED: "satisfied",
    QualityRating.PARTLY_SATISFIED: "partly satisfied",
    QualityRating.NOT_SATISFIED: "not satisfied",
}


@dataclass(frozen=True, slots=True)
class SurveyTexts:
    """What the page asks and says when something is missing, in one language."""

    received_question: str
    quality_question: str
    no_received: str
    no_quality: str
    too_long: str  # with {limit} and {length}
    received_choices: tuple[Choice, ...]
    quality_choices: tuple[Choice, ...]


MESSAGE_TEXTS = SurveyTexts(
    RECEIVED_QUESTION,
    QUALITY_QUESTION,
    NO_RECEIVED,
    NO_QUALITY,
    TOO_LONG,
    tuple(RECEIVED_CHOICES),
    tuple(QUALITY_CHOICES),
)
VISIT_TEXTS_RU = SurveyTexts(
    "Получили ли Вы ответ на свой вопрос на приёме?",
    "Оцените качество личного приёма",
    "Ответьте, пожалуйста, получили ли Вы ответ на свой вопрос.",
    "Оцените, пожалуйста, качество личного приёма.",
    TOO_LONG,
    tuple(RECEIVED_CHOICES),
    tuple(QUALITY_CHOICES),
)
VISIT_TEXTS_EN = SurveyTexts(
    "Did you get an answer to your question at the visit?",
    "How satisfied are you with the visit?",
    "Please say whether you got an answer to your question.",
    "Please rate the visit.",
    "Too long: at most {limit} characters (now {length}).",
    tuple(Choice(answer.value, label) for answer, label in YES_NO_LABELS_EN.items()),
    tuple(Choice(rating.value, label) for rating, label in QUALITY_LABELS_EN.items()),
)
_ANSWERS = {answer.value: answer for answer in AnswerReceived}
_RATINGS = {rating.value: rating for rating in QualityRating}


@dataclass(frozen=True, slots=True)
class SurveyForm:
    received: AnswerReceived | None = None
    quality: QualityRating | None = None
    comment: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # field name → what is wrong

    @property
    def valid(self) -> bool:
        return not self.errors

    def answers(self) -> SurveyAnswers:
        """The answers to store (only for a valid form)."""
        assert self.received is not None, self.errors
        assert self.quality is not None, self.errors
        return SurveyAnswers(self.received, self.quality, self.comment)


def read_survey_form(
    received: str, quality: str, comment: str, texts: SurveyTexts = MESSAGE_TEXTS
) -> SurveyForm:
    """The form as sent (a missing field is empty); the errors in ``texts``' language."""
    answer = _ANSWERS.get(received.strip())
    rating = _RATINGS.get(quality.strip())
    text = normalized(comment)
    errors: dict[str, str] = {}
    if answer is None:
        errors["received"] = texts.no_received
    if rating is None:
        errors["quality"] = texts.no_quality
    if len(text) > COMMENT_MAX:
        errors["comment"] = texts.too_long.format(limit=COMMENT_MAX, length=len(text))
    return SurveyForm(answer, rating, text, errors)
