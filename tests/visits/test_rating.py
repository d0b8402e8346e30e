"""The rating of a visit taken at the reception (V13) and the link of the letter are one rating:
whichever comes first is the answer, the other finds it given."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.survey_answers import SurveyAnswers, SurveyKind, record_answers, survey_subject
from models.survey_links import issue_visit_survey_link
from models.tables import AuditEntry, VisitSurvey
from tests.visits.rating_samples import book_at, tuesday
from tests.visits.samples import MSK, load_examples
from visits.rating import ALREADY, NOT_YET, RatingError, record_on_spot
from visits.store import get_booking

SETTINGS = Settings(public_url="https://line.example.ru")
SPOKEN = SurveyAnswers(AnswerReceived.YES, QualityRating.SATISFIED, "Спасибо")


@pytest.fixture
def visit(db_engine: Engine) -> int:
    load_examples(db_engine)
    booking = book_at(db_engine, SETTINGS, 10, email="anna@example.ru")
    assert booking.id is not None
    return booking.id


def _take(engine: Engine, visit: int, at_hour: int) -> None:
    with session_scope(engine) as session:
        booking = get_booking(session, visit)
        assert booking is not None
        record_on_spot(
            session=session, booking=booking, answers=SPOKEN, actor="web:reception",
            now=tuesday(at_hour),
        )  # fmt: skip


def test_a_rating_taken_on_the_spot_answers_the_link_already_sent(
    db_engine: Engine, visit: int
) -> None:  # V13
    with session_scope(db_engine) as session:
        link = issue_visit_survey_link(session, SETTINGS, visit, tuesday(12, 30))
    _take(db_engine, visit, 13)
    with Session(db_engine) as session:
        [rating] = session.exec(select(VisitSurvey)).all()
        assert (rating.recorded_by, rating.quality) == ("web:reception", QualityRating.SATISFIED)
        subject = survey_subject(session, link.rsplit("/", 1)[1], MSK)
        assert subject is not None
        assert subject.answered  # the page says «ответ уже получен»
        assert session.exec(select(AuditEntry.action)).all()[-1] == "visit_rated"


def test_after_the_visitors_answer_by_the_link_the_employee_is_told(
    db_engine: Engine, visit: int
) -> None:  # V13
    with session_scope(db_engine) as session:
        issue_visit_survey_link(session, SETTINGS, visit, tuesday(12, 30))
    with session_scope(db_engine) as session:
        [rating] = session.exec(select(VisitSurvey)).all()
        assert rating.id is not None
        answers = SurveyAnswers(AnswerReceived.NO, QualityRating.NOT_SATISFIED)
        assert record_answers(session, rating.id, answers, tuesday(13), kind=SurveyKind.VISIT)
    with pytest.raises(RatingError, match=ALREADY):
        _take(db_engine, visit, 14)
    with Session(db_engine) as session:
        [rating] = session.exec(select(VisitSurvey)).all()
        assert (rating.recorded_by, rating.quality) == ("", QualityRating.NOT_SATISFIED)


def test_a_visit_not_yet_begun_is_not_rated(db_engine: Engine, visit: int) -> None:  # V13
    with pytest.raises(RatingError, match=NOT_YET):
        _take(db_engine, visit, 9)
    with Session(db_engine) as session:
        assert session.exec(select(VisitSurvey)).all() == []
