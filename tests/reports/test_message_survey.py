"""The written messages' survey in the survey report (W12): the pure tally, and the report over
``tests.reports.message_survey_samples`` — links sent and answered, answers by question by the
line's local days, one row per answer with its comment — and the channel chosen as a filter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.rules.survey import AnswerReceived, QualityRating
from reports.inputs import InputError
from reports.message_survey import COLUMNS, MessageSurveyReport, MessageSurveyRow
from reports.message_survey_figures import (
    AnswerCount,
    MessageSurveyCounts,
    figure_rows,
    message_survey_tally,
)
from reports.survey import CALLS_ONLY, SurveyReport, survey_report
from tests.reports.message_survey_samples import (
    COMMENT_M1,
    COMMENT_M2,
    add_sample_message_surveys,
    msk,
)
from tests.reports.survey_samples import MSK, PERIOD

YES, NO = AnswerReceived.YES, AnswerReceived.NO
SAT, PARTLY, NOT_SAT = (
    QualityRating.SATISFIED,
    QualityRating.PARTLY_SATISFIED,
    QualityRating.NOT_SATISFIED,
)
SAMPLE_COUNTS = MessageSurveyCounts(
    sent=4,  # m1, m2, m3, m5
    sent_answered=3,  # m1, m2, m5
    answered=3,  # m4, m1, m2
    commented=2,  # m1, m2
    resolved_yes=2,
    resolved_no=1,
    satisfied=1,
    partly_satisfied=1,
    not_satisfied=1,
)


# --------------------------------------------------------------------------- the pure tally


def test_the_tally_adds_up_the_answers_by_question() -> None:  # W12
    counts = message_survey_tally(
        10,
        6,
        [
            AnswerCount(YES, SAT, 3, commented=1),
            AnswerCount(NO, NOT_SAT, 1, commented=1),
            AnswerCount(YES, PARTLY, 2),
            AnswerCount(YES, SAT, 1),  # the same pair again: added to the first
        ],
    )
    assert counts == MessageSurveyCounts(
        sent=10,
        sent_answered=6,
        answered=7,
        commented=2,
        resolved_yes=6,
        resolved_no=1,
        satisfied=4,
        partly_satisfied=2,
        not_satisfied=1,
    )
    assert counts.response_rate == 60.0
    assert counts.satisfied_share == 57.1
    assert (counts.resolved_answers, counts.ratings) == (7, 7)


def test_an_answer_to_one_question_counts_for_that_question_only() -> None:
    counts = message_survey_tally(0, 0, [AnswerCount(None, NOT_SAT, 2), AnswerCount(NO, None, 1)])
    assert (counts.answered, counts.resolved_answers, counts.ratings) == (3, 1, 2)
    assert (counts.resolved_no, counts.not_satisfied) == (1, 2)


def test_nothing_to_divide_by_is_no_share_not_zero() -> None:
    counts = message_survey_tally(0, 0, [])
    assert counts == MessageSurveyCounts()
    assert counts.response_rate is None
    assert counts.satisfied_share is None
    figures = dict(figure_rows(counts))
    assert figures["Доля ответивших, %"] is None
    assert figures["Отправлено ссылок"] == 0


def test_the_totals_sheet_has_every_figure() -> None:
    figures = dict(figure_rows(SAMPLE_COUNTS))
    assert figures == {
        "Отправлено ссылок": 4,
        "Из них ответили": 3,
        "Доля ответивших, %": 75.0,
        "Ответов за период": 3,
        "С комментарием": 2,
        "Ответ получен": 2,
        "Ответ не получен": 1,
        "Удовлетворен": 1,
        "Частично удовлетворен": 1,
        "Не удовлетворен": 1,
        "Доля удовлетворенных, %": 33.3,
    }


# --------------------------------------------------------------------------- over the database


@pytest.fixture
def numbers(db_engine: Engine) -> list[str]:
    return add_sample_message_surveys(db_engine)


@pytest.fixture
def session(db_engine: Engine, numbers: list[str]) -> Iterator[Session]:
    with Session(db_engine) as session:
        yield session


def _report() -> MessageSurveyReport:
    report = survey_report(PERIOD, {"channel": ["messages"]}, MSK)
    assert isinstance(report, MessageSurveyReport)
    return report


def test_links_sent_and_answers_received_each_by_their_own_day(session: Session) -> None:  # W12
    assert _report().tally(session) == SAMPLE_COUNTS


def test_one_row_per_answer_in_the_order_they_came(
    session: Session, numbers: list[str]
) -> None:  # W12
    m1, m2, _m3, m4, _m5, _m6 = numbers
    rows = _report().page(session, offset=0, limit=10)
    assert rows == [
        MessageSurveyRow(
            m4, msk(9, 20, 9), msk(9, 28, 10), msk(10, 5, 0, 10), "да", "частично удовлетворен", ""
        ),
        MessageSurveyRow(
            m1, msk(10, 1, 10), msk(10, 5, 9), msk(10, 5, 12), "да", "удовлетворен", COMMENT_M1
        ),
        MessageSurveyRow(
            m2,
            msk(10, 2, 11),
            msk(10, 5, 10),
            msk(10, 6, 23, 50),
            "нет",
            "не удовлетворен",
            COMMENT_M2,
        ),
    ]
    assert all(row.answered_at.tzinfo == MSK for row in rows)  # the line's local time
    assert _report().page(session, offset=1, limit=1) == rows[1:2]
    assert list(_report().rows(session)) == [row.cells() for row in rows]
    assert len(COLUMNS) == len(rows[0].cells())


def test_the_sheets_and_the_audit_line(session: Session) -> None:
    [totals] = _report().sheets(session)
    assert totals.title == "Итоги"
    assert dict(totals.rows)["Ответов за период"] == 3
    assert _report().describe() == "since=2026-10-05 until=2026-10-06 channel=messages"


def test_the_calls_are_the_default_channel() -> None:
    for values in ({}, {"channel": ["calls"]}, {"channel": [""]}):
        assert isinstance(survey_report(PERIOD, values, MSK), SurveyReport)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"channel": ["messages"], "operator": ["201"]}, CALLS_ONLY),
        ({"channel": ["messages"], "language": ["ru"]}, CALLS_ONLY),
        ({"channel": ["letters"]}, "Неизвестное значение «letters» фильтра «канал»"),
    ],
)
def test_the_calls_filters_are_refused_with_the_messages(
    values: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(InputError, match=message) as refused:
        survey_report(PERIOD, values, MSK)
    assert refused.value.field == "channel"
