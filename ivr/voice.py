"""A spoken answer to a question of the voice menu: the caller's audio over AudioSocket to the
service's own server, recognized against the question's phrases (``ivr.spoken``).

After the question has been played (a key pressed while it plays wins at once), the route
registers a listening under a new uuid (``speech.listening``), runs ``EXEC AudioSocket`` with
that uuid and the server's address, and reads how the listening ended once Asterisk returns:

* a phrase heard with enough confidence: the key it stands for, with the confidence;
* a key pressed while listening (a DTMF frame, or the AMI bridge's word on Asterisk 22): it;
* silence: nothing, as when no key is pressed;
* words that are no phrase of the question (or too doubtful): «not understood»;
* no model, a grammar the model cannot hear, Asterisk unable to run AudioSocket, a failed
  recognizer: «unavailable» — the question goes on on the keypad, and so does the rest of the
  call (one failure is reported in the log; the caller hears nothing of it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from ivr.agi.channel import AgiChannel
from ivr.spoken import SPOKEN, Catalogue, SpokenKeys, hearable, spoken_keys
from models.line_store import SpokenAnswer
from models.tables import Language
from speech.listening import Listenings, ListenSpec, Outcome, OutcomeKind, Recognition
from speech.model import LoadedModel, SpeechModel
from speech.phrases import match_phrase
from speech.recognizer import (
    RecognizerError,
    UnknownWordsError,
    free_recognition,
    grammar_recognition,
)

log = logging.getLogger(__name__)

# Asterisk connects within a moment of EXEC; once EXEC has returned, the outcome is there.
CONNECT_WAIT_S: Final = 2.0
FINISH_MARGIN_S: Final = 5.0  # the recognizer's last word after the socket ends


class Heard(StrEnum):
    KEY = "key"  # a phrase (or a key pressed while listening): ``key``
    SILENCE = "silence"
    NOT_UNDERSTOOD = "not_understood"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class VoiceReply:
    heard: Heard
    key: str = ""
    spoken: SpokenAnswer | None = None  # None: a key was pressed


@dataclass(frozen=True, slots=True)
class SpokenQuestion:
    text: str
    confidence: float | None


@dataclass(frozen=True)
class Voice:
    """What the flows need for speech: the model, the AudioSocket server's address and its
    listenings, the limits of one answer, and what callers may say."""

    model: SpeechModel
    listenings: Listenings
    host: str
    port: int
    min_confidence: float
    no_input_s: float
    end_silence_s: float
    max_s: float
    question_max_s: float | None = None  # the caller's question heard up to this; None: not asked
    catalogue: Catalogue = field(default_factory=lambda: SPOKEN)

    def for_call(self) -> CallVoice:
        return CallVoice(self)


class CallVoice:
    """Speech for one call: off for the rest of it after the first failure."""

    def __init__(self, voice: Voice | None) -> None:
        self._voice = voice
        self._off = voice is None

    def phrases(self, question: str, language: Language) -> SpokenKeys:
        """What the caller may say to ``question`` now; empty: keys only."""
        if self._off or self._voice is None or self._voice.model.loaded is None:
            return {}
        return spoken_keys(self._voice.catalogue, question, language)

    async def listen(self, channel: AgiChannel, phrases: SpokenKeys) -> VoiceReply:
        """The caller's answer to a question whose answers are ``phrases``."""
        voice = self._voice
        model = voice.model.loaded if voice is not None else None
        if voice is None or model is None:
            self._unavailable(channel, "speech model not loaded")
            return VoiceReply(Heard.UNAVAILABLE)
        phrases = hearable(phrases, model.knows)
        if not phrases:
            self._unavailable(channel, "the model knows none of the answer's phrases")
            return VoiceReply(Heard.UNAVAILABLE)
        outcome = await self._listened(
            channel, voice, _grammar(model, phrases, voice.min_confidence), voice.max_s
        )
        if outcome is None:
            return VoiceReply(Heard.UNAVAILABLE)
        if outcome.kind is OutcomeKind.DTMF and outcome.dtmf:
            return VoiceReply(Heard.KEY, outcome.dtmf)
        if outcome.kind is OutcomeKind.SILENCE:
            return VoiceReply(Heard.SILENCE)
        if outcome.kind in (OutcomeKind.HEARD, OutcomeKind.HUNG_UP) and outcome.heard:
            said = match_phrase(outcome.heard.text, list(phrases))
            if said is None:
                return VoiceReply(Heard.NOT_UNDERSTOOD)
            return VoiceReply(Heard.KEY, phrases[said], SpokenAnswer(outcome.heard.confidence))
        return VoiceReply(Heard.NOT_UNDERSTOOD)  # heard nothing usable, or hung up silent

    @property
    def takes_questions(self) -> bool:
        """The caller may be asked to say their question (``CONSULT_LINE_SPEECH_QUESTION``)."""
        voice = self._voice
        return (
            not self._off
            and voice is not None
            and voice.question_max_s is not None
            and voice.model.loaded is not None
        )

    async def question(self, channel: AgiChannel) -> SpokenQuestion | None:
        """What the caller said their question was, as recognized (free speech, up to the
        question's time); None for silence, a key, nothing recognizable or no speech."""
        voice = self._voice
        model = voice.model.loaded if voice is not None else None
        if voice is None or model is None or voice.question_max_s is None:
            return None
        outcome = await self._listened(channel, voice, _free(model), voice.question_max_s)
        if outcome is None or outcome.heard is None or not outcome.heard.text.strip():
            return None
        if outcome.kind not in (OutcomeKind.HEARD, OutcomeKind.HUNG_UP):
            return None
        return SpokenQuestion(outcome.heard.text.strip(), outcome.heard.confidence)

    async def _listened(
        self,
        channel: AgiChannel,
        voice: Voice,
        recognition: Callable[[], Recognition],
        max_s: float,
    ) -> Outcome | None:
        """How the caller was listened to; None when speech turned out unavailable."""
        try:
            recognition()  # a grammar the model cannot hear fails here, not mid-call
        except (UnknownWordsError, RecognizerError) as error:
            self._unavailable(channel, str(error))
            return None
        session = uuid.uuid4()
        spec = ListenSpec(
            recognition=recognition,
            no_input_s=voice.no_input_s,
            end_silence_s=voice.end_silence_s,
            max_s=max_s,
        )
        pending = voice.listenings.expect(str(session), spec, channel_id=channel.env.uniqueid)
        listen_s = voice.no_input_s + max_s + FINISH_MARGIN_S
        if not await channel.audiosocket(session, voice.host, voice.port, listen_s):
            voice.listenings.stop(str(session))
            self._unavailable(channel, "Asterisk could not run AudioSocket")
            return None
        outcome = await pending.outcome(CONNECT_WAIT_S)
        if outcome.kind in (OutcomeKind.FAILED, OutcomeKind.NO_CONNECTION):
            self._unavailable(channel, f"{outcome.kind.value}: {outcome.reason or ''}")
            return None
        return outcome

    def _unavailable(self, channel: AgiChannel, why: str) -> None:
        self._off = True
        log.warning(
            "%s: ответы голосом недоступны до конца звонка, только клавиши (%s)",
            channel.env.uniqueid,
            why,
        )


def _grammar(
    model: LoadedModel, phrases: SpokenKeys, min_confidence: float
) -> Callable[[], Recognition]:
    def make() -> Recognition:
        return grammar_recognition(model, list(phrases), min_confidence=min_confidence)

    return make


def _free(model: LoadedModel) -> Callable[[], Recognition]:
    def make() -> Recognition:
        return free_recognition(model)

    return make
