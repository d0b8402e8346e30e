"""The AGI wire format, without I/O: environment block, reply lines, and safe command lines.

Facts from Asterisk's ``res/res_agi.c`` this module relies on (``docs/asterisk.md`` §1-5):

* the environment is ``agi_<key>: <value>`` lines ending with an empty line; values go out raw;
* a reply is ``<code> result=<r>[ (<data>)][ endpos=<n>]``; ``100`` lines are provisional; a
  ``520-`` line opens a usage block that ends with a ``520 `` line; ``HANGUP`` is unsolicited;
* Asterisk splits a command line with ``parse_args``: blanks separate words, ``"`` toggles
  quoting, ``\\`` escapes the next character, a newline ends the command. So every value we
  send is quoted and escaped here, and nothing that could end a line ever reaches the socket;
* Asterisk 18-22 read a command into a 2048-byte buffer (8192 on master); a longer line is
  cut and its tail runs as a *second command*, so command lines are capped below that.

Every command line is built by the ``*_command`` functions below, from checked parts only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Final

# --------------------------------------------------------------------------- errors


class AgiError(Exception):
    """Base of everything that ends a route early."""


class ChannelHungUp(AgiError):  # noqa: N818 (name fixed by the interface)
    """The caller hung up (HANGUP line, ``result=-1`` or 511): no more media commands."""


class ChannelClosed(AgiError):  # noqa: N818 (name fixed by the interface)
    """Asterisk closed the socket, or it broke."""


class NoReply(ChannelClosed):
    """Asterisk (or what claims to be it) sent no reply to a command in time: the session is
    given up as if the socket had closed."""


class AgiCommandError(AgiError):
    """Asterisk refused a command (510, 520): a defect on our side, never the caller's."""


class AgiProtocolError(AgiError):
    """Asterisk (or whatever is on the other end) sent something that is not an AGI reply."""


class AgiEnvironmentError(AgiError, ValueError):
    """The environment block is not ``agi_<key>: <value>`` lines."""


class UnsafeArgument(AgiError, ValueError):  # noqa: N818 (name fixed by the interface)
    """A value that must never reach Asterisk: CR, LF or NUL, a bad name or DTMF set."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class AgiReply:
    code: int  # 200, 510, 511, 520
    result: str  # the text after "result=", e.g. "1", "-1", "49", "" (timeout)
    data: str  # text inside the parentheses, e.g. "timeout", "value", "hangup"
    endpos: int | None


@dataclass(frozen=True, slots=True)
class AgiEnvironment:
    network_script: str  # agi_network_script, e.g. "entry" (no query string is used)
    channel: str
    language: str
    uniqueid: str
    callerid: str  # raw, caller-controlled ("unknown" when absent)
    calleridname: str  # raw, caller-controlled
    dnid: str
    context: str
    extension: str
    args: tuple[str, ...]  # agi_arg_1..N in order
    # A field(default_factory=...): a MappingProxyType default is refused by dataclasses
    # (unhashable, so "mutable"), which made the interface stub fail at import.
    raw: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def route(self) -> str:
        return self.network_script.split("?", 1)[0].strip("/")


# --------------------------------------------------------------------------- environment

_ENV_KEY = re.compile(r"agi_[a-z0-9_]+")
_ARG_KEY = re.compile(r"agi_arg_([1-9][0-9]*)")


def parse_environment(block: bytes | str) -> AgiEnvironment:
    """Parses the block Asterisk sends first (with or without its final empty line).

    Each line is split on the first ``": "``. Missing keys become ``""``. A line that is not
    ``agi_<key>: <value>``, or a key given twice, is refused: Asterisk sends values raw, so such
    a line means a value carried a newline, and what follows can no longer be trusted. For the
    same reason a block from Asterisk (it has ``agi_network``) must reach ``agi_threadid``, the
    last fixed key, which setup_env sends after every caller-controlled value: a caller name
    with a blank line in it ends the block early, and its tail would otherwise be read as
    replies.
    """
    text = block.decode("utf-8", errors="replace") if isinstance(block, bytes) else block
    lines = text.split("\n")
    while lines and lines[-1] in ("", "\r"):
        lines.pop()
    return environment_from_mapping(_environment_pairs(lines))


def _environment_pairs(lines: Iterable[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for number, raw_line in enumerate(lines, start=1):
        line = raw_line.removesuffix("\r")
        if ": " in line:
            key, value = line.split(": ", 1)
        elif line.endswith(":"):  # "agi_accountcode:" if a proxy trimmed the trailing blank
            key, value = line[:-1], ""
        else:
            raise AgiEnvironmentError(
                f"environment line {number} is not 'key: value': {line[:80]!r}"
            )
        if not _ENV_KEY.fullmatch(key):
            raise AgiEnvironmentError(f"environment line {number} has a bad key: {key[:80]!r}")
        if key in pairs:
            raise AgiEnvironmentError(f"environment key {key!r} appears twice")
        pairs[key] = value
    if "agi_network" in pairs and "agi_threadid" not in pairs:
        raise AgiEnvironmentError("environment ends before agi_threadid: a value held a newline")
    return pairs


def environment_from_mapping(raw: Mapping[str, str]) -> AgiEnvironment:
    """Builds the typed environment from ``agi_*`` keys; missing keys become ``""``."""
    numbered = sorted(
        (int(match.group(1)), value)
        for key, value in raw.items()
        if (match := _ARG_KEY.fullmatch(key))
    )
    if [number for number, _ in numbered] != list(range(1, len(numbered) + 1)):
        raise AgiEnvironmentError("agi_arg_N keys are not numbered 1..N")
    return AgiEnvironment(
        network_script=raw.get("agi_network_script", ""),
        channel=raw.get("agi_channel", ""),
        language=raw.get("agi_language", ""),
        uniqueid=raw.get("agi_uniqueid", ""),
        callerid=raw.get("agi_callerid", ""),
        calleridname=raw.get("agi_calleridname", ""),
        dnid=raw.get("agi_dnid", ""),
        context=raw.get("agi_context", ""),
        extension=raw.get("agi_extension", ""),
        args=tuple(value for _, value in numbered),
        raw=MappingProxyType(dict(raw)),
    )


# --------------------------------------------------------------------------- replies

HANGUP_LINE: Final = "HANGUP"
MAX_USAGE_LINES: Final = 200

_REPLY = re.compile(r"(?P<code>[1-5][0-9]{2})(?P<sep>[ -]|$)(?P<text>.*)")
_RESULT = re.compile(r"result=(?P<result>\S*)(?: (?P<rest>.*))?")
_DATA_ONLY = re.compile(r"\((?P<data>.*)\)")
_DATA_ENDPOS = re.compile(r"\((?P<data>.*)\) endpos=(?P<endpos>-?[0-9]+)")
_ENDPOS_ONLY = re.compile(r"endpos=(?P<endpos>-?[0-9]+)")


def parse_reply(line: str) -> AgiReply:
    """Parses one final reply line, e.g. ``200 result=1 (value)`` or ``510 Invalid ...``.

    For 200 the parenthesised part is matched greedily, so a variable value containing
    parentheses (``200 result=1 (a b (c))``) comes back whole. For other codes ``data`` holds
    the message text. Raises AgiProtocolError for anything else (``HANGUP``, garbage, ``agi_x:
    y`` left over from a split environment block, ...).
    """
    match = _REPLY.fullmatch(line)
    if match is None or match.group("sep") == "-":
        raise AgiProtocolError(f"not an AGI reply line: {line[:120]!r}")
    code = int(match.group("code"))
    text = match.group("text")
    if code != 200:
        return AgiReply(code=code, result="", data=text, endpos=None)
    result_match = _RESULT.fullmatch(text)
    if result_match is None:
        raise AgiProtocolError(f"200 reply without result=: {line[:120]!r}")
    rest = result_match.group("rest") or ""
    data, endpos = _split_rest(rest)
    return AgiReply(code=200, result=result_match.group("result"), data=data, endpos=endpos)


def _split_rest(rest: str) -> tuple[str, int | None]:
    if not rest:
        return "", None
    if only := _DATA_ONLY.fullmatch(rest):
        return only.group("data"), None
    if both := _DATA_ENDPOS.fullmatch(rest):
        return both.group("data"), int(both.group("endpos"))
    if endpos := _ENDPOS_ONLY.fullmatch(rest):
        return "", int(endpos.group("endpos"))
    return rest, None  # e.g. "200 result=0 Gosub complete": free text, kept as data


class ReplyAssembler:
    """Turns the lines of one connection into final replies, one ``feed`` per line.

    ``HANGUP`` lines only set ``hangup_seen`` (they are never a reply), ``100`` lines are
    skipped, and a ``520-`` usage block is consumed through its ``520 `` line and returned as one
    reply with code 520, so the replies to later commands are never shifted.
    """

    def __init__(self) -> None:
        self.hangup_seen = False
        self._usage: list[str] | None = None

    @property
    def in_usage_block(self) -> bool:
        return self._usage is not None

    def feed(self, line: str) -> AgiReply | None:
        """Returns the reply this line completes, or None if more lines are needed."""
        if self._usage is not None:
            if line.startswith("520 "):
                usage = "\n".join([*self._usage, line[4:]])
                self._usage = None
                return AgiReply(code=520, result="", data=usage, endpos=None)
            if len(self._usage) >= MAX_USAGE_LINES:
                raise AgiProtocolError("520 usage block does not end")
            self._usage.append(line)
            return None
        if line == HANGUP_LINE:
            self.hangup_seen = True
            return None
        if line == "100" or line.startswith(("100 ", "100-")):
            return None
        if line.startswith("520-"):
            self._usage = [line[4:]]
            return None
        return parse_reply(line)


def digit_from_result(reply: AgiReply) -> str:
    """``result=49`` → ``"1"``; ``result=0`` → ``""`` (no digit: played out, or a timeout)."""
    try:
        code = int(reply.result)
    except ValueError:
        raise AgiProtocolError(f"result is not a number: {reply.result[:40]!r}") from None
    if code == 0:
        return ""
    digit = chr(code) if 0 < code < 128 else ""
    if not _DTMF_STRING.fullmatch(digit) or not digit:
        raise AgiProtocolError(f"result={code} is not a DTMF digit")
    return digit


def digits_from_result(reply: AgiReply) -> str:
    """GET DATA: ``result=555`` → ``"555"``; ``result= (timeout)`` → ``""``."""
    if not _DTMF_STRING.fullmatch(reply.result):
        raise AgiProtocolError(f"GET DATA result is not digits: {reply.result[:40]!r}")
    return reply.result


# --------------------------------------------------------------------------- command lines

# Asterisk 18-22 read commands with fgets() into a 2048-byte buffer; a longer line is cut and
# its tail becomes the next command. The line, newline included, must fit in 2047 bytes.
MAX_COMMAND_BYTES: Final = 2047

_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_FUNCTION_WRITES: Final = frozenset({"CHANNEL(language)"})
_DTMF_SET = re.compile(r"[0-9*#]*")
_DTMF_STRING = re.compile(r"[0-9A-D*#]*")
_PROMPT = re.compile(r"[A-Za-z0-9_/-]+")
_SAY_DIGITS = re.compile(r"[0-9][0-9*#]*")
_TIMEZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+/-]*")
_FORBIDDEN = ("\r", "\n", "\0")


def quote(value: str) -> str:
    """Quotes a string argument for ``parse_args``: ``a"b\\c`` → ``"a\\"b\\\\c"``.

    Refuses CR, LF and NUL: a newline ends the command, so it would start a second one.
    """
    for char in _FORBIDDEN:
        if char in value:
            raise UnsafeArgument(f"value contains {char!r}: {value[:40]!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_name(name: str) -> str:
    """A variable name we may set or read: ``[A-Z][A-Z0-9_]*``, or ``CHANNEL(language)``."""
    if name in _FUNCTION_WRITES or _NAME.fullmatch(name):
        return name
    raise UnsafeArgument(f"bad channel variable name: {name[:40]!r}")


def check_digits(escape: str) -> str:
    """An escape-digit set: only ``[0-9*#]`` (possibly empty)."""
    if _DTMF_SET.fullmatch(escape):
        return escape
    raise UnsafeArgument(f"bad DTMF set: {escape[:40]!r}")


def check_prompt(prompt: str) -> str:
    """A sound file name: ``[A-Za-z0-9_/-]+``, relative, no ``..`` (dots never pass)."""
    if _PROMPT.fullmatch(prompt) and not prompt.startswith("/"):
        return prompt
    raise UnsafeArgument(f"bad prompt name: {prompt[:40]!r}")


def _check_int(value: int, low: int, high: int, what: str) -> int:
    # bool is an int; True as a timeout is a bug worth catching.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UnsafeArgument(f"{what} must be an integer in {low}..{high}: {value!r}")
    return value


def _line(*words: str) -> str:
    line = " ".join(words)
    if len(line.encode("utf-8")) + 1 > MAX_COMMAND_BYTES:
        raise UnsafeArgument(f"command line longer than {MAX_COMMAND_BYTES - 1} bytes")
    return line


def answer_command() -> str:
    return _line("ANSWER")


def stream_file_command(prompt: str, escape_digits: str) -> str:
    return _line("STREAM FILE", check_prompt(prompt), quote(check_digits(escape_digits)))


def get_data_command(prompt: str, timeout_ms: int, max_digits: int) -> str:
    return _line(
        "GET DATA",
        check_prompt(prompt),
        str(_check_int(timeout_ms, 0, 3_600_000, "timeout_ms")),
        str(_check_int(max_digits, 1, 1023, "max_digits")),
    )


def get_digits_command(timeout_ms: int, max_digits: int) -> str:
    """GET DATA with an empty file name: no sound, only the keys (``ast_app_getdata_full``
    skips an empty prompt)."""
    return _line(
        "GET DATA",
        '""',
        str(_check_int(timeout_ms, 0, 3_600_000, "timeout_ms")),
        str(_check_int(max_digits, 1, 1023, "max_digits")),
    )


def channel_status_command() -> str:
    """``CHANNEL STATUS``: a live channel answers its state (``200 result=6``: up), a dead one
    ``511``: how a hang-up is told from a sound file that is missing."""
    return _line("CHANNEL STATUS")


def wait_for_digit_command(timeout_ms: int) -> str:
    return _line("WAIT FOR DIGIT", str(_check_int(timeout_ms, -1, 3_600_000, "timeout_ms")))


def say_digits_command(digits: str, escape_digits: str) -> str:
    # Asterisk sscanf()s the digits as an integer first: they must start with a digit.
    if not _SAY_DIGITS.fullmatch(digits):
        raise UnsafeArgument(f"bad digits to say: {digits[:40]!r}")
    return _line("SAY DIGITS", digits, quote(check_digits(escape_digits)))


def say_datetime_command(when: datetime, fmt: str, tz: str, escape_digits: str) -> str:
    """``SAY DATETIME <epoch> "<escape>" "<format>" <zone>`` (``handle_saydatetime``).

    ``when`` must be timezone-aware: Asterisk wants Unix time and renders it in ``tz``.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise UnsafeArgument("say_datetime needs a timezone-aware datetime")
    if not _TIMEZONE.fullmatch(tz) or ".." in tz:
        raise UnsafeArgument(f"bad time zone name: {tz[:40]!r}")
    return _line(
        "SAY DATETIME",
        str(int(when.timestamp())),
        quote(check_digits(escape_digits)),
        quote(fmt),
        tz,
    )


_AUDIOSOCKET_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]+\]")


def exec_audiosocket_command(session: uuid.UUID, host: str, port: int) -> str:
    """``EXEC AudioSocket <uuid>,<host>:<port>``: the channel's audio to the service's
    AudioSocket server until it ends the socket (speech). Every part is the service's own —
    a UUID it made, its configured address — and is checked all the same; the one argument
    is quoted so that the comma stays inside it."""
    if not _AUDIOSOCKET_HOST.fullmatch(host):
        raise UnsafeArgument(f"bad AudioSocket host: {host[:40]!r}")
    address = f"{session},{host}:{_check_int(port, 1, 65535, 'port')}"
    return _line("EXEC AudioSocket", quote(address))


def set_variable_command(name: str, value: str) -> str:
    return _line("SET VARIABLE", check_name(name), quote(value))


def get_variable_command(name: str) -> str:
    return _line("GET VARIABLE", check_name(name))
