"""Route ``survey`` (args: linkedid): the two questions after the consultation (C15).

With speech on (``ivr.voice``) either question may be answered by voice too («да» / «нет»;
«удовлетворён» / «частично» / «не удовлетворён»); each answer is stored with its channel
and, when spoken, the recognizer's confidence.

«Получен ли ответ на Ваш вопрос?» 1 да / 2 нет, then «Оцените качество работы консультанта»
1 удовлетворён / 2 частично удовлетворён / 3 не удовлетворён. A wrong key or silence is asked
once more, then the survey ends (the dialplan plays ``goodbye`` after every survey, so the
flow does not). Each answer is stored as soon as it is given, per call and operator (the
queue's MEMBERINTERFACE), so a caller who hangs up after the first question leaves a partial
answer. ``SURVEY_ANSWER_RECEIVED`` / ``SURVEY_QUALITY`` are left on the channel for the CDR.
"""

from __future__ import annotations

from typing import Final

from ivr.agi.channel import AgiChannel
from ivr.flows.context import FlowContext, call_language, linkedid_arg
from ivr.flows.menus import ask_answer, play
from ivr.variables import MEMBERINTERFACE, SURVEY_ANSWER_RECEIVED, SURVEY_QUALITY
from ivr.voice import CallVoice
from models.rules.survey import answer_received_from_key, quality_from_key

DEVICE_MAX: Final = 64


async def run(channel: AgiChannel, context: FlowContext) -> None:
    linkedid = linkedid_arg(channel)
    language = await call_language(channel)
    operator = _device(await channel.get_variable(MEMBERINTERFACE))
    store = context.store

    voice = CallVoice(context.voice)

    answer = await ask_answer(
        channel,
        language,
        "survey-answer-received",
        answer_received_from_key,
        step="q1",
        intro=[play("survey-intro", language)],
        voice=voice,
        voice_prompt="survey-answer-received-voice",
    )
    if answer is None:
        return  # the dialplan says goodbye
    await context.blocking(
        store.save_survey,
        linkedid,
        operator,
        answer.value,
        None,
        context.clock(),
        heard=answer.spoken,
    )
    await channel.set_variable(SURVEY_ANSWER_RECEIVED, answer.value.value)

    quality = await ask_answer(
        channel,
        language,
        "survey-quality",
        quality_from_key,
        step="q2",
        voice=voice,
        voice_prompt="survey-quality-voice",
    )
    if quality is None:
        return
    await context.blocking(
        store.save_survey,
        linkedid,
        operator,
        None,
        quality.value,
        context.clock(),
        heard=quality.spoken,
    )
    await channel.set_variable(SURVEY_QUALITY, quality.value.value)
    await play("survey-thanks", language)(channel)


def _device(value: str | None) -> str | None:
    """The queue member's device as Asterisk set it; only ever compared in the database."""
    if not value or len(value) > DEVICE_MAX:
        return None
    return value
