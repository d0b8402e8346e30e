"""Route ``entry`` (args: linkedid): the first thing a caller hears (C1, C3, V11).

Answers, looks the caller up, records the arrival, asks the language (also after hours: a
foreign caller must understand the hours and the callback offer too, V11) and sets
``CHANNEL(language)`` to it at once (the dialplan copies ``LINE_LANGUAGE`` only after the
route, too late for the dates and digits the route says itself), then

* closed (C3): the after-hours flow; ``LINE_OPEN=0``, ``LINE_ROUTE=hangup``;
* open: the topic menu (C1); ``LINE_OPEN=1``, ``LINE_TOPIC``, ``LINE_ROUTE=queue`` and
  ``LINE_QUEUE_PRIORITY``: ``5`` for a caller with an active callback task (they are already
  waiting for an answer from us, so they go ahead of first-time callers), else ``0``. The
  transfer route uses ``10`` for a caller sent back from a failed transfer.

With speech on and ``CONSULT_LINE_SPEECH_QUESTION``, an open line then asks the caller to
say their question in a few words (``ivr.voice``); what was recognized is kept with the call.

Where the caller went is written to the call log also when they hang up midway.
"""

from __future__ import annotations

import logging
from typing import Final

from ivr.agi.channel import AgiChannel
from ivr.flows import after_hours
from ivr.flows.context import FlowContext, linkedid_arg
from ivr.flows.menus import Trail, ask, play
from ivr.variables import (
    LINE_LANGUAGE,
    LINE_OPEN,
    LINE_QUEUE_PRIORITY,
    LINE_ROUTE,
    LINE_TOPIC,
    ROUTE_HANGUP,
    ROUTE_QUEUE,
)
from ivr.voice import CallVoice
from models.line_store import CallArrival, CallerProfile
from models.phones import normalize_phone
from models.tables import Language
from models.topics import Topic

log = logging.getLogger(__name__)

LANGUAGE_KEYS: Final = {"1": Language.RU, "2": Language.EN}
TOPIC_KEYS: Final = {
    "1": Topic.STATE_SERVICES,
    "2": Topic.SUPPORT_MEASURES,
    "3": Topic.MESSAGES,
    "4": Topic.CONTROL_SUPERVISION,
    "5": Topic.HOURS_AND_VISITS,
    "0": Topic.GENERAL,
}
LANGUAGE_TIMEOUT_MS: Final = 4000
PRIORITY_DEFAULT: Final = "0"
PRIORITY_AWAITING_CALLBACK: Final = "5"


async def run(channel: AgiChannel, context: FlowContext) -> None:
    linkedid = linkedid_arg(channel)
    env = channel.env
    now = context.clock()
    await channel.answer()
    calendar = await context.blocking(context.store.calendar)
    is_open = calendar.is_open(now)
    # Set first: should anything below fail, the dialplan's fallback trusts it (C3).
    await channel.set_variable(LINE_OPEN, "1" if is_open else "0")
    caller_e164 = normalize_phone(env.callerid)
    profile = await context.blocking(context.store.caller_profile, caller_e164)
    arrival = CallArrival(
        linkedid=linkedid,
        arrived_at=now,
        in_working_hours=is_open,  # C13: after-hours calls are never missed calls
        caller_number=env.callerid,
        caller_e164=caller_e164,
        caller_name=env.calleridname,
        did="" if env.dnid == "unknown" else env.dnid,  # Asterisk's word for no DNID
        client_id=profile.client_id,
    )
    await context.blocking(context.store.record_arrival, arrival)

    trail = Trail()
    voice = CallVoice(context.voice)
    language: Language | None = None
    topic: Topic | None = None
    try:
        language = await _choose_language(channel, profile, trail, voice)
        # At once, before anything is said (V11): SAY DATETIME and SAY DIGITS take their
        # sound files from the channel's language, not from the prompt names.
        await channel.set_language(language.value)
        await channel.set_variable(LINE_LANGUAGE, language.value)
        if not is_open:
            await channel.set_variable(LINE_ROUTE, ROUTE_HANGUP)
            trail.add("closed")
            await after_hours.run(
                channel,
                context,
                linkedid=linkedid,
                language=language,
                calendar=calendar,
                now=now,
                trail=trail,
                voice=voice,
            )
            return
        topic = await _choose_topic(channel, language, trail, voice)
        await channel.set_variable(LINE_TOPIC, topic.value)
        await channel.set_variable(LINE_QUEUE_PRIORITY, _priority(profile))
        await channel.set_variable(LINE_ROUTE, ROUTE_QUEUE)
        if voice.takes_questions:
            await _hear_question(channel, context, voice, linkedid, language, trail)
    finally:
        await _record_ivr(context, linkedid, trail, topic, language)


async def _choose_language(
    channel: AgiChannel, profile: CallerProfile, trail: Trail, voice: CallVoice
) -> Language:
    """Silence keeps the client's stored language (Russian for a new caller) at once: most
    callers just wait; a wrong key is asked once more."""
    default = profile.language or Language.RU
    chosen = await ask(
        channel,
        default,
        "welcome-language",
        LANGUAGE_KEYS.get,
        step="lang",
        trail=trail,
        timeout_ms=LANGUAGE_TIMEOUT_MS,
        repeat_on_silence=False,
        voice=voice,
        voice_prompt="welcome-language-voice",
    )
    if chosen is None:
        trail.add(f"lang={default.value}")
        return default
    return chosen


async def _choose_topic(
    channel: AgiChannel, language: Language, trail: Trail, voice: CallVoice
) -> Topic:
    """Wrong keys and silence are asked once more, then the caller goes to an operator."""
    topic = await ask(
        channel,
        language,
        "topic-menu",
        TOPIC_KEYS.get,
        step="topic",
        trail=trail,
        voice=voice,
        voice_prompt="topic-menu-voice",
    )
    if topic is None:
        trail.add(f"topic={Topic.GENERAL.value}")
        await play("to-operator", language)(channel)
        return Topic.GENERAL
    return topic


async def _hear_question(
    channel: AgiChannel,
    context: FlowContext,
    voice: CallVoice,
    linkedid: str,
    language: Language,
    trail: Trail,
) -> None:
    """The caller says their question in a few words (speech, ``CONSULT_LINE_SPEECH_QUESTION``):
    kept with the call for the operator's card and the knowledge base's gap report (K7). A key
    pressed during the invitation skips it; silence or nothing recognizable stores nothing."""
    if await play("question-ask", language)(channel):
        trail.add("question:key")
        return
    said = await voice.question(channel)
    if said is None:
        trail.add("question:-")
        return
    trail.add("question:said")
    await context.blocking(
        context.store.save_spoken_question, linkedid, said.text, said.confidence, context.clock()
    )


async def _record_ivr(
    context: FlowContext,
    linkedid: str,
    trail: Trail,
    topic: Topic | None,
    language: Language | None,
) -> None:
    """The menu path for the call log. Its failure is logged, never the caller's problem:
    the routing variables are already set, and the AMI call log still records the call."""
    try:
        await context.blocking(context.store.record_ivr, linkedid, trail.text, topic, language)
    except Exception:
        log.exception("call %s: could not record the IVR path %r", linkedid, trail.text)


def _priority(profile: CallerProfile) -> str:
    return PRIORITY_AWAITING_CALLBACK if profile.open_callbacks else PRIORITY_DEFAULT
