"""Route ``survey`` with speech on (C15): the caller answers by voice over AudioSocket, the
fake Asterisk streaming recorded speech to the service's real AudioSocket server, recognized by
a real vosk model. The only installable model is Korean (tests only), so these tests give the
questions Korean phrases: «네» (yes) and «아니요» (no) stand for the keys they would name.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ivr.route_names import SURVEY
from ivr.spoken import SURVEY_ANSWER_RECEIVED, SURVEY_QUALITY
from ivr.variables import LINE_LANGUAGE, MEMBERINTERFACE
from ivr.voice import Voice
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import Language, SurveyChannel, SurveyResponse
from tests.ivr.fake_asterisk import Speech
from tests.ivr.flows.conftest import Line, VoiceFor, prompts_played
from tests.speech.korean_model import ANSWERS, NO, YES, read_pcm

AFTER_QUEUE = {MEMBERINTERFACE: "PJSIP/201", LINE_LANGUAGE: "ru"}
SAID_YES = Speech(audio=read_pcm(next(path for path, word in ANSWERS if word == YES)))
SAID_NO = Speech(audio=read_pcm(next(path for path, word in ANSWERS if word == NO)))
KOREAN = {
    SURVEY_ANSWER_RECEIVED: {Language.RU: {YES: "1", NO: "2"}},
    SURVEY_QUALITY: {Language.RU: {YES: "1", NO: "3"}},
}


@pytest.fixture
def voice(voice_for: VoiceFor) -> Voice:
    return voice_for(KOREAN)


def _response(engine: Engine) -> SurveyResponse:
    with Session(engine) as session:
        return session.exec(select(SurveyResponse)).one()


async def test_both_answers_spoken_are_stored_with_their_channel_and_confidence(
    voice_line: Line, db_engine: Engine
) -> None:
    record = await voice_line.call(
        SURVEY, digits=["", "", "", ""], variables=AFTER_QUEUE, speech=[SAID_YES, SAID_NO]
    )
    assert prompts_played(record) == [
        "ru/survey-intro",
        "ru/survey-answer-received-voice",
        "ru/survey-quality-voice",
        "ru/survey-thanks",
    ]
    assert sum(command.startswith("EXEC AudioSocket") for command in record.commands) == 2
    response = _response(db_engine)
    assert (response.answer_received, response.quality) == (
        AnswerReceived.YES,
        QualityRating.NOT_SATISFIED,
    )
    assert response.channel is SurveyChannel.SPEECH
    assert response.answer_received_channel is SurveyChannel.SPEECH
    assert response.quality_channel is SurveyChannel.SPEECH
    assert response.answer_received_confidence is not None
    assert 0.7 <= response.answer_received_confidence <= 1.0


async def test_a_key_pressed_while_the_question_plays_wins_and_nobody_is_listened_to(
    voice_line: Line, db_engine: Engine
) -> None:
    # The first answer keyed during the question's prompt, the second said.
    record = await voice_line.call(
        SURVEY, digits=["", "2", "", ""], variables=AFTER_QUEUE, speech=[SAID_YES]
    )
    assert sum(command.startswith("EXEC AudioSocket") for command in record.commands) == 1
    response = _response(db_engine)
    assert (response.answer_received, response.answer_received_channel) == (
        AnswerReceived.NO,
        SurveyChannel.KEYPAD,
    )
    assert (response.quality, response.quality_channel) == (
        QualityRating.SATISFIED,
        SurveyChannel.SPEECH,
    )
    assert response.channel is SurveyChannel.SPEECH


async def test_silence_asks_once_more_then_the_survey_ends(
    voice_line: Line, db_engine: Engine
) -> None:
    record = await voice_line.call(
        SURVEY, digits=["", "", "", ""], variables=AFTER_QUEUE, speech=[Speech(), Speech()]
    )
    assert prompts_played(record) == [
        "ru/survey-intro",
        "ru/survey-answer-received-voice",
        "ru/no-input",
        "ru/survey-answer-received-voice",
    ]
    with Session(db_engine) as session:
        assert session.exec(select(SurveyResponse)).first() is None


async def test_when_asterisk_cannot_run_audiosocket_the_call_goes_on_on_the_keypad(
    voice_line: Line, db_engine: Engine
) -> None:
    # No app_audiosocket (or nothing listening): the question is asked on the keypad, and the
    # rest of the call never tries speech again.
    record = await voice_line.call(
        SURVEY,
        digits=["", "", "1", "3", ""],
        variables=AFTER_QUEUE,
        speech=[Speech(refused=True)],
        logged_errors=["AudioSocket на 127.0.0.1"],
    )
    assert prompts_played(record) == [
        "ru/survey-intro",
        "ru/survey-answer-received-voice",
        "ru/survey-answer-received",
        "ru/survey-quality",
        "ru/survey-thanks",
    ]
    assert sum(command.startswith("EXEC AudioSocket") for command in record.commands) == 1
    response = _response(db_engine)
    assert (response.answer_received, response.quality) == (
        AnswerReceived.YES,
        QualityRating.NOT_SATISFIED,
    )
    assert response.channel is SurveyChannel.KEYPAD


async def test_a_caller_who_hangs_up_while_speaking_keeps_the_first_answer(
    voice_line: Line, db_engine: Engine
) -> None:
    # media commands: intro, question 1, AudioSocket 1, question 2, AudioSocket 2 (hang-up)
    await voice_line.call(
        SURVEY,
        digits=["", "", ""],
        variables=AFTER_QUEUE,
        speech=[SAID_YES, SAID_NO],
        hang_up_after=5,
    )
    response = _response(db_engine)
    assert (response.answer_received, response.quality) == (AnswerReceived.YES, None)
