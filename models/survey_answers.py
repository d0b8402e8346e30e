"""The client's answers to the survey of a written message (W12): what the survey page shows,
and the answers stored once.

The page opened by a survey link names the message by its number and date only: whoever holds
the link sees nothing of the client. The answers go in with one conditional ``UPDATE … WHERE
answered_at IS NULL``: of two submissions at once (a double click, two tabs) one stores its
answers and the other finds the survey answered, on PostgreSQL (the second waits for the first's
row lock, then sees the row answered) as on SQLite (writers take turns).

The rating of a personal visit (V13) is the same survey on the same page: a token found in
``visit_surveys`` names the visit by its date, time and place, in the visitor's language (V11).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col

from models.line_store import clean_lines
from models.rules.calendar import require_aware
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_links import find_survey, find_visit_survey
from models.tables import (
    Language,
    MessageSurvey,
    ReceptionPoint,
    VisitBooking,
    VisitSurvey,
    WrittenMessage,
)

COMMENT_MAX: Final = 2000  # characters of the client's own words


class SurveyKind(StrEnum):
    MESSAGE = "message"  # a written message's survey (W12), ``message_surveys``
    VISIT = "visit"  # a personal visit's rating (V13), ``visit_surveys``


_TABLES: Final[dict[SurveyKind, type[MessageSurvey] | type[VisitSurvey]]] = {
    SurveyKind.MESSAGE: MessageSurvey,
    SurveyKind.VISIT: VisitSurvey,
}


@dataclass(frozen=True, slots=True)
class SurveySubject:
    """The survey a link names: which message it is about, and whether it is answered."""

    survey_id: int
    number: str  # «ПО-2026-000123»
    received_on: date  # the line's local date (a visit: its day)
    answered: bool
    kind: SurveyKind = SurveyKind.MESSAGE
    language: Language = Language.RU  # a visit's: the page speaks it (V11)
    visit_at: datetime | None = None  # a visit: its local start
    place: str = ""  # a visit: the reception point's name in the visitor's language


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    received: AnswerReceived  # «Получен ли ответ на Ваш вопрос?»
    quality: QualityRating  # «Оцените качество работы с Вашим обращением»
    comment: str = ""


def survey_subject(session: Session, token: str, tz: ZoneInfo) -> SurveySubject | None:
    """The survey of the link's ``token``; None for a text that names none."""
    survey = find_survey(session, token)
    if survey is None or survey.id is None:
        return _visit_subject(session, token, tz)
    message = session.get(WrittenMessage, survey.message_id)
    if message is None:
        return None
    return SurveySubject(
        survey_id=survey.id,
        number=message.number,
        received_on=message.received_at.astimezone(tz).date(),
        answered=survey.answered_at is not None,
    )


def _visit_subject(session: Session, token: str, tz: ZoneInfo) -> SurveySubject | None:
    survey = find_visit_survey(session, token)
    if survey is None or survey.id is None:
        return None
    booking = session.get(VisitBooking, survey.booking_id)
    point = None if booking is None else session.get(ReceptionPoint, booking.point_id)
    if booking is None or point is None:
        return None
    english = booking.language is Language.EN
    starts = booking.starts_at.astimezone(tz)
    return SurveySubject(
        survey_id=survey.id,
        number="",
        received_on=starts.date(),
        answered=survey.answered_at is not None,
        kind=SurveyKind.VISIT,
        language=booking.language,
        visit_at=starts,
        place=point.name_en if english else point.name_ru,
    )


def record_answers(
    session: Session,
    survey_id: int,
    answers: SurveyAnswers,
    now: datetime,
    *,
    kind: SurveyKind = SurveyKind.MESSAGE,
    recorded_by: str = "",
) -> bool:
    """Stores the answers unless the survey is answered already; True when they were stored.
    ``recorded_by``: a visit's rating taken by an employee (V13), who took it."""
    require_aware(now, "now")
    table = _TABLES[kind]
    values: dict[str, object] = {
        "answered_at": now,
        "answer_received": answers.received,
        "quality": answers.quality,
        "comment": clean_lines(answers.comment, COMMENT_MAX),
    }
    if recorded_by:
        values["recorded_by"] = recorded_by[:128]
    stored = session.connection().execute(
        update(table)
        .where(col(table.id) == survey_id, col(table.answered_at).is_(None))
        .values(**values)
    )
    session.expire_all()  # the ORM must not serve a copy read before the UPDATE
    return stored.rowcount == 1
