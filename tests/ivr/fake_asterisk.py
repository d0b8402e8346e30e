"""A fake Asterisk for FastAGI tests: the server's tests and the call-flow tests.

It connects to the server over real TCP on 127.0.0.1, sends an environment block, then answers
every command line through a script, as Asterisk 22 did in ``tests/fixtures/asterisk/*.agi.txt``.

Typical flow test::

    env = capture_environment("x-full-flow-ivr-queue-survey", agi_network_script="entry",
                              args=["1795867285.0"])
    record = await run_call(server.port, env, FakeCall(digits=["", "1", "2"]))
    assert record.variables_set["LINE_ROUTE"] == "queue"

API (everything else is private):

* ``capture_environment(name, *, connection=1, args=None, **agi_overrides) -> dict`` - the
  environment block Asterisk sent in a capture; ``agi_network_script`` (and ``agi_request``
  with it) and the ``agi_arg_N`` keys are easy to replace.
* ``capture_dialogue(name, *, connection=1) -> list[str]`` - the lines after the environment,
  ``">> COMMAND"`` (server to Asterisk) and ``"<< reply"`` (Asterisk to server).
* ``FakeCall`` - one scripted caller; ``run_call(port, env, call) -> CallRecord``.
* ``RawPeer`` - a raw connection for protocol tests: send bytes, read lines.
* ``environment_block(env) -> bytes`` and ``parse_args(line) -> list[str]`` (Asterisk's own
  argument splitting, so tests see exactly what Asterisk would store).

Behaviour, as in the captures: ``ANSWER`` → ``200 result=0``; ``STREAM FILE`` → ``200 result=0
endpos=8000`` or the ASCII code of the interrupting digit; ``GET DATA`` → ``200 result=555``
(``#`` or max digits) or ``200 result=12 (timeout)`` / ``200 result= (timeout)``; ``WAIT FOR
DIGIT`` → ``200 result=49`` or ``200 result=0``; ``SET VARIABLE`` → ``200 result=1``; ``GET
VARIABLE`` → ``200 result=1 (value)`` or ``200 result=0``; ``CHANNEL STATUS`` → ``200
result=6`` (up). When the caller hangs up during a media command, that command gets ``200
result=-1`` followed by ``HANGUP`` (unless ``sighup`` is False); later media commands and
CHANNEL STATUS get 511 while GET/SET VARIABLE still get 200. A sound that is not installed
(``FakeCall.missing_sounds``) also gets ``200 result=-1``, on a live channel. When the server
closes (or half-closes) its side, the fake sends ``HANGUP`` (if ``sighup``) and closes. Any
command it does not know, or a script it cannot follow, raises AssertionError with the
transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from tests.asterisk_captures import Kind, capture_path
from tests.speech.fake_asterisk import FakeAsterisk, frame, uuid_frame

DEAD_CHANNEL = "511 Command Not Permitted on a dead channel or intercept routine"
MAX_ARGS = 128  # res_agi.c

_DTMF_ENTRY = re.compile(r"[0-9*#]*")
_TRANSCRIPT_LINE = re.compile(r"\S+ #(?P<conn>\d+|-) (?P<dir><<|>>|--)(?: (?P<text>.*))?")


# --------------------------------------------------------------------------- the script


@dataclass(frozen=True)
class Speech:
    """What the caller does during one ``EXEC AudioSocket``: says ``audio`` (8 kHz signed
    16-bit mono, sent in 20 ms frames at the pace of speech, then nothing — a quiet caller's
    channel sends no frames), or presses ``dtmf`` (Asterisk 23's DTMF frame) after it.
    ``refused``: AudioSocket cannot run (no module, nobody listening): ``200 result=-1`` on a
    live channel, no connection made."""

    audio: bytes = b""
    dtmf: str = ""
    refused: bool = False


@dataclass
class FakeCall:
    """One scripted caller.

    ``digits``: the keypad input for each digit-taking command (STREAM FILE, GET DATA, WAIT FOR
    DIGIT, SAY DIGITS, SAY DATETIME), consumed in order; "" is silence (STREAM FILE: played to
    the end; GET DATA: ``(timeout)``), "1" a key, "555#" several keys ended by '#'. When the
    list runs out the caller stays silent (see ``CallRecord.unused_digits``).

    ``hang_up_after``: the caller hangs up during the N-th digit-taking command (1-based), which
    gets ``200 result=-1``; 0 means they hung up before the first one (a ``HANGUP`` line right
    after the environment, and 511 for every media command).

    ``variables``: the channel's variables as GET VARIABLE sees them (SET VARIABLE updates them).

    ``sighup``: False is ``AGISIGHUP=no``: no ``HANGUP`` lines at all.

    ``missing_sounds``: sound files that are not installed: STREAM FILE and GET DATA of one
    answer ``200 result=-1`` (``endpos=0``) at once, the channel stays up, no ``HANGUP``
    follows and no key is consumed, as Asterisk 22 does. ``"*"`` means every file.
    ``no_digit_sounds``: SAY DIGITS / SAY DATETIME answer ``200 result=-1`` the same way (the
    channel language's digit files are not installed).

    ``speech``: one :class:`Speech` per ``EXEC AudioSocket``, in order: the fake connects to
    the address in the command, sends the UUID frame and the caller's audio, and answers
    ``200 result=0`` once the server has ended the socket (``200 result=-1`` and ``HANGUP``
    when the caller hangs up instead: ``hang_up_after`` counts AudioSocket runs as media
    commands). When the list runs out the caller is silent.
    """

    digits: list[str] = field(default_factory=list)
    hang_up_after: int | None = None
    variables: dict[str, str] = field(default_factory=dict)
    sighup: bool = True
    missing_sounds: frozenset[str] = frozenset()
    no_digit_sounds: bool = False
    speech: list[Speech] = field(default_factory=list)

    def __post_init__(self) -> None:
        for entry in self.digits:
            if not _DTMF_ENTRY.fullmatch(entry):
                raise ValueError(f"FakeCall digits entry {entry!r} is not [0-9*#]*")
        if self.hang_up_after is not None and self.hang_up_after < 0:
            raise ValueError("hang_up_after must be >= 0")


@dataclass
class CallRecord:
    """What the fake saw. ``commands`` are the lines exactly as received (no newline);
    ``variables_set`` holds each SET VARIABLE value unquoted as Asterisk stores it (last wins);
    ``transcript`` uses the captures' notation (``">> ..."`` received, ``"<< ..."`` sent)."""

    commands: list[str] = field(default_factory=list)
    variables_set: dict[str, str] = field(default_factory=dict)
    closed_by_server: bool = False
    hangup_lines_sent: int = 0
    transcript: list[str] = field(default_factory=list)
    unused_digits: list[str] = field(default_factory=list)

    def dump(self) -> str:
        return "\n".join(self.transcript)


async def run_call(
    port: int,
    env: Mapping[str, str],
    call: FakeCall,
    *,
    host: str = "127.0.0.1",
    timeout_s: float = 10.0,
) -> CallRecord:
    """Plays ``call`` against the FastAGI server on ``host:port`` until the server closes the
    connection. Raises AssertionError (with the transcript) on anything unexpected, including
    a server that does not finish within ``timeout_s``."""
    reader, writer = await asyncio.open_connection(host, port)
    session = _Session(call, reader, writer)
    try:
        async with asyncio.timeout(timeout_s):
            await session.run(env)
    except TimeoutError:
        session.fail(f"the server did not end the call within {timeout_s} s")
    finally:
        if session.failed:
            writer.transport.abort()
        else:
            writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    session.record.unused_digits = list(session.digits)
    return session.record


class _Session:
    def __init__(
        self, call: FakeCall, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.call = call
        self.reader = reader
        self.writer = writer
        self.record = CallRecord()
        self.digits = list(call.digits)
        self.variables = dict(call.variables)
        self.hung_up = False
        self.media_count = 0
        self.failed = False

    def fail(self, why: str) -> NoReturn:
        self.failed = True
        raise AssertionError(f"fake Asterisk: {why}\n--- transcript ---\n{self.record.dump()}")

    async def run(self, env: Mapping[str, str]) -> None:
        self.writer.write(environment_block(env))
        if self.call.hang_up_after == 0:
            self.hung_up = True
            self._queue(["HANGUP"] if self.call.sighup else [])
        await self.writer.drain()
        while True:
            try:
                raw = await self.reader.readline()
            except (ConnectionError, OSError):
                raw = b""
            if not raw:
                await self._server_closed()
                return
            if not raw.endswith(b"\n"):
                self.fail(f"the server closed in the middle of a command line: {raw!r}")
            command = raw[:-1].decode("utf-8")
            self.record.commands.append(command)
            self.record.transcript.append(f">> {command}")
            if command.upper().startswith("EXEC "):
                self._queue(await self._exec(command))
            else:
                self._queue(self._answer(command))
            try:
                await self.writer.drain()
            except (ConnectionError, OSError):
                await self._server_closed()
                return

    async def _server_closed(self) -> None:
        self.record.closed_by_server = True
        self.record.transcript.append("-- the server closed its side")
        if self.call.sighup:
            self._queue(["HANGUP"])
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.drain()

    def _queue(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.record.transcript.append(f"<< {line}")
            if line == "HANGUP":
                self.record.hangup_lines_sent += 1
            if not self.writer.is_closing():
                self.writer.write(line.encode("utf-8") + b"\n")

    # ------------------------------------------------------------------ commands

    def _answer(self, command: str) -> list[str]:
        if "\r" in command or "\0" in command:
            self.fail(f"CR or NUL inside a command line: {command!r}")
        argv = parse_args(command)
        words = [word.upper() for word in argv[:3]]
        if words[:1] == ["ANSWER"]:
            self._argc(argv, 1, 1)
            return [DEAD_CHANNEL] if self.hung_up else ["200 result=0"]
        if words[:2] == ["SET", "VARIABLE"]:
            self._argc(argv, 4, 4)
            self.record.variables_set[argv[2]] = argv[3]
            self.variables[argv[2]] = argv[3]
            return ["200 result=1"]
        if words[:2] == ["GET", "VARIABLE"]:
            self._argc(argv, 3, 3)
            value = self.variables.get(argv[2])
            return ["200 result=0"] if value is None else [f"200 result=1 ({value})"]
        if words[:2] == ["STREAM", "FILE"]:
            self._argc(argv, 4, 5)
            return self._media(argv, escape=argv[3], endpos=True)
        if words[:2] == ["GET", "DATA"]:
            self._argc(argv, 3, 5)
            return self._media(argv, escape="", endpos=False)
        if words[:2] == ["CHANNEL", "STATUS"]:
            self._argc(argv, 2, 2)
            return [DEAD_CHANNEL] if self.hung_up else ["200 result=6"]  # AST_STATE_UP
        if words[:3] == ["WAIT", "FOR", "DIGIT"]:
            self._argc(argv, 4, 4)
            self._int(argv[3], command)
            return self._media(argv, escape="0123456789*#", endpos=False)
        if words[:2] == ["SAY", "DIGITS"]:
            self._argc(argv, 4, 4)
            self._int(argv[2], command)
            return self._media(argv, escape=argv[3], endpos=False)
        if words[:2] == ["SAY", "DATETIME"]:
            self._argc(argv, 4, 6)
            self._int(argv[2], command)
            return self._media(argv, escape=argv[3], endpos=False)
        self.fail(f"unknown command {command!r}")

    async def _exec(self, command: str) -> list[str]:
        argv = parse_args(command)
        if len(argv) < 2 or argv[1] != "AudioSocket":
            self.fail(f"unknown command {command!r} (the line EXECs AudioSocket only)")
        self._argc(argv, 3, 3)
        session, _, address = argv[2].partition(",")
        host, _, port = address.rpartition(":")
        if self.hung_up:
            return [DEAD_CHANNEL]
        said = self.call.speech.pop(0) if self.call.speech else Speech()
        if said.refused:
            return ["200 result=-1"]
        self.media_count += 1
        hangs_up = self.call.hang_up_after == self.media_count
        try:
            await audiosocket_client(
                host.strip("[]"), self._int(port, command), uuid.UUID(session), said, hangs_up
            )
        except (ConnectionError, OSError) as error:
            self.fail(f"AudioSocket {address}: {error}")
        if hangs_up:
            self.hung_up = True
            return ["200 result=-1"] + (["HANGUP"] if self.call.sighup else [])
        return ["200 result=0"]

    def _media(self, argv: list[str], *, escape: str, endpos: bool) -> list[str]:
        if self.hung_up:
            return [DEAD_CHANNEL]
        if self._cannot_play(argv):
            return ["200 result=-1 endpos=0" if endpos else "200 result=-1"]
        self.media_count += 1
        suffix = " endpos=8000" if endpos else ""
        if self.call.hang_up_after == self.media_count:
            self.hung_up = True
            return [f"200 result=-1{suffix}"] + (["HANGUP"] if self.call.sighup else [])
        entry = self.digits.pop(0) if self.digits else ""
        if argv[0].upper() == "GET":
            return [self._get_data(argv, entry)]
        if len(entry) > 1:
            self.fail(f"{' '.join(argv[:2])} takes one key per entry, the script has {entry!r}")
        if entry and entry in escape:
            return [f"200 result={ord(entry)}{' endpos=4000' if endpos else ''}"]
        return [f"200 result=0{suffix}"]  # silence, or a key that is not an escape digit

    def _cannot_play(self, argv: list[str]) -> bool:
        command = " ".join(word.upper() for word in argv[:2])
        if command in ("STREAM FILE", "GET DATA"):
            sound = argv[2]
            missing = self.call.missing_sounds
            return bool(sound) and ("*" in missing or sound in missing)
        return command in ("SAY DIGITS", "SAY DATETIME") and self.call.no_digit_sounds

    def _get_data(self, argv: list[str], entry: str) -> str:
        max_digits = self._int(argv[4], " ".join(argv)) if len(argv) > 4 else 1024
        digits, hash_sign, after = entry.partition("#")
        if after:
            self.fail(f"GET DATA entry {entry!r} has keys after '#'")
        if len(digits) > max_digits:
            self.fail(f"GET DATA takes {max_digits} digit(s), the script presses {entry!r}")
        if hash_sign or len(digits) == max_digits:
            return f"200 result={digits}"
        return f"200 result={digits} (timeout)"

    def _argc(self, argv: list[str], low: int, high: int) -> None:
        if not low <= len(argv) <= high:
            self.fail(f"{len(argv)} arguments in {argv!r}, Asterisk wants {low}..{high}")

    def _int(self, text: str, command: str) -> int:
        if not re.fullmatch(r"-?[0-9]+", text):
            self.fail(f"not an integer: {text!r} in {command!r}")
        return int(text)


# --------------------------------------------------------------------------- wire helpers


def environment_block(env: Mapping[str, str]) -> bytes:
    """``key: value`` lines and the empty line, as Asterisk's setup_env writes them."""
    return "".join(f"{key}: {value}\n" for key, value in env.items()).encode("utf-8") + b"\n"


def parse_args(line: str) -> list[str]:
    """Asterisk's ``parse_args`` (res_agi.c): blanks split words, ``"`` toggles quoting (and
    starts a word after a blank), ``\\`` makes the next character literal."""
    args: list[list[str]] = []
    quoted = escaped = False
    whitespace = True
    for char in line:
        if char == '"' and not escaped:
            quoted = not quoted
            if quoted and whitespace:
                args.append([])
                whitespace = False
            continue
        if char in " \t" and not quoted and not escaped:
            whitespace = True
            continue
        if char == "\\" and not escaped:
            escaped = True
            continue
        if whitespace:
            if len(args) >= MAX_ARGS - 1:
                continue  # "Too many arguments, truncating"
            args.append([])
            whitespace = False
        args[-1].append(char)
        escaped = False
    return ["".join(chars) for chars in args]


class RawPeer:
    """A raw TCP connection to the server, for protocol-level tests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> RawPeer:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def send_lines(self, *lines: str) -> None:
        await self.send("".join(f"{line}\n" for line in lines).encode("utf-8"))

    async def send_environment(self, env: Mapping[str, str]) -> None:
        await self.send(environment_block(env))

    async def read_line(self, timeout_s: float = 5.0) -> str | None:
        """The next line without its newline; None at EOF (or a reset). AssertionError when
        nothing arrives within ``timeout_s``."""
        try:
            async with asyncio.timeout(timeout_s):
                raw = await self.reader.readline()
        except TimeoutError:
            raise AssertionError(f"no line within {timeout_s} s") from None
        except (ConnectionError, OSError):
            return None
        if not raw:
            return None
        return raw.decode("utf-8").rstrip("\n")

    async def read_until_eof(self, timeout_s: float = 5.0) -> list[str]:
        lines: list[str] = []
        while (line := await self.read_line(timeout_s)) is not None:
            lines.append(line)
        return lines

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


# --------------------------------------------------------------------------- captures


def _capture_lines(name: str, connection: int) -> list[tuple[str, str]]:
    path = capture_path(name, Kind.AGI)
    lines: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _TRANSCRIPT_LINE.fullmatch(raw)
        if match and match.group("conn") == str(connection):
            lines.append((match.group("dir"), match.group("text") or ""))
    if not lines:
        raise ValueError(f"{path.name} has no connection #{connection}")
    return lines


def _split_capture(name: str, connection: int) -> tuple[list[str], list[str]]:
    received = [(d, t) for d, t in _capture_lines(name, connection) if d != "--"]
    env_end = next(i for i, (d, t) in enumerate(received) if d == "<<" and t == "")
    env_lines = [t for _, t in received[:env_end]]
    dialogue = [
        f"{d} {t}" for d, t in received[env_end + 1 :] if not (d == "<<" and t.startswith("<EOF"))
    ]
    return env_lines, dialogue


def capture_environment(
    name: str,
    *,
    connection: int = 1,
    args: Sequence[str] | None = None,
    **agi_overrides: str,
) -> dict[str, str]:
    """The environment block of connection ``connection`` in ``<name>.agi.txt``, in order.

    ``agi_overrides`` replace or add keys (each must start with ``agi_``); overriding
    ``agi_network_script`` also rewrites the path of ``agi_request``. ``args`` replaces the
    ``agi_arg_N`` keys.
    """
    env_lines, _ = _split_capture(name, connection)
    env: dict[str, str] = {}
    for line in env_lines:
        key, _, value = line.partition(": ")
        env[key] = value
    for key in agi_overrides:
        if not key.startswith("agi_"):
            raise ValueError(f"environment keys start with 'agi_': {key!r}")
    if "agi_network_script" in agi_overrides and "agi_request" not in agi_overrides:
        base = "/".join(env.get("agi_request", "agi://127.0.0.1:4573/").split("/", 3)[:3])
        env["agi_request"] = f"{base}/{agi_overrides['agi_network_script']}"
    env.update(agi_overrides)
    if args is not None:
        env = {key: value for key, value in env.items() if not key.startswith("agi_arg_")}
        env.update({f"agi_arg_{number}": value for number, value in enumerate(args, start=1)})
    return env


def capture_dialogue(name: str, *, connection: int = 1) -> list[str]:
    """The lines after the environment block: ``">> COMMAND"`` and ``"<< reply"``, in order,
    without the logging server's notes and EOF markers."""
    _, dialogue = _split_capture(name, connection)
    return dialogue


# --------------------------------------------------------------------------- AudioSocket


async def audiosocket_client(
    host: str, port: int, session: uuid.UUID, said: Speech, hangs_up: bool
) -> list[tuple[int, bytes]]:
    """Asterisk's side of one AudioSocket session (res_audiosocket): the UUID frame, the
    caller's audio frame by frame at the pace of speech, a DTMF frame if any, then the
    frames the server sends until it hangs up or closes; returns those. ``hangs_up``: the
    caller hangs up after speaking (a hang-up frame, then the socket closes)."""
    call = await FakeAsterisk.connect(port, host)
    try:
        call.send(uuid_frame(str(session)))
        await call.send_paced(said.audio)
        if said.dtmf and not call.ended:
            call.send(frame(0x03, said.dtmf.encode("ascii")))
        if hangs_up:
            call.send(frame(0x00))
            await call.writer.drain()
            return list(call.received)
        return await call.until_closed()
    finally:
        await call.aclose()
