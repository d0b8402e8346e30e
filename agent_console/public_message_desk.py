"""The public form's memory in the console process: how many messages came lately (from one
address and in all) and which filled-in forms were already registered.

In memory on purpose: the limits protect the line from a flood, not a record to keep, and a
restart forgets them (the form tokens of the earlier process usually go with it too,
``Backend.form_key``). The sender's address is kept only as long as its window lasts and is
never stored with the message. One lock: a form sent twice at once is registered once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agent_console.auth.form_tokens import LIFETIME

WINDOW = timedelta(hours=1)
PER_CLIENT = 5  # messages from one address within the window
OVERALL = 200  # messages from everyone within the window


@dataclass(frozen=True, slots=True)
class Receipt:
    number: str
    primary_due: date
    registered: bool  # False: a bot's form (the honeypot), answered alike, nothing stored


class PublicMessageDesk:
    def __init__(self, *, per_client: int = PER_CLIENT, overall: int = OVERALL) -> None:
        self.per_client = per_client
        self.overall = overall
        self._lock = threading.Lock()
        self._by_client: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()
        self._receipts: dict[str, tuple[datetime, Receipt]] = {}  # form nonce → receipt

    def submit(
        self, nonce: str, client: str, now: datetime, register: Callable[[], Receipt]
    ) -> Receipt | None:
        """The receipt of the form ``nonce``: the earlier one when it was sent before, else
        ``register()``'s; None when a limit is reached (nothing is registered)."""
        with self._lock:
            self._forget(now)
            known = self._receipts.get(nonce)
            if known is not None:
                return known[1]
            recent = self._by_client.setdefault(client, deque())
            if len(recent) >= self.per_client or len(self._all) >= self.overall:
                return None
            receipt = register()
            recent.append(now)
            self._all.append(now)
            self._receipts[nonce] = (now, receipt)
            return receipt

    def _forget(self, now: datetime) -> None:
        while self._all and now - self._all[0] >= WINDOW:
            self._all.popleft()
        for client in list(self._by_client):
            times = self._by_client[client]
            while times and now - times[0] >= WINDOW:
                times.popleft()
            if not times:
                del self._by_client[client]
        # A form older than its token's lifetime cannot be sent again: its receipt can go.
        for nonce, (when, _receipt) in list(self._receipts.items()):
            if now - when > LIFETIME:
                del self._receipts[nonce]
