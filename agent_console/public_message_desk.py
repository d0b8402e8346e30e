"""The public form's memory in the console process: how many messages came lately (from one
address and in all, ``agent_console.public_limits``) and which filled-in forms were already
registered.

In memory, as the limits: a restart forgets them (the form tokens of the earlier process
usually go with it too, ``Backend.form_key``). The sender's address is never stored with the
message. One lock: a form sent twice at once is registered once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from agent_console.auth.form_tokens import LIFETIME
from agent_console.public_limits import RateWindow

PER_CLIENT = 5  # messages from one address within the window
OVERALL = 200  # messages from everyone within the window
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Receipt:
    number: str
    primary_due: date
    registered: bool  # False: a bot's form (the honeypot), answered alike, nothing stored


class OnceDesk(Generic[R]):
    """Limits per address and in all, and the result of each filled-in form (by its token's
    nonce), so that a form sent twice does its work once."""

    def __init__(self, *, per_client: int = PER_CLIENT, overall: int = OVERALL) -> None:
        self.per_client = per_client
        self.overall = overall
        self._lock = threading.Lock()
        self._window = RateWindow()
        self._receipts: dict[str, tuple[datetime, R]] = {}  # form nonce → receipt

    def submit(self, nonce: str, client: str, now: datetime, register: Callable[[], R]) -> R | None:
        """The receipt of the form ``nonce``: the earlier one when it was sent before, else
        ``register()``'s; None when a limit is reached (nothing is registered)."""
        with self._lock:
            self._forget(now)
            known = self._receipts.get(nonce)
            if known is not None:
                return known[1]
            if self._window.reached(client, now, per_client=self.per_client, overall=self.overall):
                return None
            receipt = register()  # an exception: nothing counted, the form may come again
            self._window.record(client, now)
            self._receipts[nonce] = (now, receipt)
            return receipt

    def _forget(self, now: datetime) -> None:
        # A form older than its token's lifetime cannot be sent again: its receipt can go.
        for nonce, (when, _receipt) in list(self._receipts.items()):
            if now - when > LIFETIME:
                del self._receipts[nonce]


class PublicMessageDesk(OnceDesk[Receipt]):
    """The public message form's desk (W)."""


# The public booking page of personal visits (V1): bookings from one address and in all.
VISITS_PER_CLIENT = 10
VISITS_OVERALL = 300


def visit_desk() -> OnceDesk[Any]:
    return OnceDesk(per_client=VISITS_PER_CLIENT, overall=VISITS_OVERALL)
