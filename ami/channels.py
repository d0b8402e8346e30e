"""Channel names: which device a channel belongs to (technology-agnostic)."""

from __future__ import annotations

import re

# Asterisk appends "-%08x" to a channel's device name, and ";1"/";2" to Local channel halves.
_CHANNEL_SUFFIX = re.compile(r"-[0-9A-Fa-f]{8}(?:;\d+)?$")


def device_of(channel: str) -> str:
    """``PJSIP/201-0000001a`` → ``PJSIP/201``; ``Local/agent1@agents-00000001;1`` →
    ``Local/agent1@agents``; a bare device is returned as it is."""
    return _CHANNEL_SUFFIX.sub("", channel.strip())
