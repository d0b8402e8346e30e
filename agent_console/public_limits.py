"""How many requests the public pages took lately, from one address and in all: the flood
limits of the public message form, the survey page and the mailing subscription page, kept in
the console's memory.

In memory on purpose: the limits protect the line from a flood, not a record to keep, and a
restart forgets them. The sender's address is kept only as long as its window lasts.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


class RateWindow:
    """The moments of the requests counted within the last :data:`WINDOW`, by address. Not
    locked: its owner holds a lock around each use."""

    def __init__(self) -> None:
        self._by_client: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()

    def reached(self, client: str, now: datetime, *, per_client: int, overall: int) -> bool:
        """Whether ``client`` or everyone together has used up the window (older requests
        are forgotten first)."""
        self._forget(now)
        recent = self._by_client.get(client, ())
        return len(recent) >= per_client or len(self._all) >= overall

    def record(self, client: str, now: datetime) -> None:
        self._by_client.setdefault(client, deque()).append(now)
        self._all.append(now)

    def _forget(self, now: datetime) -> None:
        while self._all and now - self._all[0] >= WINDOW:
            self._all.popleft()
        for client in list(self._by_client):
            times = self._by_client[client]
            while times and now - times[0] >= WINDOW:
                times.popleft()
            if not times:
                del self._by_client[client]


class PublicLimit:
    """A :class:`RateWindow` behind its own lock: :meth:`admit` counts a request when the
    limits allow it."""

    def __init__(self, *, per_client: int, overall: int) -> None:
        self.per_client = per_client
        self.overall = overall
        self._lock = threading.Lock()
        self._window = RateWindow()

    def admit(self, client: str, now: datetime) -> bool:
        with self._lock:
            if self._window.reached(client, now, per_client=self.per_client, overall=self.overall):
                return False
            self._window.record(client, now)
            return True


# The survey page (agent_console.routes.public_survey): every answer sent counts, stored or
# not, so that nobody tries links in bulk; a client answers a few surveys at most.
SURVEY_PER_CLIENT = 20
SURVEY_OVERALL = 1000


def survey_limit() -> PublicLimit:
    return PublicLimit(per_client=SURVEY_PER_CLIENT, overall=SURVEY_OVERALL)


# The mailing subscription page (M3): every request counts, accepted or not. Besides, one
# address gets a confirmation letter at most once per CONFIRMATION_RESEND
# (models.rules.mailing_consent), whoever asks.
SUBSCRIBE_PER_CLIENT = 10
SUBSCRIBE_OVERALL = 300


def subscription_limit() -> PublicLimit:
    return PublicLimit(per_client=SUBSCRIBE_PER_CLIENT, overall=SUBSCRIBE_OVERALL)
