"""Channel names and Uniqueids: which device a channel belongs to (technology-agnostic), when
a channel was created."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Asterisk appends "-%08x" to a channel's device name, and ";1"/";2" to Local channel halves.
_CHANNEL_SUFFIX = re.compile(r"-[0-9A-Fa-f]{8}(?:;\d+)?$")


def device_of(channel: str) -> str:
    """``PJSIP/201-0000001a`` → ``PJSIP/201``; ``Local/agent1@agents-00000001;1`` →
    ``Local/agent1@agents``; a bare device is returned as it is."""
    return _CHANNEL_SUFFIX.sub("", channel.strip())


_UNIQUEID = re.compile(r"(?:.*-)?(\d{9,11})\.\d+")


def uniqueid_time(uniqueid: str) -> datetime | None:
    """The creation second Asterisk writes into a default Uniqueid (``[system-]epoch.seq``)."""
    match = _UNIQUEID.fullmatch(uniqueid.strip())
    if match is None:
        return None
    return datetime.fromtimestamp(int(match.group(1)), UTC)
