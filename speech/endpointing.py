"""When a caller has finished speaking: loudness of the audio and the timing rule, no I/O.

The server cannot wait for the recognizer to say an utterance ended: vosk's own end-pointing
fires about a second after the last loud audio and cannot be tuned, and when the caller is
silent Asterisk may send no audio at all, so nothing would reach the recognizer to decide on.
So the listener decides by itself, from the loudness of the audio and the time (the event
loop's clock, passed in as ``now``): silence is measured in time, with or without frames.
"""

from __future__ import annotations

import enum
import math
import operator
import sys
from array import array
from typing import Final

from speech.audiosocket_frames import FRAME_BYTES

WINDOW_SAMPLES: Final = FRAME_BYTES // 2  # 20 ms at 8 kHz


def loudest_rms(pcm: bytes) -> float:
    """The highest RMS over the 20 ms windows of ``pcm`` (signed 16-bit little-endian; a
    shorter tail is a window of its own); 0.0 for no audio."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    loudest = 0.0
    for start in range(0, len(samples), WINDOW_SAMPLES):
        window = samples[start : start + WINDOW_SAMPLES]
        energy = sum(map(operator.mul, window, window))
        loudest = max(loudest, math.sqrt(energy / len(window)))
    return loudest


class Verdict(enum.Enum):
    SILENCE = "silence"  # nothing loud within no_input_s
    UTTERANCE_ENDED = "utterance_ended"  # quiet for end_silence_s after speech
    TOO_LONG = "too_long"  # speech went on for max_s


class EndPointer:
    """The timing rule of one listening. Feed it every audio frame with its time and whether it
    was loud; ask for the verdict at any time, and for the moment a verdict could come if
    nothing loud arrives (the listener sleeps until then)."""

    def __init__(
        self, *, started_at: float, no_input_s: float, end_silence_s: float, max_s: float
    ) -> None:
        self._started_at = started_at
        self._no_input_s = no_input_s
        self._end_silence_s = end_silence_s
        self._max_s = max_s
        self._speech_from: float | None = None
        self._last_loud: float | None = None

    @property
    def speech_heard(self) -> bool:
        return self._speech_from is not None

    def audio(self, now: float, *, loud: bool) -> None:
        if not loud:
            return
        if self._speech_from is None:
            self._speech_from = now
        self._last_loud = now

    def deadline(self) -> float:
        if self._speech_from is None or self._last_loud is None:
            return self._started_at + self._no_input_s
        return min(self._last_loud + self._end_silence_s, self._speech_from + self._max_s)

    def verdict(self, now: float) -> Verdict | None:
        if self._speech_from is None or self._last_loud is None:
            return Verdict.SILENCE if now >= self._started_at + self._no_input_s else None
        if now >= self._speech_from + self._max_s:
            return Verdict.TOO_LONG
        if now >= self._last_loud + self._end_silence_s:
            return Verdict.UTTERANCE_ENDED
        return None
