"""The AudioSocket wire format: frames read from an asyncio stream, and frames to send.

A frame is one kind byte, a payload length as 2 bytes big-endian, then the payload. The kinds
this side meets (Asterisk's ``res_audiosocket``):

* ``0x00`` hang-up: Asterisk's side is ending; we send it (length 0) to end the application;
* ``0x01`` the stream's UUID, 16 raw bytes, always the first frame Asterisk sends;
* ``0x03`` one DTMF key as an ASCII character (Asterisk 23 and later; 22 never sends it);
* ``0x10`` audio: signed linear 16-bit little-endian mono at 8 kHz (a 20 ms frame is 320 bytes);
* ``0x11``-``0x18`` audio at other rates (12 to 192 kHz), which the AudioSocket dialplan
  application does not negotiate: recognised and skipped by the listener;
* ``0xff`` an error on Asterisk's side, the payload an optional error code byte.

Asterisk drops an audio frame of length 0 and stops the application on it, so audio we send is
never empty. Anything else on the wire (an unknown kind, a length over ``max_payload``, a
payload that does not fit its kind, a stream cut inside a frame) is a ``Garbled`` result, never
an exception: whoever reads decides what a broken stream means.
"""

from __future__ import annotations

import asyncio
import struct
import uuid
from dataclasses import dataclass
from typing import Final

KIND_HANGUP: Final = 0x00
KIND_UUID: Final = 0x01
KIND_DTMF: Final = 0x03
KIND_AUDIO: Final = 0x10
KIND_ERROR: Final = 0xFF
# 0x11..0x18: slin12, slin16, slin24, slin32, slin44, slin48, slin96, slin192.
OTHER_AUDIO_RATES_HZ: Final = {
    0x11: 12000,
    0x12: 16000,
    0x13: 24000,
    0x14: 32000,
    0x15: 44100,
    0x16: 48000,
    0x17: 96000,
    0x18: 192000,
}

SAMPLE_RATE_HZ: Final = 8000
SAMPLE_BYTES: Final = 2
FRAME_MS: Final = 20
FRAME_BYTES: Final = SAMPLE_RATE_HZ * FRAME_MS // 1000 * SAMPLE_BYTES  # 320
UUID_BYTES: Final = 16
MAX_PAYLOAD: Final = 16 * 1024  # Asterisk sends 20 ms: 320 bytes at 8 kHz, 7680 at 192 kHz
DTMF_KEYS: Final = frozenset("0123456789*#ABCD")

_HEADER = struct.Struct("!BH")
_LENGTH_LIMIT: Final = 0xFFFF


# --------------------------------------------------------------------------- what is read


@dataclass(frozen=True, slots=True)
class Hangup:
    """Asterisk's side ended (the caller hung up, or the application is stopping)."""


@dataclass(frozen=True, slots=True)
class StreamId:
    """The UUID the dialplan gave ``AudioSocket()``, in its canonical text form."""

    uuid: str


@dataclass(frozen=True, slots=True)
class Dtmf:
    key: str


@dataclass(frozen=True, slots=True)
class Audio:
    """Signed linear 16-bit little-endian mono, 8 kHz."""

    pcm: bytes


@dataclass(frozen=True, slots=True)
class OtherAudio:
    """Audio at a rate other than 8 kHz: recognised, not listened to."""

    kind: int
    rate_hz: int
    size: int


@dataclass(frozen=True, slots=True)
class AsteriskError:
    """Asterisk reported an error; ``code`` is its first payload byte, if it sent one."""

    code: int | None


@dataclass(frozen=True, slots=True)
class Garbled:
    """Not an AudioSocket stream (or a broken one): nothing after it can be trusted."""

    reason: str


@dataclass(frozen=True, slots=True)
class EndOfStream:
    """The peer closed the connection between frames."""


Frame = Hangup | StreamId | Dtmf | Audio | OtherAudio | AsteriskError
ReadResult = Frame | Garbled | EndOfStream


class FrameReader:
    """Reads one frame at a time from ``reader``. Never raises for what the peer sends; a
    connection error (reset) reads as ``EndOfStream``. After ``Garbled`` the stream is lost:
    stop reading."""

    def __init__(self, reader: asyncio.StreamReader, *, max_payload: int = MAX_PAYLOAD) -> None:
        self._reader = reader
        self._max_payload = max_payload

    async def read(self) -> ReadResult:
        try:
            header = await self._reader.readexactly(_HEADER.size)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return EndOfStream()
            return Garbled(f"stream ended inside a frame header ({len(exc.partial)} of 3 bytes)")
        except (ConnectionError, OSError):
            return EndOfStream()
        kind, length = _HEADER.unpack(header)
        if not _known(kind):
            return Garbled(f"unknown frame kind 0x{kind:02x}")
        if length > self._max_payload:
            return Garbled(f"frame of kind 0x{kind:02x} claims {length} bytes")
        try:
            payload = await self._reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            return Garbled(
                f"stream ended inside a frame of kind 0x{kind:02x} "
                f"({len(exc.partial)} of {length} bytes)"
            )
        except (ConnectionError, OSError):
            return EndOfStream()
        return decode_frame(kind, payload)


def _known(kind: int) -> bool:
    return kind in (KIND_HANGUP, KIND_UUID, KIND_DTMF, KIND_AUDIO, KIND_ERROR) or (
        kind in OTHER_AUDIO_RATES_HZ
    )


def decode_frame(kind: int, payload: bytes) -> Frame | Garbled:
    """One frame from its kind and payload, or why it cannot be one."""
    if kind == KIND_HANGUP:
        return Hangup()
    if kind == KIND_UUID:
        if len(payload) != UUID_BYTES:
            return Garbled(f"uuid frame of {len(payload)} bytes")
        return StreamId(str(uuid.UUID(bytes=payload)))
    if kind == KIND_DTMF:
        key = payload.decode("ascii", "replace")
        if key not in DTMF_KEYS:
            return Garbled(f"dtmf frame carrying {payload!r}")
        return Dtmf(key)
    if kind == KIND_AUDIO:
        if len(payload) % SAMPLE_BYTES:
            return Garbled(f"audio frame of an odd {len(payload)} bytes")
        return Audio(payload)
    if kind in OTHER_AUDIO_RATES_HZ:
        return OtherAudio(kind, OTHER_AUDIO_RATES_HZ[kind], len(payload))
    if kind == KIND_ERROR:
        return AsteriskError(payload[0] if payload else None)
    return Garbled(f"unknown frame kind 0x{kind:02x}")


# --------------------------------------------------------------------------- what is sent


def encode_frame(kind: int, payload: bytes = b"") -> bytes:
    if not 0 <= kind <= 0xFF:
        raise ValueError(f"frame kind {kind} is not a byte")
    if len(payload) > _LENGTH_LIMIT:
        raise ValueError(f"payload of {len(payload)} bytes does not fit a frame")
    return _HEADER.pack(kind, len(payload)) + payload


def audio_frame(pcm: bytes) -> bytes:
    if not pcm or len(pcm) % SAMPLE_BYTES:
        raise ValueError(f"audio of {len(pcm)} bytes: Asterisk wants whole samples, not none")
    return encode_frame(KIND_AUDIO, pcm)


def uuid_frame(stream_uuid: str) -> bytes:
    return encode_frame(KIND_UUID, uuid.UUID(stream_uuid).bytes)


def dtmf_frame(key: str) -> bytes:
    if key not in DTMF_KEYS:
        raise ValueError(f"{key!r} is not a DTMF key")
    return encode_frame(KIND_DTMF, key.encode("ascii"))


HANGUP_FRAME: Final = encode_frame(KIND_HANGUP)
SILENCE_FRAME: Final = audio_frame(bytes(FRAME_BYTES))  # 20 ms of silence: the keep-alive
