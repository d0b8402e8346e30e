"""The AGI side of Asterisk without I/O: how it splits a command line, the replies it sends,
how long its sounds play.

* ``parse_args`` is res_agi.c's: blanks separate words, ``"`` toggles quoting, ``\\`` escapes
  the next character, at most 128 words.
* Replies as Asterisk 22 sent them (``tests/fixtures/asterisk/*.agi.txt``): ``200 result=0``,
  ``200 result=0 endpos=7360``, ``200 result=555``, ``200 result=12 (timeout)``, ``200
  result= (timeout)``, ``200 result=49`` (WAIT FOR DIGIT: the key's ASCII code), ``200
  result=1 (value)``, ``200 result=-1`` (the caller hung up during it), ``510 Invalid or
  unknown command``, ``511 Command Not Permitted on a dead channel or intercept routine``.
* Sound lengths: the line's prompts take about as long as their text read aloud
  (``ivr.prompts``); other files a second or two. ``endpos`` counts 8 kHz samples.
"""

from __future__ import annotations

from typing import Final

from ivr.prompts import PROMPT_DIR, PROMPTS

MAX_ARGS: Final = 128
INVALID: Final = "510 Invalid or unknown command"
DEAD: Final = "511 Command Not Permitted on a dead channel or intercept routine"
SAMPLES_PER_S: Final = 8000
CHARACTERS_PER_S: Final = 14.0  # a calm announcer, Russian or English
OTHER_SOUND_S: Final = 1.5
SAY_DIGIT_S: Final = 0.6
SAY_DATETIME_S: Final = 3.0

# Commands that still work on a dead channel (res_agi.c's "dead" flag).
DEAD_SAFE: Final = frozenset({"GET VARIABLE", "SET VARIABLE", "GET FULL VARIABLE", "VERBOSE"})


def parse_args(line: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    quoted = escaped = started = False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
            started = True
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            started = True
        elif char in " \t" and not quoted:
            if started:
                words.append("".join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
        if len(words) >= MAX_ARGS:
            break
    if started and len(words) < MAX_ARGS:
        words.append("".join(current))
    return words


def command_name(argv: list[str]) -> str:
    """The command's words in upper case, e.g. ``STREAM FILE``."""
    upper = [word.upper() for word in argv]
    for size in (3, 2, 1):
        name = " ".join(upper[:size])
        if name in KNOWN:
            return name
    return " ".join(upper[:2])


KNOWN: Final = frozenset(
    {
        "ANSWER",
        "STREAM FILE",
        "GET DATA",
        "WAIT FOR DIGIT",
        "SAY DIGITS",
        "SAY DATETIME",
        "SET VARIABLE",
        "GET VARIABLE",
        "CHANNEL STATUS",
        "HANGUP",
        "VERBOSE",
    }
)


def sound_seconds(sound: str) -> float:
    """How long a sound file plays."""
    if not sound:
        return 0.0
    parts = sound.split("/")
    if len(parts) == 3 and parts[0] == PROMPT_DIR and parts[2] in PROMPTS:
        text = PROMPTS[parts[2]].text(parts[1] if parts[1] in ("ru", "en") else "ru")
        return round(max(1.0, len(text) / CHARACTERS_PER_S), 3)
    return OTHER_SOUND_S


def prompt_id(sound: str) -> str:
    """``consult-line/ru/topic-menu`` → ``topic-menu`` (what the caller hears)."""
    return sound.rsplit("/", 1)[-1]


def endpos(seconds: float) -> int:
    return int(seconds * SAMPLES_PER_S)


def ok(result: str, data: str | None = None, end: int | None = None) -> str:
    reply = f"200 result={result}"
    if data is not None:
        reply += f" ({data})"
    if end is not None:
        reply += f" endpos={end}"
    return reply


def digit_result(digit: str) -> str:
    """WAIT FOR DIGIT / STREAM FILE interrupted: the key's ASCII code."""
    return str(ord(digit)) if digit else "0"
