"""The one way tests (and the AMI benchmark) read the recorded Asterisk traffic.

The recordings live in the repository, ``tests/fixtures/asterisk/`` (see its README): for each
scenario ``NAME`` the raw AMI bytes (``NAME.ami.txt``), the FastAGI transcript
(``NAME.agi.txt``, where a FastAGI server ran), the ``queue_log`` and the ``cdr_csv`` file
Asterisk wrote, and in ``etc/`` the configuration of the Asterisk that recorded them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

CAPTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "asterisk"
CAPTURES_ETC = CAPTURES_DIR / "etc"


class Kind(StrEnum):
    """What a recording holds, by its file suffix."""

    AMI = "ami.txt"
    AGI = "agi.txt"
    QUEUE_LOG = "queue_log.txt"
    CDR = "cdr.csv"


def capture_path(name: str, kind: Kind) -> Path:
    path = CAPTURES_DIR / f"{name}.{kind.value}"
    if not path.is_file():
        raise FileNotFoundError(f"no recording {path.name} in {CAPTURES_DIR}")
    return path


def capture_names(kind: Kind) -> list[str]:
    """The scenarios that have a recording of ``kind``, sorted."""
    suffix = f".{kind.value}"
    return sorted(path.name.removesuffix(suffix) for path in CAPTURES_DIR.glob(f"*{suffix}"))


@cache
def capture_bytes(name: str, kind: Kind) -> bytes:
    return capture_path(name, kind).read_bytes()


def capture_lines(name: str, kind: Kind) -> list[str]:
    """The file's lines as iterating it in text mode with ``newline=""`` yields them: line
    ends kept as written (what the log readers are given)."""
    with capture_path(name, kind).open(encoding="utf-8", newline="") as file:
        return list(file)


# Every epoch second and Uniqueid of the recordings is 1795xxxxxx (2026-11-28).
_EPOCH = re.compile(r"\b1795\d{6}\b")
_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def moved_lines(name: str, kind: Kind, seconds: int) -> list[str]:
    """A recording's queue_log or CDR lines as if the call had come ``seconds`` later: every
    epoch and Uniqueid moved, and the CDR's wall-clock times (its host was on UTC)."""
    if kind not in (Kind.QUEUE_LOG, Kind.CDR):
        raise ValueError(f"only queue_log and CDR lines can be moved, not {kind}")

    def epoch(match: re.Match[str]) -> str:
        return str(int(match.group()) + seconds)

    def wall_clock(match: re.Match[str]) -> str:
        moment = datetime.strptime(match.group(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - UTC
        return (moment + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")

    return [
        _WALL_CLOCK.sub(wall_clock, _EPOCH.sub(epoch, line)) for line in capture_lines(name, kind)
    ]
