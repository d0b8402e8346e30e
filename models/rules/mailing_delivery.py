"""How a mailing's letters go out (M1–M2), as pure rules: each recipient's delivery and its
states, retries after a failure, the pace, and what a delivery caught mid-send becomes.

A delivery is marked ``sending`` before its letter is handed to the mail server. A delivery
still ``sending`` long after it was claimed (:data:`STALE_CLAIM`: the process stopped between
the hand-over and the record) may or may not have reached the person; it becomes ``unknown``
and is **not** sent again: one missed letter is better than a second copy. The console shows
how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

MAX_ATTEMPTS: Final = 3
# The wait after the first and second failure (the server away for a while, a full mailbox).
RETRY_AFTER: Final = (timedelta(minutes=5), timedelta(minutes=30))
# Longer than any hand-over can take (mail.sender's 30-second timeout, several times).
STALE_CLAIM: Final = timedelta(minutes=10)
PER_MINUTE_DEFAULT: Final = 30


class MailingState(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    PAUSED = "paused"
    DONE = "done"


class DeliveryState(StrEnum):
    QUEUED = "queued"  # waiting for its turn (or for a retry: ``next_attempt_at``)
    SENDING = "sending"  # claimed, being handed to the mail server
    SENT = "sent"
    FAILED = "failed"  # the server refused it, or it failed MAX_ATTEMPTS times
    SKIPPED = "skipped"  # M2: consent withdrawn before the letter's turn
    UNKNOWN = "unknown"  # caught mid-send by a stop: not sent again (see the module's doc)


FINISHED: Final = frozenset(
    {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED, DeliveryState.UNKNOWN}
)
MAILING_LABELS_RU: Final = {
    MailingState.DRAFT: "черновик",
    MailingState.SENDING: "отправляется",
    MailingState.PAUSED: "приостановлена",
    MailingState.DONE: "завершена",
}


@dataclass(frozen=True, slots=True)
class AfterFailure:
    state: DeliveryState  # QUEUED (tried again at next_attempt_at) or FAILED
    next_attempt_at: datetime | None


def after_failure(attempts: int, permanent: bool, now: datetime) -> AfterFailure:
    """A failed hand-over (``attempts`` made so far, this one included): tried again later,
    or given up — at once when the server refused the address itself."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return AfterFailure(DeliveryState.FAILED, None)
    wait = RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]
    return AfterFailure(DeliveryState.QUEUED, now + wait)


def stale_claim(claimed_at: datetime, now: datetime) -> bool:
    """A ``sending`` delivery that no running hand-over can still own."""
    return now - claimed_at >= STALE_CLAIM


def pause_between(per_minute: int) -> timedelta:
    """The pause between two letters at the configured pace."""
    return timedelta(minutes=1) / per_minute
