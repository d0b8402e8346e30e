"""The client's answers to the survey of a written message (W12): what the survey page shows,
and the answers stored once.

The page opened by a survey link names the message by its number and date only: whoever holds
the link sees nothing of the client. The answers go in with one conditional ``UPDATE … WHERE
answered_at IS NULL``: of two submissions at once (a double click, two tabs) one stores its
answers and the other finds the survey answered, on PostgreSQL (the second waits for the first's
row lock, then sees the row answered) as on SQLite (writers take turns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col

from models.line_store import clean_lines
from models.rules.calendar import require_aware
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_links import find_survey
from models.tables import MessageSurvey, WrittenMessage

COMMENT_MAX: Final = 2000  # characters of the client's own words


@dataclass(frozen=True, slots=True)
class SurveySubject:
    """The survey a link names: which message it is about, and whether it is answered."""

    survey_id: int
    number: str  # «ПО-2026-000123»
    received_on: date  # the line's local date
    answered: bool


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    received: AnswerReceived  # «Получен ли ответ на Ваш вопрос?»
    quality: QualityRating  # «Оцените качество работы с Вашим обращением»
    comment: str = ""


def survey_subject(session: Session, token: str, tz: ZoneInfo) -> SurveySubject | None:
    """The survey of the link's ``token``; None for a text that names none."""
    survey = find_survey(session, token)
    if survey is None or survey.id is None:
        return None
    message = session.get(WrittenMessage, survey.message_id)
    if message is None:
        return None
    return SurveySubject(
        survey_id=survey.id,
        number=message.number,
        received_on=message.received_at.astimezone(tz).date(),
        answered=survey.answered_at is not None,
    )


def record_answers(session: Session, survey_id: int, answers: SurveyAnswers, now: datetime) -> bool:
    """Stores the answers unless the survey is answered already; True when they were stored."""
    require_aware(now, "now")
    stored = session.connection().execute(
        update(MessageSurvey)
        .where(col(MessageSurvey.id) == survey_id, col(MessageSurvey.answered_at).is_(None))
        .values(
            answered_at=now,
            answer_received=answers.received,
            quality=answers.quality,
            comment=clean_lines(answers.comment, COMMENT_MAX),
        )
    )
    session.expire_all()  # the ORM must not serve a copy read before the UPDATE
    return stored.rowcount == 1
