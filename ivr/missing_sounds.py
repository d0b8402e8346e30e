"""Sounds Asterisk could not play, for ``/health``: the channel reports them as calls meet them.

A sound is listed from the first call that missed it until a later call plays it (the
administrator installed the files; no restart needed). The list is read by the web app's
health check from a worker thread while the event loop writes it, hence the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class MissingSound:
    sound: str  # a prompt file ("consult-line/ru/topic-menu") or Asterisk's digits
    times: int  # how often a call met it since it went missing
    first_seen: datetime
    last_seen: datetime
    last_uniqueid: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "times": self.times,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "last_uniqueid": self.last_uniqueid,
        }


class MissingSounds:
    """Implements ``ivr.agi.channel.SoundProblems``."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._missing: dict[str, MissingSound] = {}

    def missing(self, sound: str, uniqueid: str) -> None:
        now = self._clock()
        with self._lock:
            known = self._missing.get(sound)
            if known is None:
                self._missing[sound] = MissingSound(sound, 1, now, now, uniqueid)
            else:
                self._missing[sound] = replace(
                    known, times=known.times + 1, last_seen=now, last_uniqueid=uniqueid
                )

    def played(self, sound: str) -> None:
        if sound in self._missing:  # a racy peek is fine: the lock decides
            with self._lock:
                self._missing.pop(sound, None)

    def snapshot(self) -> list[MissingSound]:
        with self._lock:
            return sorted(self._missing.values(), key=lambda item: item.sound)
