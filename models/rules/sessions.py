"""How long a signed-in session lives: an idle limit and an absolute one.

A session ends ``idle`` after its last request and ``longest`` after sign-in, whichever comes
first. The last request is written at most every ``touch_every`` (not on every request), so the
idle limit is kept to within that much.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.rules.calendar import require_aware


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta
    longest: timedelta
    touch_every: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        if self.idle <= timedelta(0) or self.longest <= timedelta(0):
            raise ValueError(f"session limits must be positive: {self.idle}, {self.longest}")


def session_alive(
    *, created_at: datetime, last_seen_at: datetime, now: datetime, policy: SessionPolicy
) -> bool:
    require_aware(now, "now")
    return now - last_seen_at < policy.idle and now - created_at < policy.longest


def needs_touch(*, last_seen_at: datetime, now: datetime, policy: SessionPolicy) -> bool:
    return now - last_seen_at >= policy.touch_every


def expiry_cutoffs(now: datetime, policy: SessionPolicy) -> tuple[datetime, datetime]:
    """Sessions last seen before the first or created before the second have ended."""
    require_aware(now, "now")
    return now - policy.idle, now - policy.longest
