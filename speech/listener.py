"""One listening on one AudioSocket connection, from the uuid to the outcome.

What Asterisk 22 does that this relies on:

* the AudioSocket application fails, and the call is hung up, when no frame has gone either way
  for 2 s; a silent caller may produce no audio frames at all. So while listening we send 20 ms
  of silence every ``keepalive_s`` (0.4 s), whatever the caller sends;
* a hang-up frame from us ends the application normally (``result=0``), and Asterisk then closes
  its side. A reset instead of an orderly close fails the application, so we half-close and read
  to Asterisk's EOF (bounded in time) before closing;
* the caller hanging up closes the socket (or comes as a hang-up frame);
* DTMF comes as a frame only from Asterisk 23 on; on 22 it comes through ``Listenings.stop``.

The listening ends (first come, first served) on: the end-pointing verdict (``EndPointer``), a
key, ``stop``, the caller hanging up, an error frame, a garbled stream, or the recognizer
failing. The socket is ended first, so that the call goes on; the recognizer's result (when one
is wanted) comes after, bounded by ``finish_timeout_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from ivr.agi.streams import close_after_eof
from speech.audiosocket_frames import (
    HANGUP_FRAME,
    SILENCE_FRAME,
    AsteriskError,
    Audio,
    Dtmf,
    EndOfStream,
    FrameReader,
    Garbled,
    Hangup,
    OtherAudio,
    ReadResult,
    StreamId,
)
from speech.endpointing import EndPointer, Verdict, loudest_rms
from speech.feeding import DEFAULT_MAX_BACKLOG_BYTES, RecognitionFailed, RecognizerFeed
from speech.listening import Heard, Listening, Outcome

log = logging.getLogger(__name__)

ERROR_CALLER_HUNG_UP = 0x01  # AudioSocket's error code for "the calling party hung up"


@dataclass(frozen=True, slots=True)
class ListenerTimes:
    """``keepalive_s``: silence sent this often (Asterisk gives up after 2 s without a frame);
    ``finish_timeout_s``: the recognizer's time to catch up and give its result;
    ``close_timeout_s``: the wait for Asterisk's EOF after our half-close."""

    keepalive_s: float = 0.4
    finish_timeout_s: float = 10.0
    close_timeout_s: float = 1.0


# How hearing stopped, before the outcome is made of it.
@dataclass(frozen=True, slots=True)
class _Pressed:
    key: str


@dataclass(frozen=True, slots=True)
class _StopAsked:
    pass


@dataclass(frozen=True, slots=True)
class _CallerGone:
    pass


@dataclass(frozen=True, slots=True)
class _Broken:
    reason: str
    garbled: bool = False


_Stop = Verdict | _Pressed | _StopAsked | _CallerGone | _Broken


class Listener:
    def __init__(
        self,
        listening: Listening,
        frames: FrameReader,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        times: ListenerTimes,
        executor: Executor | None = None,
        max_backlog_bytes: int = DEFAULT_MAX_BACKLOG_BYTES,
    ) -> None:
        self._listening = listening
        self._frames = frames
        self._reader = reader
        self._writer = writer
        self._times = times
        self._loop = asyncio.get_running_loop()
        spec = listening.spec
        self._pointer = EndPointer(
            started_at=self._loop.time(),
            no_input_s=spec.no_input_s,
            end_silence_s=spec.end_silence_s,
            max_s=spec.max_s,
        )
        self._feed = RecognizerFeed(
            spec.recognition, executor=executor, max_backlog_bytes=max_backlog_bytes
        )
        self._keepalive_due = self._loop.time()
        self._other_audio_seen = False

    async def run(self) -> Outcome:
        """Listens, ends the socket, and settles the listening with its outcome."""
        try:
            stop = await self._hear()
            closing = asyncio.ensure_future(self._end_socket(stop))
            try:
                outcome = await self._outcome(stop)
                self._listening.end(outcome)  # the route need not wait for the close
            finally:
                await closing
        except BaseException:
            self._feed.abandon()
            self._listening.end(Outcome.failed("the listening was cut short"))
            self._writer.transport.abort()
            raise
        return outcome

    # ------------------------------------------------------------------ hearing

    async def _hear(self) -> _Stop:
        next_frame = asyncio.ensure_future(self._frames.read())
        try:
            while True:
                now = self._loop.time()
                if now >= self._keepalive_due:
                    self._send(SILENCE_FRAME)
                    self._keepalive_due = now + self._times.keepalive_s
                verdict = self._pointer.verdict(now)
                if verdict is not None:
                    return verdict
                wake_at = min(self._keepalive_due, self._pointer.deadline())
                waiters: set[asyncio.Future[Any]] = {
                    next_frame,
                    self._listening.stop_request,
                    self._feed.failure,
                }
                await asyncio.wait(
                    waiters,
                    timeout=max(0.0, wake_at - now),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if self._feed.failure.done():
                    return _Broken(self._feed.failure.result())
                if self._listening.stop_request.done():
                    key = self._listening.stop_request.result()
                    return _StopAsked() if key is None else _Pressed(key)
                if next_frame.done():
                    stop = self._take(next_frame.result())
                    if stop is not None:
                        return stop
                    next_frame = asyncio.ensure_future(self._frames.read())
        finally:
            next_frame.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await next_frame

    def _take(self, frame: ReadResult) -> _Stop | None:
        match frame:
            case Audio(pcm):
                loud = loudest_rms(pcm) > self._listening.spec.speech_rms
                self._pointer.audio(self._loop.time(), loud=loud)
                self._feed.push(pcm)
            case Dtmf(key):
                return _Pressed(key)
            case Hangup() | EndOfStream():
                return _CallerGone()
            case AsteriskError(code) if code == ERROR_CALLER_HUNG_UP:
                return _CallerGone()
            case AsteriskError(code):
                shown = "none" if code is None else f"0x{code:02x}"
                return _Broken(f"Asterisk reported an error (code {shown})")
            case Garbled(reason):
                return _Broken(f"garbled stream: {reason}", garbled=True)
            case OtherAudio(kind, rate_hz, _size):
                if not self._other_audio_seen:
                    self._other_audio_seen = True
                    log.warning(
                        "AudioSocket uuid=%s: audio at %d Hz (kind 0x%02x) ignored: "
                        "only 8 kHz is listened to",
                        self._listening.uuid,
                        rate_hz,
                        kind,
                    )
            case StreamId(other):
                log.warning(
                    "AudioSocket uuid=%s: a second uuid frame (%s) ignored",
                    self._listening.uuid,
                    other,
                )
        return None

    # ------------------------------------------------------------------ ending

    async def _outcome(self, stop: _Stop) -> Outcome:
        match stop:
            case _Pressed(key):
                self._feed.abandon()
                return Outcome.pressed(key)
            case _Broken(reason):
                self._feed.abandon()
                return Outcome.failed(reason)
            case _CallerGone():
                if not self._pointer.speech_heard:
                    self._feed.abandon()
                    return Outcome.hung_up()
                heard = await self._recognized()
                if isinstance(heard, str):
                    log.warning(
                        "AudioSocket uuid=%s: the caller hung up; %s", self._listening.uuid, heard
                    )
                    return Outcome.hung_up()
                return Outcome.hung_up(heard)
            case Verdict.SILENCE:
                self._feed.abandon()
                return Outcome.silence()
        # The utterance ended, ran too long, or was stopped from outside.
        if not self._pointer.speech_heard:
            self._feed.abandon()
            return Outcome.silence()
        heard = await self._recognized()
        if isinstance(heard, str):
            return Outcome.failed(heard)
        return Outcome.speech(heard)

    async def _recognized(self) -> Heard | str:
        """What the recognizer heard, or why it could not say."""
        try:
            async with asyncio.timeout(self._times.finish_timeout_s):
                return await self._feed.finish()
        except RecognitionFailed as exc:
            return str(exc)
        except TimeoutError:
            self._feed.abandon()
            return f"the recognizer gave no result within {self._times.finish_timeout_s:g} s"

    async def _end_socket(self, stop: _Stop) -> None:
        if isinstance(stop, _Broken) and stop.garbled:
            self._writer.transport.abort()  # not Asterisk speaking: nothing to be polite to
            return
        await close_gracefully(
            self._reader,
            self._writer,
            hang_up=not isinstance(stop, _CallerGone),
            timeout_s=self._times.close_timeout_s,
        )

    def _send(self, frame: bytes) -> None:
        if not self._writer.transport.is_closing():
            self._writer.write(frame)


async def close_gracefully(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    hang_up: bool,
    timeout_s: float,
) -> None:
    """Sends the hang-up frame (when ``hang_up``), then closes as ``close_after_eof`` does:
    a reset instead of an orderly close would fail Asterisk's application."""
    if hang_up and not writer.transport.is_closing():
        with contextlib.suppress(ConnectionError, OSError):
            writer.write(HANGUP_FRAME)
    await close_after_eof(reader, writer, timeout_s)
