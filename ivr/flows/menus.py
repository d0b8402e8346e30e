"""Playing prompts and asking the caller, without losing a key pressed on the way.

res_agi buffers no digits between commands (the recorded ivr-dtmf call: a key pressed while
no command runs is lost), so everything is played with a command that listens: STREAM FILE
with escape digits, SAY DIGITS/SAY DATETIME with escape digits, and GET DATA for the question
itself. Parts are chained: the first key pressed during any part ends the playing and is the
answer to the question that follows.

Dates are said by Asterisk (SAY DATETIME). Its say.c has no Russian date grammar: for ``ru``
it falls back to the English routine with the Russian sound files (``digits/day-N`` weekday,
``digits/h-N`` ordinal day, ``digits/mon-N`` month, ``digits/N`` hours, ``digits/oclock``).
So the Russian word order is given explicitly: ``AdB`` — «понедельник, двенадцатое января»,
day before month (the English default ``ABdY`` would say the month first), and ``kM`` for
the time («девять …», a 24-hour clock without the English "oh"). English uses ``ABd`` and
``IMp`` ("Monday, January twelfth", "nine o'clock a.m.").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Generic, Required, TypedDict, TypeVar, Unpack

from ivr.agi.channel import AgiChannel
from ivr.prompts import PromptId, prompt_file
from ivr.spoken import SpokenKeys
from ivr.voice import CallVoice, Heard, VoiceReply
from models.line_store import SpokenAnswer
from models.tables import Language

_T = TypeVar("_T")

Segment = Callable[[AgiChannel], Awaitable[str]]
"""Plays one part of a message; returns the key that interrupted it, or ""."""

MENU_TIMEOUT_MS: Final = 5000
ATTEMPTS: Final = 2  # the question, and one repeat (C1 menus, C15 survey, C11 callback)

DATE_FORMATS: Final[dict[Language, str]] = {Language.RU: "AdB", Language.EN: "ABd"}
TIME_FORMATS: Final[dict[Language, str]] = {Language.RU: "kM", Language.EN: "IMp"}


def play(prompt_id: PromptId, language: Language) -> Segment:
    file = prompt_file(prompt_id, language)

    async def segment(channel: AgiChannel) -> str:
        return await channel.stream_file(file)

    return segment


def say_date(when: datetime, language: Language, tz: str) -> Segment:
    async def segment(channel: AgiChannel) -> str:
        return await channel.say_datetime(when, DATE_FORMATS[language], tz)

    return segment


def say_time(when: datetime, language: Language, tz: str) -> Segment:
    async def segment(channel: AgiChannel) -> str:
        return await channel.say_datetime(when, TIME_FORMATS[language], tz)

    return segment


def say_digits(digits: str) -> Segment:
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("only validated digits are ever said back to the caller")

    async def segment(channel: AgiChannel) -> str:
        return await channel.say_digits(digits)

    return segment


async def play_all(channel: AgiChannel, segments: Sequence[Segment]) -> str:
    """Plays the parts in order until the caller presses a key; returns it, or ""."""
    for segment in segments:
        key = await segment(channel)
        if key:
            return key
    return ""


class Trail:
    """The caller's way through the menus, for the call log (``calls.ivr_path``):
    ``step:key`` per answer (``-`` for silence), ``step=value`` where a default was taken."""

    def __init__(self) -> None:
        self._steps: list[str] = []

    def add(self, token: str) -> None:
        self._steps.append(token)

    @property
    def text(self) -> str:
        return ">".join(self._steps)


@dataclass(frozen=True, slots=True)
class Answer(Generic[_T]):
    """A question's answer, and how it came: ``spoken`` None when keyed."""

    value: _T
    spoken: SpokenAnswer | None = None


class AskOptions(TypedDict, total=False):
    """How a question is asked (:func:`ask_answer`); only ``step`` is required."""

    step: Required[str]  # the step's name in the call's trail
    trail: Trail | None
    intro: Sequence[Segment]
    max_digits: int  # 1: a menu key; more: a number typed on the keypad
    timeout_ms: int
    invalid_prompt: PromptId
    silence_prompt: PromptId
    repeat_on_silence: bool
    voice: CallVoice | None
    voice_prompt: PromptId | None


async def ask(
    channel: AgiChannel,
    language: Language,
    question: PromptId,
    parse: Callable[[str], _T | None],
    **options: Unpack[AskOptions],
) -> _T | None:
    """:func:`ask_answer`, the value only."""
    answer = await ask_answer(channel, language, question, parse, **options)
    return None if answer is None else answer.value


async def ask_answer(
    channel: AgiChannel,
    language: Language,
    question: PromptId,
    parse: Callable[[str], _T | None],
    **options: Unpack[AskOptions],
) -> Answer[_T] | None:
    """Asks ``question`` and returns the parsed answer, or None after a wrong key or silence
    twice (or once, for silence, when ``repeat_on_silence`` is False).

    ``intro`` is played first, interruptibly; a key pressed there is the answer. A repeat
    starts with ``invalid_prompt`` or ``silence_prompt`` and asks the question again (the
    intro is not repeated). A hang-up raises ChannelHungUp from the channel.

    With ``voice`` and phrases for the question (``ivr.spoken``, under the question's id), a
    one-key question may be answered by voice too: ``voice_prompt`` is played instead of the
    question (it says what to say), then the caller is listened to (``ivr.voice``); a key
    pressed first wins. Words that are no answer are asked again with «say-again»; when
    speech is unavailable the question is asked on the keypad.
    """
    step, trail, voice = options["step"], options.get("trail"), options.get("voice")
    max_digits = options.get("max_digits", 1)
    timeout_ms = options.get("timeout_ms", MENU_TIMEOUT_MS)
    preface: Sequence[Segment] = options.get("intro", ())
    for attempt in range(1, ATTEMPTS + 1):
        phrases = voice.phrases(question, language) if voice and max_digits == 1 else {}
        spoken: SpokenAnswer | None = None
        misheard = False
        if phrases and voice is not None:
            said = prompt_file(options.get("voice_prompt") or question, language)
            reply = await _collect_voiced(channel, preface, said, voice, phrases)
            if reply.heard is Heard.UNAVAILABLE:
                keys = await channel.get_data(prompt_file(question, language), timeout_ms, 1)
            else:
                keys, spoken = reply.key, reply.spoken
                misheard = reply.heard is Heard.NOT_UNDERSTOOD
        else:
            keys = await _collect(
                channel, preface, prompt_file(question, language), max_digits, timeout_ms
            )
        if trail is not None:
            shown = "?" if misheard else _shown(keys, max_digits)
            trail.add(f"{step}:{'v' if spoken else ''}{shown}")
        value = parse(keys) if keys else None
        if value is not None:
            return Answer(value, spoken)
        repeat_on_silence = options.get("repeat_on_silence", True)
        if attempt == ATTEMPTS or (not keys and not misheard and not repeat_on_silence):
            return None
        again: PromptId = (
            "say-again"
            if misheard
            else options.get("invalid_prompt", "invalid-choice")
            if keys
            else options.get("silence_prompt", "no-input")
        )
        preface = [play(again, language)]
    return None


async def _collect_voiced(
    channel: AgiChannel,
    preface: Sequence[Segment],
    question: str,
    voice: CallVoice,
    phrases: SpokenKeys,
) -> VoiceReply:
    """The preface and the question, interruptibly, then the caller listened to."""
    key = await play_all(channel, preface) or await channel.stream_file(question)
    if key:
        return VoiceReply(Heard.KEY, key)
    return await voice.listen(channel, phrases)


async def _collect(
    channel: AgiChannel, preface: Sequence[Segment], question: str, max_digits: int, timeout_ms: int
) -> str:
    first = await play_all(channel, preface)
    if not first:
        return await channel.get_data(question, timeout_ms, max_digits)
    if max_digits == 1 or first in "*#":
        return first
    # The caller started typing during the preface: the rest follows (the question's prompt
    # stops at their next key).
    return first + await channel.get_data(question, timeout_ms, max_digits - 1)


def _shown(keys: str, max_digits: int) -> str:
    """What the call log keeps of an answer: the key of a menu, only the length of a number."""
    if not keys:
        return "-"
    return keys if max_digits == 1 else f"{len(keys)}digits"
