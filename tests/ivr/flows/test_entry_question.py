"""Route ``entry`` with question capture on (speech, ``CONSULT_LINE_SPEECH_QUESTION``): after
the topic menu the caller says their question; what the test model recognizes of a recorded
Korean sentence is kept with the call for the operator's card and the gap report (K7)."""

from __future__ import annotations

import pytest

from ivr.route_names import ENTRY
from ivr.variables import LINE_ROUTE, ROUTE_QUEUE
from ivr.voice import Voice
from tests.ivr.fake_asterisk import Speech
from tests.ivr.flows.conftest import Line, VoiceFor, prompts_played
from tests.speech.korean_model import QUESTION, read_pcm

SAID = Speech(audio=read_pcm(QUESTION))


@pytest.fixture
def voice(voice_for: VoiceFor) -> Voice:
    return voice_for({}, question_max_s=15.0)


async def test_the_question_said_after_the_menu_is_kept_with_the_call(voice_line: Line) -> None:
    record = await voice_line.call(ENTRY, digits=["1", "2", ""], speech=[SAID])
    assert record.variables_set[LINE_ROUTE] == ROUTE_QUEUE  # set before the caller speaks
    assert prompts_played(record)[-1] == "ru/question-ask"
    call = voice_line.call_row()
    assert call is not None
    assert call.spoken_question.strip()
    assert call.spoken_question_confidence is not None
    assert call.ivr_path.endswith(">question:said")


async def test_a_key_during_the_invitation_skips_the_question(voice_line: Line) -> None:
    record = await voice_line.call(ENTRY, digits=["1", "2", "5"], speech=[SAID])
    assert not any(command.startswith("EXEC") for command in record.commands)
    call = voice_line.call_row()
    assert call is not None
    assert (call.spoken_question, call.ivr_path.split(">")[-1]) == ("", "question:key")


async def test_silence_stores_no_question(voice_line: Line) -> None:
    await voice_line.call(ENTRY, digits=["1", "2", ""], speech=[Speech()])
    call = voice_line.call_row()
    assert call is not None
    assert (call.spoken_question, call.ivr_path.split(">")[-1]) == ("", "question:-")
