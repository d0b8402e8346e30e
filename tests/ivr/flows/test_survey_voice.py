"""Route ``survey`` with speech on (C15): the caller answers by voice over AudioSocket, the
fake Asterisk streaming recorded speech to the service's real AudioSocket server, recognized by
a real vosk model. The only installable model is Korean (tests only), so these tests give the
questions Korean phrases: «네» (yes) and «아니요» (no) stand for the keys they would name.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ivr.route_names import SURVEY
from ivr.spoken import SURVEY_ANSWER_RECEIVED, SURVEY_QUALITY
from ivr.variables import LINE_LANGUAGE, MEMBERINTERFACE
from ivr.voice import Voice
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import Language, SurveyChannel, SurveyResponse
from speech.audiosocket_server import AudioSocketServer
from speech.listening import Listenings
from tests.ivr.fake_asterisk import Speech
from tests.ivr.flows.conftest import LINKEDID, Line, VoiceFor, prompts_played
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


async def _press_while_listening(listenings: Listenings, channel_id: str, key: str) -> None:
    """The caller presses ``key`` once Asterisk is connected over AudioSocket; on Asterisk 22
    the key reaches the service only through AMI, whose bridge calls ``key_pressed``."""
    async with asyncio.timeout(10):
        while (listening := listenings.listening_on(channel_id)) is None or not listening.claimed:
            await asyncio.sleep(0.01)
    assert listenings.key_pressed(channel_id, key)


async def test_a_key_pressed_while_listening_ends_it_and_is_stored_as_keyed(
    voice_line: Line, audiosocket: tuple[AudioSocketServer, Listenings], db_engine: Engine
) -> None:
    # The caller keeps quiet on the first question and presses 2 while it is listened to; the
    # second answer is said.
    _server, listenings = audiosocket
    pressing = asyncio.create_task(_press_while_listening(listenings, LINKEDID, "2"))
    record = await voice_line.call(
        SURVEY, digits=["", "", "", ""], variables=AFTER_QUEUE, speech=[Speech(), SAID_NO]
    )
    await pressing
    assert prompts_played(record) == [
        "ru/survey-intro",
        "ru/survey-answer-received-voice",
        "ru/survey-quality-voice",
        "ru/survey-thanks",
    ]
    assert sum(command.startswith("EXEC AudioSocket") for command in record.commands) == 2
    response = _response(db_engine)
    assert (response.answer_received, response.answer_received_channel) == (
        AnswerReceived.NO,
        SurveyChannel.KEYPAD,
    )
    assert response.answer_received_confidence is None
    assert (response.quality, response.quality_channel) == (
        QualityRating.NOT_SATISFIED,
        SurveyChannel.SPEECH,
    )
    assert len(listenings) == 0
