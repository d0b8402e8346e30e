"""Wrong passwords: a growing pause between attempts, then a lock of the account.

Every attempt that is let in is counted as a failure *before* the password is checked, and a
right password clears the count. So attempts sent in parallel cannot outrun the count: each one
takes its place in it, and the pause after one failure refuses the others.

* After the n-th consecutive failure the next attempt waits ``first_pause * 2**(n-1)`` (1, 2,
  4, 8 s…, at most ``longest_pause``); an attempt inside the pause is refused unchecked.
* The ``max_attempts``-th failure locks the account for ``lock``; while locked even the right
  password is refused. A served lock, or failures older than ``lock``, are forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.rules.calendar import require_aware


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    max_attempts: int
    lock: timedelta
    first_pause: timedelta = timedelta(seconds=1)
    longest_pause: timedelta = timedelta(seconds=30)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1: {self.max_attempts}")
        if self.lock <= timedelta(0):
            raise ValueError(f"lock must be positive: {self.lock}")


@dataclass(frozen=True, slots=True)
class Failures:
    """What the account row remembers of wrong passwords."""

    count: int = 0
    last_at: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Admitted:
    """Check the password; store ``failures`` first (the attempt counted as if wrong)."""

    failures: Failures

    @property
    def locks_if_wrong(self) -> bool:
        return self.failures.locked_until is not None


@dataclass(frozen=True, slots=True)
class Refused:
    """Not checked: the account is ``locked``, or the pause after a failure runs ``until``."""

    locked: bool
    until: datetime


def admit(failures: Failures, now: datetime, policy: SignInPolicy) -> Admitted | Refused:
    require_aware(now, "now")
    current = forget_served(failures, now, policy)
    if current.locked_until is not None:
        return Refused(locked=True, until=current.locked_until)
    if current.count > 0 and current.last_at is not None:
        ready = current.last_at + pause_after(current.count, policy)
        if now < ready:
            return Refused(locked=False, until=ready)
    count = current.count + 1
    locked_until = now + policy.lock if count >= policy.max_attempts else None
    return Admitted(Failures(count=count, last_at=now, locked_until=locked_until))


def forget_served(failures: Failures, now: datetime, policy: SignInPolicy) -> Failures:
    """The failures that still count at ``now``: a lock that ran out starts afresh."""
    if failures.locked_until is not None:
        return failures if now < failures.locked_until else Failures()
    if failures.last_at is not None and now - failures.last_at >= policy.lock:
        return Failures()
    return failures


def pause_after(count: int, policy: SignInPolicy) -> timedelta:
    """How long the next attempt waits after ``count`` consecutive failures (count >= 1)."""
    if count < 1:
        return timedelta(0)
    pause: timedelta = policy.first_pause * 2 ** min(count - 1, 30)
    return min(pause, policy.longest_pause)
