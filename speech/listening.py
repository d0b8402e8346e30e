"""What a FastAGI route and the AudioSocket server agree on: one listening per uuid.

AudioSocket sets no channel variable, so a recognition result cannot travel back through
Asterisk: the route and the server meet here, in the one process that runs both. The route
registers what it wants to hear under a fresh uuid (``Listenings.expect``), runs
``EXEC AudioSocket <uuid>,<host>:<port>``, then takes the outcome (``Pending.outcome``). The
server claims the listening when Asterisk connects and sends that uuid, and ends it with an
``Outcome``. Anything outside can end a listening early with ``Listenings.stop``.

A listening registered with the channel it listens to (``channel_id``: the channel's Uniqueid)
can also be ended by that channel's key: ``Listenings.key_pressed``. Asterisk 22 does not pass
DTMF over AudioSocket, so the AMI bridge hands on each key the caller presses (``DTMFEnd``) and
the channel's current listening, if any, ends with it.

Nothing is kept longer than it is needed: a listening leaves the registry when it ends, and one
that Asterisk never connected to ends as ``NO_CONNECTION`` after ``connect_timeout_s`` even if
the route never asks for its outcome.

The recognizer behind a ``Recognition`` is blocking code: the server calls ``feed`` and
``finish`` in an executor, one call at a time and in the order the audio came, never on the
event loop.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from speech.audiosocket_frames import DTMF_KEYS

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- the recognizer


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word, as far as the recognizer tells (times from the start of the audio)."""

    text: str
    confidence: float | None = None
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True, slots=True)
class Heard:
    """What the recognizer made of an utterance: ``text`` is "" when it made out nothing."""

    text: str
    confidence: float | None = None
    words: tuple[Word, ...] = ()


class Recognition(Protocol):
    """One utterance's recognizer. Both calls block; the server makes them in an executor,
    never two at once, ``finish`` last."""

    def feed(self, pcm: bytes) -> None:
        """Takes more audio: signed linear 16-bit little-endian mono at 8 kHz."""

    def finish(self) -> Heard:
        """What was heard in all the audio fed."""


@dataclass(frozen=True, slots=True)
class ListenSpec:
    """What a route wants heard, and how the server knows the caller is done.

    ``recognition`` makes the recognizer for one listening (called once, in the executor);
    ``no_input_s``: nothing loud at all for this long ends the listening as SILENCE;
    ``end_silence_s``: after speech, this much quiet (or no audio) ends the utterance;
    ``max_s``: the longest utterance, counted from its first loud frame;
    ``speech_rms``: a 20 ms window whose RMS (16-bit samples) is over this is speech.
    """

    recognition: Callable[[], Recognition]
    no_input_s: float = 5.0
    end_silence_s: float = 0.8
    max_s: float = 10.0
    speech_rms: float = 500.0

    def __post_init__(self) -> None:
        for name in ("no_input_s", "end_silence_s", "max_s", "speech_rms"):
            if not getattr(self, name) > 0:
                raise ValueError(f"ListenSpec.{name} must be positive")


# --------------------------------------------------------------------------- the outcome


class OutcomeKind(enum.StrEnum):
    HEARD = "heard"  # the caller spoke and stopped (or reached max_s): ``heard``
    SILENCE = "silence"  # nothing loud enough within no_input_s
    DTMF = "dtmf"  # a key ended the listening: ``dtmf``
    HUNG_UP = "hung_up"  # the caller hung up; ``heard`` when they had spoken
    FAILED = "failed"  # the recognizer, Asterisk or the stream failed: ``reason``
    NO_CONNECTION = "no_connection"  # Asterisk never connected with the uuid: ``reason``


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    heard: Heard | None = None
    dtmf: str | None = None
    reason: str = ""

    @classmethod
    def speech(cls, heard: Heard) -> Outcome:
        return cls(OutcomeKind.HEARD, heard=heard)

    @classmethod
    def silence(cls) -> Outcome:
        return cls(OutcomeKind.SILENCE)

    @classmethod
    def pressed(cls, key: str) -> Outcome:
        return cls(OutcomeKind.DTMF, dtmf=key)

    @classmethod
    def hung_up(cls, heard: Heard | None = None) -> Outcome:
        return cls(OutcomeKind.HUNG_UP, heard=heard)

    @classmethod
    def failed(cls, reason: str) -> Outcome:
        return cls(OutcomeKind.FAILED, reason=reason)

    @classmethod
    def no_connection(cls, reason: str) -> Outcome:
        return cls(OutcomeKind.NO_CONNECTION, reason=reason)


# --------------------------------------------------------------------------- one listening


class Listening:
    """One registered listening, shared by the route (through ``Pending``) and the server."""

    def __init__(
        self,
        stream_uuid: str,
        spec: ListenSpec,
        forget: Callable[[Listening], None],
        channel_id: str | None = None,
    ):
        loop = asyncio.get_running_loop()
        self.uuid = stream_uuid
        self.spec = spec
        self.channel_id = channel_id  # the Uniqueid of the channel listened to, if known
        self._forget = forget
        self._connected: asyncio.Future[None] = loop.create_future()
        self._result: asyncio.Future[Outcome] = loop.create_future()
        # Set by stop(): the key pressed, or None to end the utterance as it stands.
        self.stop_request: asyncio.Future[str | None] = loop.create_future()
        self._expiry: asyncio.TimerHandle | None = None

    @property
    def claimed(self) -> bool:
        return self._connected.done()

    @property
    def ended(self) -> bool:
        return self._result.done()

    def end(self, outcome: Outcome) -> bool:
        """Settles the listening (the first outcome wins) and forgets it."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        self._forget(self)
        if self._result.done():
            return False
        self._result.set_result(outcome)
        return True

    async def outcome(self, connect_timeout_s: float) -> Outcome:
        """See ``Pending.outcome``."""
        if not self.claimed and not self.ended:
            waiters: set[asyncio.Future[Any]] = {self._connected, self._result}
            await asyncio.wait(
                waiters, timeout=connect_timeout_s, return_when=asyncio.FIRST_COMPLETED
            )
            self._give_up(connect_timeout_s)
        # Shielded: a route cancelled while waiting must not cancel the server's result.
        return await asyncio.shield(self._result)

    def _claim(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        self._connected.set_result(None)

    def _expire_after(self, timeout_s: float) -> None:
        self._expiry = asyncio.get_running_loop().call_later(timeout_s, self._give_up, timeout_s)

    def _give_up(self, waited_s: float) -> None:
        if not self.claimed and not self.ended:
            log.warning(
                "AudioSocket: Asterisk did not connect for uuid %s within %g s "
                "(is app_audiosocket loaded, are the address and port right?)",
                self.uuid,
                waited_s,
            )
            self.end(Outcome.no_connection(f"Asterisk did not connect within {waited_s:g} s"))

    def _stop(self, key: str | None) -> None:
        if self.ended:
            return
        if not self.claimed:
            # Nothing was heard yet: settled here, and a late connection finds no listening.
            self.end(Outcome.pressed(key) if key is not None else Outcome.silence())
        elif not self.stop_request.done():
            self.stop_request.set_result(key)


class Pending:
    """The route's handle on a listening it registered."""

    def __init__(self, listening: Listening) -> None:
        self._listening = listening

    @property
    def uuid(self) -> str:
        """The canonical uuid to hand to ``AudioSocket()``."""
        return self._listening.uuid

    async def outcome(self, timeout_s: float) -> Outcome:
        """How the listening ended. ``timeout_s`` bounds the wait for Asterisk to connect,
        counted from this call: past it the listening ends as NO_CONNECTION. Once Asterisk has
        connected, this waits for the server to end the listening, which its own limits bound
        (the spec's times and the server's time for the recognizer to finish)."""
        return await self._listening.outcome(timeout_s)


# --------------------------------------------------------------------------- the registry


class Listenings:
    """The listenings of one process, by uuid and by the channel they listen to. Use it from
    the event loop only."""

    def __init__(self, *, connect_timeout_s: float = 10.0) -> None:
        """``connect_timeout_s``: a listening Asterisk has not connected to this long after
        ``expect`` ends as NO_CONNECTION and is forgotten."""
        if not connect_timeout_s > 0:
            raise ValueError("connect_timeout_s must be positive")
        self._connect_timeout_s = connect_timeout_s
        self._entries: dict[str, Listening] = {}
        self._by_channel: dict[str, Listening] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def expect(
        self, stream_uuid: str, spec: ListenSpec, *, channel_id: str | None = None
    ) -> Pending:
        """Registers a listening before the route runs ``AudioSocket``. ValueError for a value
        that is not a uuid, or a uuid already registered.

        ``channel_id``: the Uniqueid of the channel listened to, for ``key_pressed``; None or
        blank when it is not known (the listening then ends by its uuid only). A channel runs
        one AudioSocket at a time, so a new listening on a channel is its current one."""
        key = canonical_uuid(stream_uuid)
        if key is None:
            raise ValueError(f"{stream_uuid!r} is not a uuid")
        if key in self._entries:
            raise ValueError(f"a listening for {key} is already registered")
        channel = channel_id if channel_id and channel_id.strip() else None
        listening = Listening(key, spec, self._forget, channel)
        listening._expire_after(self._connect_timeout_s)
        self._entries[key] = listening
        if channel is not None:
            self._by_channel[channel] = listening
        return Pending(listening)

    def listening_on(self, channel_id: str) -> Listening | None:
        """The channel's current listening, or None: a listening that ends is forgotten."""
        return self._by_channel.get(channel_id)

    def claim(self, stream_uuid: str) -> Listening | None:
        """The server's side: the listening Asterisk connected for, or None for a uuid nobody
        registered (or one already connected, or already ended)."""
        listening = self._entries.get(stream_uuid)
        if listening is None or listening.claimed or listening.ended:
            return None
        listening._claim()
        return listening

    def stop(self, stream_uuid: str, *, dtmf: str | None = None) -> bool:
        """Ends a listening from outside: with ``dtmf`` as that key's outcome, without it as if
        the caller had stopped speaking now. False when there is no such listening (any more).
        ValueError for a ``dtmf`` that is not one DTMF key."""
        if dtmf is not None and dtmf not in DTMF_KEYS:
            raise ValueError(f"{dtmf!r} is not a DTMF key")
        key = canonical_uuid(stream_uuid)
        listening = self._entries.get(key) if key is not None else None
        if listening is None or listening.ended:
            return False
        listening._stop(dtmf)
        return True

    def key_pressed(self, channel_id: str, digit: str) -> bool:
        """The caller pressed ``digit`` on the channel ``channel_id``: its current listening
        ends with that key, as ``stop`` does. False when the channel has no listening (any
        more). ValueError for a ``digit`` that is not one DTMF key."""
        if digit not in DTMF_KEYS:
            raise ValueError(f"{digit!r} is not a DTMF key")
        listening = self._by_channel.get(channel_id)
        if listening is None or listening.ended:
            return False
        listening._stop(digit)
        return True

    def _forget(self, listening: Listening) -> None:
        if self._entries.get(listening.uuid) is listening:
            del self._entries[listening.uuid]
        channel = listening.channel_id
        if channel is not None and self._by_channel.get(channel) is listening:
            del self._by_channel[channel]


def canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid_module.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None
