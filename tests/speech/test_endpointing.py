"""Loudness of real speech and the end-pointing rule at its boundaries, with times passed in."""

from __future__ import annotations

import struct

import pytest

from speech.endpointing import EndPointer, Verdict, loudest_rms
from tests.speech.fake_asterisk import QUIET, chunks, speech

SPEECH_RMS = 500.0


def tone(amplitude: int, samples: int = 160) -> bytes:
    """A square wave of ``amplitude``: its RMS is exactly ``amplitude``."""
    return b"".join(struct.pack("<h", amplitude * (-1) ** i) for i in range(samples))


def test_rms_of_silence_and_of_a_known_wave() -> None:
    assert loudest_rms(b"") == 0.0
    assert loudest_rms(QUIET) == 0.0
    assert loudest_rms(tone(1000)) == pytest.approx(1000.0)
    full_scale = struct.pack("<h", -32768) * 160  # the one sample with no positive twin
    assert loudest_rms(full_scale) == pytest.approx(32768.0)


def test_rms_is_the_loudest_20_ms_window_not_the_average() -> None:
    # 60 ms: quiet, loud, quiet. The mean over all of it would be under the loud window's.
    assert loudest_rms(QUIET + tone(3000) + QUIET) == pytest.approx(3000.0)
    # A short tail is a window of its own; an odd last byte is ignored.
    assert loudest_rms(QUIET + tone(800, samples=40) + b"\x7f") == pytest.approx(800.0)


@pytest.mark.parametrize("word", ["da", "net", "question"])
def test_real_speech_is_loud_and_its_trailing_silence_is_not(word: str) -> None:
    frames = chunks(speech(word))
    loud = [loudest_rms(piece) > SPEECH_RMS for piece in frames]
    assert any(loud[:5])  # espeak-ng starts speaking at once
    assert not any(loud[-15:])  # and ends with about 0.4 s of near silence


def pointer(started_at: float = 100.0) -> EndPointer:
    return EndPointer(started_at=started_at, no_input_s=5.0, end_silence_s=0.8, max_s=10.0)


def test_nothing_loud_for_no_input_s_is_silence() -> None:
    rule = pointer()
    for i in range(200):  # quiet frames do not count as speech
        rule.audio(100.0 + i * 0.02, loud=False)
    assert rule.deadline() == 105.0
    assert rule.verdict(104.999) is None
    assert rule.verdict(105.0) is Verdict.SILENCE
    assert not rule.speech_heard


def test_no_frames_at_all_is_silence_too() -> None:
    rule = pointer()
    assert rule.verdict(105.0) is Verdict.SILENCE


def test_quiet_after_speech_ends_the_utterance_at_end_silence_s() -> None:
    rule = pointer()
    rule.audio(102.0, loud=True)
    rule.audio(102.5, loud=True)
    rule.audio(102.9, loud=False)
    assert rule.speech_heard
    assert rule.deadline() == pytest.approx(103.3)
    assert rule.verdict(103.299) is None
    assert rule.verdict(103.3) is Verdict.UTTERANCE_ENDED
    # Past no_input_s from the start, after speech, is not silence.
    assert rule.verdict(106.0) is Verdict.UTTERANCE_ENDED


def test_speech_that_goes_on_is_cut_at_max_s_from_its_first_loud_frame() -> None:
    rule = pointer()
    rule.audio(104.0, loud=True)  # the caller starts late: max_s counts from here
    for i in range(1, 600):
        rule.audio(104.0 + i * 0.02, loud=True)
        if 104.0 + i * 0.02 >= 113.99:
            break
    assert rule.deadline() == pytest.approx(114.0)
    assert rule.verdict(113.999) is None
    assert rule.verdict(114.0) is Verdict.TOO_LONG


def test_a_pause_shorter_than_end_silence_s_keeps_listening() -> None:
    rule = pointer()
    rule.audio(101.0, loud=True)
    assert rule.verdict(101.79) is None
    rule.audio(101.79, loud=True)  # the next word
    assert rule.verdict(102.5) is None
    assert rule.verdict(102.59) is Verdict.UTTERANCE_ENDED
