"""Route ``entry`` with speech (C1): the topic said rather than keyed; the questions the model
has no phrases for (here: the language) stay on the keypad. The test model is Korean, so the
topic menu is given Korean phrases: «네» stands for 2, «아니요» for 0 (the operator)."""

from __future__ import annotations

import pytest

from ivr.route_names import ENTRY
from ivr.spoken import TOPIC_MENU
from ivr.variables import LINE_TOPIC
from ivr.voice import Voice
from models.tables import Language
from models.topics import Topic
from tests.ivr.fake_asterisk import Speech
from tests.ivr.flows.conftest import Line, VoiceFor, prompts_played
from tests.speech.korean_model import ANSWERS, NO, YES, read_pcm

SAID_YES = Speech(audio=read_pcm(next(path for path, word in ANSWERS if word == YES)))
SAID_NO = Speech(audio=read_pcm(next(path for path, word in ANSWERS if word == NO)))


@pytest.fixture
def voice(voice_for: VoiceFor) -> Voice:
    return voice_for({TOPIC_MENU: {Language.RU: {YES: "2", NO: "0"}}})


async def test_the_topic_said_routes_the_call_and_the_trail_says_it_was_spoken(
    voice_line: Line,
) -> None:
    record = await voice_line.call(ENTRY, digits=["1", ""], speech=[SAID_YES])
    assert prompts_played(record) == ["ru/welcome-language", "ru/topic-menu-voice"]
    assert record.variables_set[LINE_TOPIC] == Topic.SUPPORT_MEASURES.value
    call = voice_line.call_row()
    assert call is not None
    assert call.ivr_path == "lang:1>topic:v2"


async def test_the_operator_asked_for_by_voice(voice_line: Line) -> None:
    record = await voice_line.call(ENTRY, digits=["1", ""], speech=[SAID_NO])
    assert record.variables_set[LINE_TOPIC] == Topic.GENERAL.value
