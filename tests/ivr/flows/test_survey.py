"""Route ``survey``: the two post-call questions, stored per call and operator (C15)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ivr.route_names import SURVEY
from ivr.variables import LINE_LANGUAGE, MEMBERINTERFACE, SURVEY_ANSWER_RECEIVED, SURVEY_QUALITY
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import SurveyResponse
from tests.factories import add_employee
from tests.ivr.flows.conftest import (
    Line,
    prompts_played,
)

AFTER_QUEUE = {MEMBERINTERFACE: "PJSIP/201", LINE_LANGUAGE: "ru"}


def _responses(engine: Engine) -> list[SurveyResponse]:
    with Session(engine) as session:
        return list(session.exec(select(SurveyResponse)).all())


async def test_complete_survey_is_stored_for_the_call_and_its_operator(
    line: Line, db_engine: Engine
) -> None:
    operator_id = add_employee(db_engine, "201", "PJSIP/201")
    record = await line.call(SURVEY, digits=["", "1", "3", ""], variables=AFTER_QUEUE)
    assert record.commands == [
        "GET VARIABLE LINE_LANGUAGE",
        "GET VARIABLE MEMBERINTERFACE",
        'STREAM FILE consult-line/ru/survey-intro "0123456789*#"',
        "GET DATA consult-line/ru/survey-answer-received 5000 1",
        'SET VARIABLE SURVEY_ANSWER_RECEIVED "yes"',
        "GET DATA consult-line/ru/survey-quality 5000 1",
        'SET VARIABLE SURVEY_QUALITY "not_satisfied"',
        'STREAM FILE consult-line/ru/survey-thanks "0123456789*#"',
    ]
    [response] = _responses(db_engine)
    assert (response.answer_received, response.quality, response.operator_id) == (
        AnswerReceived.YES,
        QualityRating.NOT_SATISFIED,
        operator_id,
    )
    call = line.call_row()
    assert call is not None
    assert response.call_id == call.id


async def test_answer_pressed_during_the_intro_is_the_first_answer(
    line: Line, db_engine: Engine
) -> None:
    record = await line.call(SURVEY, digits=["2", "2", ""], variables=AFTER_QUEUE)
    assert prompts_played(record) == ["ru/survey-intro", "ru/survey-quality", "ru/survey-thanks"]
    [response] = _responses(db_engine)
    assert (response.answer_received, response.quality) == (
        AnswerReceived.NO,
        QualityRating.PARTLY_SATISFIED,
    )


async def test_wrong_key_twice_on_the_first_question_ends_politely_storing_nothing(
    line: Line, db_engine: Engine
) -> None:
    record = await line.call(SURVEY, digits=["", "7", "", "8"], variables=AFTER_QUEUE)
    assert prompts_played(record) == [
        "ru/survey-intro",
        "ru/survey-answer-received",
        "ru/invalid-choice",
        "ru/survey-answer-received",
    ]  # the dialplan then says goodbye
    assert SURVEY_ANSWER_RECEIVED not in record.variables_set
    assert _responses(db_engine) == []


async def test_silence_on_the_quality_question_keeps_the_first_answer(
    line: Line, db_engine: Engine
) -> None:
    record = await line.call(SURVEY, digits=["", "1", "", "", ""], variables=AFTER_QUEUE)
    assert prompts_played(record)[-3:] == ["ru/survey-quality", "ru/no-input", "ru/survey-quality"]
    assert SURVEY_QUALITY not in record.variables_set
    [response] = _responses(db_engine)
    assert (response.answer_received, response.quality) == (AnswerReceived.YES, None)


async def test_caller_hanging_up_after_the_first_answer_leaves_a_partial_answer(
    line: Line, db_engine: Engine
) -> None:
    record = await line.call(SURVEY, digits=["", "2"], hang_up_after=3, variables=AFTER_QUEUE)
    assert record.variables_set[SURVEY_ANSWER_RECEIVED] == "no"
    [response] = _responses(db_engine)
    assert (response.answer_received, response.quality) == (AnswerReceived.NO, None)
    assert not response.completed


async def test_survey_in_english_and_without_a_known_operator(
    line: Line, db_engine: Engine
) -> None:
    record = await line.call(SURVEY, digits=["", "1", "1", ""], variables={LINE_LANGUAGE: "en"})
    assert prompts_played(record)[0] == "en/survey-intro"
    [response] = _responses(db_engine)
    assert (response.operator_id, response.quality) == (None, QualityRating.SATISFIED)
