"""The zone of this machine's clock as Asterisk reads it: what it writes its CDR in by default.

``cdr_csv`` with ``usegmtime = no`` (Asterisk's default) writes wall-clock times of the
Asterisk host's zone. On Linux Asterisk takes that zone from ``/etc/localtime`` and ignores
the ``TZ`` variable (``main/stdtime/localtime.c``), so this reads the same file rather than
asking the C library (which would follow a ``TZ`` set for this service only). Without the
file both fall back to UTC.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

LOCALTIME = Path("/etc/localtime")


def host_zone(localtime: Path = LOCALTIME) -> tzinfo:
    """The zone in ``localtime`` (a compiled zoneinfo file); UTC when there is none."""
    try:
        with localtime.open("rb") as file:
            return ZoneInfo.from_file(file, key=str(localtime))
    except (OSError, ValueError):
        return UTC
