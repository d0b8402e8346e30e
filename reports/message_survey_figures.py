"""The written messages' survey in figures (W12), worked out from the counts the database
returns (``reports.message_survey``).

Two populations of one period, each by its own moment:

* links sent — survey links issued in the period (``message_surveys.issued_at``), and how many
  of them the clients have answered so far: the response rate;
* answers — answers received in the period (``answered_at``), by question, and how many carry a
  comment. The questions are the call survey's (C15), so the shares are worked out alike
  (``reports.survey_figures.share``): a share with nothing to divide by is ``None`` («—»).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.rules.survey import AnswerReceived, QualityRating
from reports.survey_figures import AnswerShares, share
from reports.table import Row

SENT_RU = "Отправлено ссылок"
SENT_ANSWERED_RU = "Из них ответили"
RESPONSE_RATE_RU = "Доля ответивших"
ANSWERED_RU = "Ответов за период"
COMMENTED_RU = "С комментарием"
SATISFIED_SHARE_RU = "Доля удовлетворенных"


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """Answers of the period with one pair of answers: how many, and how many commented."""

    received: AnswerReceived | None
    quality: QualityRating | None
    count: int
    commented: int = 0


@dataclass(frozen=True, slots=True)
class MessageSurveyCounts(AnswerShares):
    sent: int = 0  # links issued in the period
    sent_answered: int = 0  # of those, answered by now
    answered: int = 0  # answers received in the period
    commented: int = 0  # of those, with the client's comment
    resolved_yes: int = 0  # «Получен ли ответ на Ваш вопрос?» — да
    resolved_no: int = 0
    satisfied: int = 0  # «Оцените качество работы с Вашим обращением»
    partly_satisfied: int = 0
    not_satisfied: int = 0

    @property
    def response_rate(self) -> float | None:
        return share(self.sent_answered, self.sent)


def message_survey_tally(
    sent: int, sent_answered: int, answers: Iterable[AnswerCount]
) -> MessageSurveyCounts:
    """The figures of a period: its links (``sent``, ``sent_answered``) and its answers, given
    grouped by the pair of answers (a pair may come more than once: it is added up)."""
    resolved = dict.fromkeys(AnswerReceived, 0)
    ratings = dict.fromkeys(QualityRating, 0)
    answered = commented = 0
    for group in answers:
        answered += group.count
        commented += group.commented
        if group.received is not None:
            resolved[group.received] += group.count
        if group.quality is not None:
            ratings[group.quality] += group.count
    return MessageSurveyCounts(
        sent=sent,
        sent_answered=sent_answered,
        answered=answered,
        commented=commented,
        resolved_yes=resolved[AnswerReceived.YES],
        resolved_no=resolved[AnswerReceived.NO],
        satisfied=ratings[QualityRating.SATISFIED],
        partly_satisfied=ratings[QualityRating.PARTLY_SATISFIED],
        not_satisfied=ratings[QualityRating.NOT_SATISFIED],
    )


def figure_rows(counts: MessageSurveyCounts) -> list[Row]:
    """The figures as the XLSX's «Итоги» sheet has them: a label and a number (shares in per
    cent, empty when there is nothing to divide by)."""
    return [
        (SENT_RU, counts.sent),
        (SENT_ANSWERED_RU, counts.sent_answered),
        (f"{RESPONSE_RATE_RU}, %", counts.response_rate),
        (ANSWERED_RU, counts.answered),
        (COMMENTED_RU, counts.commented),
        ("Ответ получен", counts.resolved_yes),
        ("Ответ не получен", counts.resolved_no),
        ("Удовлетворен", counts.satisfied),
        ("Частично удовлетворен", counts.partly_satisfied),
        ("Не удовлетворен", counts.not_satisfied),
        (f"{SATISFIED_SHARE_RU}, %", counts.satisfied_share),
    ]
