"""The AudioSocket codec: every kind Asterisk sends, every way a stream can be broken, and the
frames we send, byte for byte."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

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
    audio_frame,
    dtmf_frame,
    encode_frame,
    uuid_frame,
)
from tests.speech.fake_asterisk import frame, speech

STREAM = "9f3c2a4e-1b7d-4c59-8e0a-2d6f41b3c7a8"


async def read_all(data: bytes, *, eof: bool = True, max_payload: int = 16384) -> list[ReadResult]:
    """What a FrameReader makes of ``data``, up to the end or the first broken frame."""
    stream = asyncio.StreamReader()
    stream.feed_data(data)
    if eof:
        stream.feed_eof()
    reader = FrameReader(stream, max_payload=max_payload)
    results: list[ReadResult] = []
    while True:
        result = await reader.read()
        results.append(result)
        if isinstance(result, Garbled | EndOfStream):
            return results


async def test_a_call_as_asterisk_sends_it_reads_frame_by_frame() -> None:
    pcm = speech("da")[:640]
    data = (
        frame(0x01, uuid.UUID(STREAM).bytes)
        + frame(0x10, pcm[:320])
        + frame(0x10, pcm[320:])
        + frame(0x03, b"7")
        + frame(0x00)
    )
    assert await read_all(data) == [
        StreamId(STREAM),
        Audio(pcm[:320]),
        Audio(pcm[320:]),
        Dtmf("7"),
        Hangup(),
        EndOfStream(),
    ]


async def test_a_frame_split_across_reads_is_put_together() -> None:
    stream = asyncio.StreamReader()
    reader = FrameReader(stream)
    reading = asyncio.ensure_future(reader.read())
    data = frame(0x10, bytes(range(200)) * 2)
    for byte in data:
        stream.feed_data(bytes([byte]))
        await asyncio.sleep(0)
    assert await reading == Audio(bytes(range(200)) * 2)


@pytest.mark.parametrize(
    ("kind", "rate_hz"),
    [(0x11, 12000), (0x12, 16000), (0x16, 48000), (0x18, 192000)],
)
async def test_audio_at_other_rates_is_recognised_not_garbled(kind: int, rate_hz: int) -> None:
    assert await read_all(frame(kind, bytes(640))) == [
        OtherAudio(kind, rate_hz, 640),
        EndOfStream(),
    ]


@pytest.mark.parametrize(
    ("payload", "code"),
    [(b"\x02", 0x02), (b"\x04", 0x04), (b"", None)],
)
async def test_error_frame_carries_its_code_if_any(payload: bytes, code: int | None) -> None:
    assert await read_all(frame(0xFF, payload)) == [AsteriskError(code), EndOfStream()]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (frame(0x42, b"abc"), "unknown frame kind 0x42"),
        (frame(0x02, b"\x01\x31\x00\x00\x00\x00"), "unknown frame kind 0x02"),
        (b"\x10\xff\xff", "claims 65535 bytes"),
        (frame(0x01, b"short"), "uuid frame of 5 bytes"),
        (frame(0x03, b"x"), "dtmf frame carrying b'x'"),
        (frame(0x03, b"12"), "dtmf frame carrying b'12'"),
        (frame(0x10, bytes(321)), "audio frame of an odd 321 bytes"),
        (b"\x10\x01", "inside a frame header (2 of 3 bytes)"),
        (b"\x10\x01\x40" + bytes(100), "inside a frame of kind 0x10 (100 of 320 bytes)"),
    ],
)
async def test_a_broken_stream_is_garbled_not_an_exception(data: bytes, reason: str) -> None:
    *_, last = await read_all(data)
    assert isinstance(last, Garbled)
    assert reason in last.reason


async def test_the_length_limit_is_checked_before_the_payload_is_read() -> None:
    # No payload follows and no EOF: a reader that waited for the 60000 bytes would hang.
    [result] = await read_all(b"\x10\xea\x60", eof=False, max_payload=16384)
    assert isinstance(result, Garbled)


async def test_a_frame_just_at_the_limit_is_read() -> None:
    assert await read_all(frame(0x10, bytes(1024)), max_payload=1024) == [
        Audio(bytes(1024)),
        EndOfStream(),
    ]


async def test_an_empty_stream_is_an_end_not_garbage() -> None:
    assert await read_all(b"") == [EndOfStream()]


def test_the_frames_we_send_are_byte_exact() -> None:
    assert HANGUP_FRAME == b"\x00\x00\x00"
    twenty_ms_of_silence = b"\x10\x01\x40" + bytes(320)
    assert twenty_ms_of_silence == SILENCE_FRAME
    assert uuid_frame(STREAM) == b"\x01\x00\x10" + uuid.UUID(STREAM).bytes
    assert dtmf_frame("#") == b"\x03\x00\x01#"
    assert audio_frame(b"\x01\x02") == b"\x10\x00\x02\x01\x02"
    assert encode_frame(0xFF, b"\x02") == b"\xff\x00\x01\x02"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: audio_frame(b""),  # Asterisk stops the application on empty audio
        lambda: audio_frame(b"\x01"),
        lambda: dtmf_frame("x"),
        lambda: uuid_frame("not-a-uuid"),
        lambda: encode_frame(256),
        lambda: encode_frame(0x10, bytes(65536)),
    ],
)
def test_what_cannot_be_a_frame_is_refused(bad: Callable[[], object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own message)
        bad()
