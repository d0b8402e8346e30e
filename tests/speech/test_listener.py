"""One listening over a real loopback AudioSocket, the test playing Asterisk with real speech:
how it ends, what the recognizer is fed, the keep-alive, a key, a hang-up, a failing recognizer.

Speech is sent faster than real time (all frames at once, as a burst arrives) unless a test says
it paces it at one 20 ms frame per 20 ms of the loop's clock. No test asserts on durations: the
end-pointing rule's timing is tested with times passed in (``test_endpointing``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

import pytest

from speech.listener import ListenerTimes
from speech.listening import Heard, ListenSpec, OutcomeKind, Recognition
from tests.speech.fake_asterisk import (
    HANGUP,
    KEEPALIVE,
    QUIET,
    BlockedRecognition,
    KeepingRecognition,
    Recognitions,
    audiosocket,
    calling,
    frame,
    new_uuid,
    outcome_of,
    speech,
    spoken_part,
)

QUICK = {"no_input_s": 1.0, "end_silence_s": 0.3, "max_s": 10.0}


async def test_speech_then_silence_is_heard_and_the_recognizer_got_every_byte_in_order() -> None:
    recognitions = Recognitions()
    said = speech("da") + QUIET * 5
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(said)
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.HEARD
    assert outcome.heard == Heard(text=f"{len(said)} bytes", confidence=0.9)
    recognition = recognitions.only
    assert bytes(recognition.fed) == said
    assert recognition.finished == 1
    assert received[-1] == HANGUP  # the application ends with result=0
    assert set(received[:-1]) == {KEEPALIVE}
    assert len(listenings) == 0


async def test_a_phrase_with_pauses_between_words_is_one_utterance() -> None:
    recognitions = Recognitions()
    said = spoken_part(speech("question"))  # the quiet after it is the server's clock's
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            await call.send_paced(said)  # real time: the pauses between words are real
            outcome = await outcome_of(pending)
    assert outcome.kind is OutcomeKind.HEARD
    assert bytes(recognitions.only.fed) == said


async def test_speech_longer_than_max_s_is_cut_and_heard() -> None:
    recognitions = Recognitions()
    said = speech("question")
    limits = {**QUICK, "max_s": 0.3}
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **limits))
        async with calling(server.port, pending.uuid) as call:
            await call.send_paced(said)
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.HEARD
    fed = bytes(recognitions.only.fed)
    assert said.startswith(fed)
    assert 0 < len(fed) < len(said)  # cut while the caller was still speaking
    assert received[-1] == HANGUP


async def test_silence_only_is_silence_and_the_recognizer_is_not_asked() -> None:
    recognitions = Recognitions()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(QUIET * 25)
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.SILENCE
    assert outcome.heard is None
    assert recognitions.only.finished == 0
    assert received[-1] == HANGUP


async def test_no_frames_at_all_is_silence_with_a_keepalive_at_least_every_half_second() -> None:
    # Asterisk gives the application up after 2 s with no frame either way; a silent caller
    # may produce no frames at all. Default keep-alive times, a 2 s listening.
    no_input_s = 2.0
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(Recognitions(), no_input_s=no_input_s))
        async with calling(server.port, pending.uuid) as call:
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.SILENCE
    *sent_while_listening, last = received
    assert last == HANGUP
    assert set(sent_while_listening) == {KEEPALIVE}  # 20 ms of silence, kind 0x10
    # One at the start, then at least one per 0.5 s until the end.
    assert len(sent_while_listening) >= 1 + math.floor(no_input_s / 0.5)


@pytest.mark.parametrize(
    "hang_up", [pytest.param(True, id="hangup-frame"), pytest.param(False, id="plain-eof")]
)
async def test_caller_hanging_up_mid_utterance_keeps_what_was_heard(hang_up: bool) -> None:
    recognitions = Recognitions()
    said = speech("question")[: 40 * 320]  # 0.8 s in: mid-word
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(said)
            if hang_up:
                call.send(frame(0x00))
            call.writer.write_eof()
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.HUNG_UP
    assert outcome.heard == Heard(text=f"{len(said)} bytes", confidence=0.9)
    assert bytes(recognitions.only.fed) == said
    assert HANGUP not in received  # nobody left to tell


async def test_caller_hanging_up_before_speaking_has_nothing_heard() -> None:
    recognitions = Recognitions()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(QUIET * 3)
            call.send(frame(0x00))
            call.writer.write_eof()
            outcome = await outcome_of(pending)
    assert outcome.kind is OutcomeKind.HUNG_UP
    assert outcome.heard is None
    assert recognitions.only.finished == 0


async def test_asterisk_reporting_the_caller_hung_up_as_an_error_is_a_hang_up() -> None:
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(Recognitions(), **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send(frame(0xFF, b"\x01"))
            call.writer.write_eof()
            outcome = await outcome_of(pending)
    assert outcome.kind is OutcomeKind.HUNG_UP


@pytest.mark.parametrize(("payload", "code"), [(b"\x02", "0x02"), (b"\x04", "0x04"), (b"", "none")])
async def test_an_error_frame_fails_the_listening(payload: bytes, code: str) -> None:
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(Recognitions(), **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(speech("da")[:3200])
            call.send(frame(0xFF, payload))
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.FAILED
    assert outcome.reason == f"Asterisk reported an error (code {code})"
    assert received[-1] == HANGUP


async def test_a_dtmf_frame_ends_the_listening_with_its_key() -> None:
    recognitions = Recognitions()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(speech("da")[:3200])  # a key pressed while speaking wins
            call.send(frame(0x03, b"5"))
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.DTMF
    assert outcome.dtmf == "5"
    assert recognitions.only.finished == 0
    assert received[-1] == HANGUP


async def test_stop_with_a_key_from_outside_ends_the_connected_listening() -> None:
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(Recognitions(), **QUICK))
        async with calling(server.port, pending.uuid) as call:
            await call.first_frame()  # the server has the call
            call.send_audio(QUIET * 2)
            assert listenings.stop(pending.uuid, dtmf="1")
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.DTMF
    assert outcome.dtmf == "1"
    assert received[-1] == HANGUP
    assert not listenings.stop(pending.uuid, dtmf="2")


async def test_stop_without_a_key_after_speech_gives_what_was_heard() -> None:
    recognitions = Recognitions()
    said = speech("net")[:3200]
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            await call.first_frame()
            await call.send_paced(said)
            assert listenings.stop(pending.uuid)
            outcome = await outcome_of(pending)
    assert outcome.kind is OutcomeKind.HEARD
    assert bytes(recognitions.only.fed) == said


class FeedRaises(KeepingRecognition):
    def feed(self, pcm: bytes) -> None:
        raise RuntimeError("decoder crashed")


class FinishRaises(KeepingRecognition):
    def finish(self) -> Heard:
        raise RuntimeError("no result")


def cannot_start() -> Recognition:
    raise OSError("model not loaded")


@pytest.mark.parametrize(
    ("recognition", "reason"),
    [
        (FeedRaises, "the recognizer failed to take audio: RuntimeError('decoder crashed')"),
        (FinishRaises, "the recognizer failed to finish: RuntimeError('no result')"),
        (cannot_start, "the recognizer failed to start: OSError('model not loaded')"),
    ],
)
async def test_a_failing_recognizer_fails_the_listening_with_the_reason(
    recognition: Callable[[], Recognition], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognition, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            call.send_audio(speech("da"))
            outcome = await outcome_of(pending)
            received = await call.until_closed()
    assert outcome.kind is OutcomeKind.FAILED
    assert outcome.reason == reason
    assert received[-1] == HANGUP  # the call goes on: the route falls back to the keypad
    assert any(reason in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


async def test_a_slow_recognizer_does_not_stall_reading() -> None:
    stuck = BlockedRecognition()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(lambda: stuck, **QUICK))
        try:
            async with calling(server.port, pending.uuid) as call:
                call.send_audio(speech("da")[:1600])
                await asyncio.to_thread(stuck.entered.wait, 5.0)
                # The recognizer is stuck in feed(); the socket is still read.
                call.send_audio(speech("da")[1600:])
                call.send(frame(0x03, b"9"))
                outcome = await outcome_of(pending)
                assert not stuck.release.is_set()
        finally:
            stuck.release.set()
    assert outcome.dtmf == "9"


async def test_a_recognizer_falling_too_far_behind_fails_the_listening() -> None:
    stuck = BlockedRecognition()
    async with audiosocket(max_backlog_bytes=3200) as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(lambda: stuck, **QUICK))
        try:
            async with calling(server.port, pending.uuid) as call:
                call.send_audio(QUIET)
                await asyncio.to_thread(stuck.entered.wait, 5.0)
                call.send_audio(speech("question"))
                outcome = await outcome_of(pending)
        finally:
            stuck.release.set()
    assert outcome.kind is OutcomeKind.FAILED
    assert "fell behind" in outcome.reason


async def test_a_recognizer_that_never_finishes_fails_after_finish_timeout() -> None:
    stuck = BlockedRecognition()
    times = ListenerTimes(finish_timeout_s=0.2)
    async with audiosocket(times=times) as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(lambda: stuck, **QUICK))
        try:
            async with calling(server.port, pending.uuid) as call:
                call.send_audio(speech("da"))
                outcome = await outcome_of(pending)
                received = await call.until_closed()
        finally:
            stuck.release.set()
    assert outcome.kind is OutcomeKind.FAILED
    assert outcome.reason == "the recognizer gave no result within 0.2 s"
    assert received[-1] == HANGUP  # the socket was ended before waiting for the result


async def test_audio_at_another_rate_is_skipped_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recognitions = Recognitions()
    said = speech("da")
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            for _ in range(3):
                call.send(frame(0x12, bytes(640)))  # slin16
            call.send_audio(said)
            outcome = await outcome_of(pending)
    assert outcome.kind is OutcomeKind.HEARD
    assert bytes(recognitions.only.fed) == said
    assert len([r for r in caplog.records if "16000 Hz" in r.getMessage()]) == 1


async def test_many_calls_at_once_each_get_their_own_outcome() -> None:
    words = {"da": speech("da"), "net": speech("net")}
    plans = [("da", None), ("net", None), ("da", "4")] * 10
    async with audiosocket() as (server, listenings):
        calls = []
        for word, key in plans:
            recognitions = Recognitions()
            pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
            calls.append((word, key, recognitions, pending))

        async def one(word: str, key: str | None, pending_uuid: str) -> None:
            async with calling(server.port, pending_uuid) as call:
                call.send_audio(words[word])
                if key is not None:
                    call.send(frame(0x03, key.encode()))
                await call.until_closed()

        await asyncio.gather(*(one(word, key, p.uuid) for word, key, _, p in calls))
        outcomes = [await outcome_of(pending) for *_, pending in calls]
    assert len(outcomes) == 30
    for (word, key, recognitions, _), outcome in zip(calls, outcomes, strict=True):
        if key is None:
            assert outcome.kind is OutcomeKind.HEARD
            assert bytes(recognitions.only.fed) == words[word]
            assert outcome.heard == Heard(f"{len(words[word])} bytes", 0.9)
        else:
            assert outcome.kind is OutcomeKind.DTMF
            assert outcome.dtmf == key
    assert len(listenings) == 0
