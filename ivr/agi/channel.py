"""One AGI session: commands out, replies in, hang-up tracked.

A route gets an :class:`AgiChannel` and calls its methods; each sends one command line built by
:mod:`ivr.agi.protocol` and waits for *its* reply. The reader never lets a reply land on the
wrong command: ``HANGUP`` lines are a flag, ``100`` lines are skipped, a ``520-`` block is read
to its end, and a command whose reply was not read to the end (its await was cancelled, or the
reply was garbage) leaves the channel *desynchronised*, after which only the server's last
``SET VARIABLE`` is allowed.

Every reply is awaited for a bounded time, so a peer that goes quiet cannot hold a session
slot until the session's deadline: a command that plays nothing and waits for no key (SET and
GET VARIABLE, ANSWER, CHANNEL STATUS) gets ``reply_timeout_s``; one that plays or listens
(STREAM FILE, GET DATA, SAY, WAIT FOR DIGIT) gets the time it listens for keys plus
``media_margin_s``, the longest a prompt may play. Past it :class:`NoReply` is raised and the
channel is closed to further commands.

A sound that cannot be played is not a hang-up. ``STREAM FILE`` / ``GET DATA`` of a missing
file, and ``SAY DIGITS`` / ``SAY DATETIME`` without the language's digit files, answer
``200 result=-1``, exactly as when the caller hangs up, but the channel is alive and no
``HANGUP`` line follows (seen on Asterisk 22.10.1). So a ``-1`` from a command that plays
something is checked with ``CHANNEL STATUS``: ``511`` (or a ``HANGUP`` line) means the caller
left; an answer means the sound is missing. Then the channel logs an ERROR naming the sound,
tells the ``SoundProblems`` sink (shown on ``/health``), and the caller is served on: the
sound is skipped, and ``GET DATA`` still listens for the keys (a caller who knows the menu can
still choose).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from typing import NoReturn, Protocol

from ivr.agi.protocol import (
    AgiCommandError,
    AgiEnvironment,
    AgiEnvironmentError,
    AgiError,
    AgiProtocolError,
    AgiReply,
    ChannelClosed,
    ChannelHungUp,
    NoReply,
    ReplyAssembler,
    UnsafeArgument,
    answer_command,
    channel_status_command,
    digit_from_result,
    digits_from_result,
    exec_audiosocket_command,
    get_data_command,
    get_digits_command,
    get_variable_command,
    say_datetime_command,
    say_digits_command,
    set_variable_command,
    stream_file_command,
    wait_for_digit_command,
)

__all__ = [
    "AgiChannel",
    "AgiCommandError",
    "AgiEnvironment",
    "AgiEnvironmentError",
    "AgiError",
    "AgiProtocolError",
    "AgiReply",
    "ChannelClosed",
    "ChannelDesynchronisedError",
    "ChannelHungUp",
    "NoReply",
    "UnsafeArgument",
]

log = logging.getLogger(__name__)

ALL_DIGITS = "0123456789*#"
LANGUAGE_VARIABLE = "CHANNEL(language)"
# Asterisk answers a command that plays nothing and waits for no key at once.
REPLY_TIMEOUT_S = 5.0
# The longest one prompt (or said date, or number) may play, with room to spare: the
# catalogue's prompts take seconds.
MEDIA_MARGIN_S = 120.0


class SoundProblems(Protocol):
    """Where the channel reports sounds Asterisk could not play (and ones it played again)."""

    def missing(self, sound: str, uniqueid: str) -> None: ...

    def played(self, sound: str) -> None: ...


class ChannelDesynchronisedError(AgiProtocolError):
    """An earlier command's reply was never read to its end, so the next line on the socket
    cannot be matched to a new command."""


class AgiChannel:
    """What a route may do with the call. Every method raises ChannelHungUp once the caller
    has gone (media commands) and ChannelClosed when the socket is gone.

    Commands are serialised: concurrent calls from one route wait for each other.
    """

    env: AgiEnvironment

    def __init__(
        self,
        env: AgiEnvironment,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        desynchronised: bool = False,
        sounds: SoundProblems | None = None,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        media_margin_s: float = MEDIA_MARGIN_S,
    ) -> None:
        self.env = env
        self._reply_timeout_s = reply_timeout_s
        self._media_margin_s = media_margin_s
        self._reader = reader
        self._writer = writer
        self._sounds = sounds
        self._language = env.language
        self._replies = ReplyAssembler()
        self._lock = asyncio.Lock()
        self._hung_up = False
        self._closed = False
        # True from writing a command until its whole reply has been read.
        self._awaiting_reply = desynchronised

    @property
    def hung_up(self) -> bool:
        return self._hung_up or self._replies.hangup_seen

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def desynchronised(self) -> bool:
        return self._awaiting_reply

    @property
    def language(self) -> str:
        """``CHANNEL(language)`` as far as this session knows: ``agi_language``, or what
        :meth:`set_language` set since."""
        return self._language

    # ------------------------------------------------------------------ media commands

    async def answer(self) -> None:
        await self._media(answer_command(), self._reply_timeout_s)

    async def stream_file(self, prompt: str, escape_digits: str = ALL_DIGITS) -> str:
        """Plays ``prompt``; returns the digit that interrupted it, or "" (also when the sound
        is missing: it is skipped)."""
        reply = await self._play(
            stream_file_command(prompt, escape_digits), prompt, self._playing()
        )
        return "" if reply is None else digit_from_result(reply)

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> str:
        """Plays ``prompt`` and collects up to ``max_digits`` ('#' ends); "" on silence.

        Digits typed before a timeout are returned (``200 result=12 (timeout)`` → ``"12"``).
        A missing ``prompt`` is skipped: the keys are still collected.
        """
        bound_s = self._playing(listen_ms=timeout_ms * max_digits)
        reply = await self._play(get_data_command(prompt, timeout_ms, max_digits), prompt, bound_s)
        if reply is None:
            reply = await self._media(get_digits_command(timeout_ms, max_digits), bound_s)
        return digits_from_result(reply)

    async def wait_for_digit(self, timeout_ms: int) -> str:
        """The next digit pressed within ``timeout_ms`` (-1: forever), or "" on timeout."""
        # -1: as long as the caller takes; only the session's deadline bounds it.
        bound_s = None if timeout_ms < 0 else self._playing(listen_ms=timeout_ms)
        reply = await self._media(wait_for_digit_command(timeout_ms), bound_s)
        return digit_from_result(reply)

    async def say_digits(self, digits: str, escape_digits: str = ALL_DIGITS) -> str:
        sound = f"digits/<0-9> ({self._language or '?'})"
        reply = await self._play(say_digits_command(digits, escape_digits), sound, self._playing())
        return "" if reply is None else digit_from_result(reply)

    async def say_datetime(
        self, when: datetime, fmt: str, tz: str, escape_digits: str = ALL_DIGITS
    ) -> str:
        """``SAY DATETIME``: ``when`` (aware) in zone ``tz`` with Asterisk's say format
        (e.g. ``"dB 'digits/at' HM"``); returns the interrupting digit, or ""."""
        sound = f"digits/<{fmt}> ({self._language or '?'})"
        line = say_datetime_command(when, fmt, tz, escape_digits)
        reply = await self._play(line, sound, self._playing())
        return "" if reply is None else digit_from_result(reply)

    async def audiosocket(self, session: uuid.UUID, host: str, port: int, listen_s: float) -> bool:
        """Sends the caller's audio to the AudioSocket server at ``host:port`` under
        ``session`` until the server ends the socket (``EXEC AudioSocket``); at most
        ``listen_s`` plus the media margin. True when it ran; False when Asterisk could not
        run it (no module, no server) and the caller is still there. A hang-up raises."""
        line = exec_audiosocket_command(session, host, port)
        bound_s = self._playing(listen_ms=round(listen_s * 1000))
        reply = await self._command(line, media=True, bound_s=bound_s)
        if _failed(reply):
            if reply.data == "hangup" or not await self._still_up():
                self._hang_up(line)
            log.error(
                "%s: AudioSocket на %s:%d не запустился, звонок продолжается с клавишами: %s",
                self.env.uniqueid,
                host,
                port,
                line,
            )
            return False
        self._expect_200(line, reply)
        return True

    # ------------------------------------------------------------------ variables (dead-safe)

    async def set_variable(self, name: str, value: str) -> None:
        line = set_variable_command(name, value)
        reply = await self._command(line, media=False, bound_s=self._reply_timeout_s)
        self._expect_200(line, reply)
        if name == LANGUAGE_VARIABLE:
            self._language = value

    async def set_language(self, language: str) -> None:
        """``CHANNEL(language)``: the sound files Asterisk picks for every later command,
        SAY DIGITS and SAY DATETIME included. Nothing is sent when the channel already
        speaks ``language``."""
        if language != self._language:
            await self.set_variable(LANGUAGE_VARIABLE, language)

    async def get_variable(self, name: str) -> str | None:
        """None when unset; never GET FULL VARIABLE (it would evaluate ${...})."""
        line = get_variable_command(name)
        reply = await self._command(line, media=False, bound_s=self._reply_timeout_s)
        self._expect_200(line, reply)
        if reply.result == "0":
            return None
        if reply.result == "1":
            return reply.data
        raise AgiProtocolError(f"{line}: unexpected result={reply.result[:40]!r}")

    async def set_variable_after_failure(self, name: str, value: str) -> None:
        """The server's last word on a session that failed: like :meth:`set_variable`, but it
        also works on a desynchronised channel by skipping replies until ``200 result=1``
        (what SET VARIABLE always answers). The caller bounds it with a timeout."""
        line = set_variable_command(name, value)
        async with self._lock:
            if not self._awaiting_reply:
                reply = await self._exchange(line)
                self._expect_200(line, reply)
                return
            await self._write(line)
            while True:
                try:
                    stale = self._replies.feed(await self._read_line())
                except AgiProtocolError:
                    continue  # the garbage that desynchronised us, or what followed it
                if stale is not None and stale.code == 200 and stale.result == "1":
                    return

    # ------------------------------------------------------------------ internals

    def _playing(self, listen_ms: int = 0) -> float:
        """How long a command that plays and then listens ``listen_ms`` may take."""
        return self._media_margin_s + listen_ms / 1000

    async def _media(self, line: str, bound_s: float | None) -> AgiReply:
        reply = await self._command(line, media=True, bound_s=bound_s)
        if _failed(reply):
            self._hang_up(line)
        self._expect_200(line, reply)
        return reply

    async def _play(self, line: str, sound: str, bound_s: float) -> AgiReply | None:
        """A media command that plays ``sound``; None when Asterisk could not play it and the
        caller is still there."""
        reply = await self._command(line, media=True, bound_s=bound_s)
        if _failed(reply):
            if reply.data == "hangup" or not await self._still_up():
                self._hang_up(line)
            log.error(
                "%s: звук %r не проигрывается (нет файла?), звонок продолжается без него: %s",
                self.env.uniqueid,
                sound,
                line,
            )
            if self._sounds is not None:
                self._sounds.missing(sound, self.env.uniqueid)
            return None
        self._expect_200(line, reply)
        if self._sounds is not None:
            self._sounds.played(sound)
        return reply

    async def _still_up(self) -> bool:
        """After a ``-1``: is the caller still there (a sound was missing) or gone?"""
        try:
            reply = await self._command(
                channel_status_command(), media=True, bound_s=self._reply_timeout_s
            )
        except ChannelHungUp:
            return False  # 511, or the HANGUP line came first
        self._expect_200(channel_status_command(), reply)
        return not self.hung_up

    def _hang_up(self, line: str) -> NoReturn:
        self._hung_up = True
        log.debug("%s: %s returned result=-1: hung up", self.env.uniqueid, line)
        raise ChannelHungUp(f"{line}: result=-1")

    async def _command(self, line: str, *, media: bool, bound_s: float | None) -> AgiReply:
        """Sends ``line`` and returns its reply, awaited for at most ``bound_s`` (None: only the
        session's deadline bounds it)."""
        async with self._lock:
            if self._closed:
                raise ChannelClosed(f"{line}: the connection is closed")
            if media and self.hung_up:
                raise ChannelHungUp(f"{line}: the caller has hung up")
            if self._awaiting_reply:
                raise ChannelDesynchronisedError(f"{line}: an earlier reply was never read")
            try:
                async with asyncio.timeout(bound_s):
                    return await self._exchange(line)
            except TimeoutError:  # this bound: the session's deadline arrives as a cancel
                self._closed = True
                raise NoReply(f"no reply to {line!r} within {bound_s:g} s") from None

    async def _exchange(self, line: str) -> AgiReply:
        await self._write(line)
        reply = await self._next_reply()
        self._awaiting_reply = False
        if reply.code == 511:
            self._hung_up = True
            raise ChannelHungUp(f"{line}: 511 {reply.data}")
        return reply

    async def _write(self, line: str) -> None:
        if self._closed:
            raise ChannelClosed(f"{line}: the connection is closed")
        self._awaiting_reply = True
        try:
            self._writer.write(line.encode("utf-8") + b"\n")
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self._closed = True
            raise ChannelClosed(f"{line}: {exc!r}") from exc

    async def _next_reply(self) -> AgiReply:
        while True:
            reply = self._replies.feed(await self._read_line())
            if reply is not None:
                return reply

    async def _read_line(self) -> str:
        try:
            raw = await self._reader.readline()
        except (ConnectionError, OSError) as exc:
            self._closed = True
            raise ChannelClosed(repr(exc)) from exc
        except ValueError as exc:  # a line over the stream limit
            raise AgiProtocolError(f"reply line too long: {exc}") from exc
        if not raw.endswith(b"\n"):  # EOF, possibly in the middle of a line
            self._closed = True
            raise ChannelClosed("Asterisk closed the connection")
        return raw.decode("utf-8", errors="replace").rstrip("\r\n")

    @staticmethod
    def _expect_200(line: str, reply: AgiReply) -> None:
        if reply.code == 200:
            return
        if reply.code in (510, 520):
            raise AgiCommandError(f"{line}: {reply.code} {reply.data}")
        raise AgiProtocolError(f"{line}: unexpected reply code {reply.code}")


def _failed(reply: AgiReply) -> bool:
    return reply.code == 200 and (reply.result == "-1" or reply.data == "hangup")
