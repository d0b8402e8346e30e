"""Plays Asterisk's side of AudioSocket over loopback, with the real speech in ``audio/``.

Frames the server sends are parsed here byte by byte (kind, big-endian length, payload), apart
from the codec under test, so that a fault in the codec cannot hide itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import sys
import threading
import uuid
import wave
from array import array
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from speech.audiosocket_server import AudioSocketServer
from speech.listening import Heard, Listenings, Outcome, Pending

AUDIO_DIR = Path(__file__).parent / "audio"
FRAME_BYTES = 320  # 20 ms of 8 kHz 16-bit mono
QUIET = bytes(FRAME_BYTES)
KEEPALIVE = (0x10, QUIET)
HANGUP = (0x00, b"")


def speech(name: str) -> bytes:
    """The PCM of ``audio/<name>.wav``, checked to be what Asterisk sends."""
    with wave.open(str(AUDIO_DIR / f"{name}.wav"), "rb") as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (8000, 2, 1)
        return wav.readframes(wav.getnframes())


def spoken_part(pcm: bytes) -> bytes:
    """``pcm`` without its trailing 20 ms chunks of near silence (samples within ±1)."""
    pieces = chunks(pcm)
    while pieces and max(abs(sample) for sample in _samples(pieces[-1])) <= 1:
        pieces.pop()
    return b"".join(pieces)


def _samples(pcm: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def chunks(pcm: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    return [pcm[start : start + size] for start in range(0, len(pcm), size)]


def frame(kind: int, payload: bytes = b"") -> bytes:
    """Written out here rather than taken from the codec under test."""
    return struct.pack("!BH", kind, len(payload)) + payload


def uuid_frame(stream_uuid: str) -> bytes:
    return frame(0x01, uuid.UUID(stream_uuid).bytes)


# --------------------------------------------------------------------------- recognizers


class KeepingRecognition:
    """Keeps every byte fed, and says how many it got."""

    def __init__(self) -> None:
        self.fed = bytearray()
        self.feed_calls = 0
        self.finished = 0

    def feed(self, pcm: bytes) -> None:
        self.feed_calls += 1
        self.fed += pcm

    def finish(self) -> Heard:
        self.finished += 1
        return Heard(text=f"{len(self.fed)} bytes", confidence=0.9)


@dataclass
class Recognitions:
    """A ``ListenSpec.recognition`` factory that remembers what it made."""

    made: list[KeepingRecognition] = field(default_factory=list)

    def __call__(self) -> KeepingRecognition:
        recognition = KeepingRecognition()
        self.made.append(recognition)
        return recognition

    @property
    def only(self) -> KeepingRecognition:
        [recognition] = self.made
        return recognition


class BlockedRecognition(KeepingRecognition):
    """A recognizer stuck in ``feed`` until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def feed(self, pcm: bytes) -> None:
        self.entered.set()
        self.release.wait(timeout=30)
        super().feed(pcm)


# --------------------------------------------------------------------------- the call


class FakeAsterisk:
    """One AudioSocket connection, as Asterisk makes it. Everything the server sends is read
    in the background into ``received`` as (kind, payload)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self.writer = writer
        self.received: list[tuple[int, bytes]] = []
        self.eof = asyncio.Event()
        self.cut_short = 0  # bytes of a frame the server never finished
        self._first_frame = asyncio.Event()
        self._task = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> FakeAsterisk:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    def send_audio(self, pcm: bytes) -> None:
        """All at once: faster than real time, the way a burst arrives."""
        for piece in chunks(pcm):
            self.send(frame(0x10, piece))

    async def send_paced(self, pcm: bytes) -> None:
        """One 20 ms frame per 20 ms of the loop's clock, as Asterisk sends; stops when the
        server has ended the connection."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        for piece in chunks(pcm):
            if self.ended:
                return
            self.send(frame(0x10, piece))
            due += 0.02
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def first_frame(self, timeout_s: float = 5.0) -> None:
        """Waits for the server's first frame: the listening has been claimed by then."""
        async with asyncio.timeout(timeout_s):
            await self._first_frame.wait()

    async def until_closed(self, timeout_s: float = 10.0) -> list[tuple[int, bytes]]:
        """Everything the server sent, once it has closed."""
        async with asyncio.timeout(timeout_s):
            await self.eof.wait()
        assert self.cut_short == 0, "the server cut a frame short"
        return self.received

    @property
    def ended(self) -> bool:
        return self.eof.is_set() or HANGUP in self.received

    async def _read(self) -> None:
        try:
            while True:
                header = await self._reader.readexactly(3)
                kind, length = struct.unpack("!BH", header)
                payload = await self._reader.readexactly(length)
                self.received.append((kind, payload))
                self._first_frame.set()
                if (kind, payload) == HANGUP and self.writer.can_write_eof():
                    self.writer.write_eof()  # Asterisk ends the application and closes
        except asyncio.IncompleteReadError as exc:
            self.cut_short = len(exc.partial)
        except ConnectionResetError:
            pass  # a peer cut off (garbage) may see a reset instead of an EOF
        finally:
            self.eof.set()
            self._first_frame.set()

    async def aclose(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@asynccontextmanager
async def audiosocket(
    listenings: Listenings | None = None, **options: Any
) -> AsyncIterator[tuple[AudioSocketServer, Listenings]]:
    listenings = listenings if listenings is not None else Listenings()
    server = AudioSocketServer(listenings, host="127.0.0.1", port=0, **options)
    await server.start()
    try:
        yield server, listenings
    finally:
        await server.stop(drain_timeout_s=1.0)


@asynccontextmanager
async def calling(port: int, stream_uuid: str | None = None) -> AsyncIterator[FakeAsterisk]:
    """A connection that has sent ``stream_uuid`` (when given) as its first frame."""
    call = await FakeAsterisk.connect(port)
    if stream_uuid is not None:
        call.send(uuid_frame(stream_uuid))
    try:
        yield call
    finally:
        await call.aclose()


async def outcome_of(pending: Pending, timeout_s: float = 10.0) -> Outcome:
    """The listening's outcome, bounded here too: a broken server fails the test, not hangs it."""
    async with asyncio.timeout(timeout_s):
        return await pending.outcome(5.0)


def new_uuid() -> str:
    return str(uuid.uuid4())
