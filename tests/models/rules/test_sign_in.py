"""Wrong passwords: a pause that doubles after each failure, then a lock that runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.rules.sign_in import (
    Admitted,
    Failures,
    Refused,
    SignInPolicy,
    admit,
    forget_served,
    pause_after,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = SignInPolicy(max_attempts=5, lock=timedelta(minutes=15))


def _s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("count", "pause"),
    [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (60, 30)],
)
def test_pause_doubles_after_each_failure_up_to_the_longest(count: int, pause: float) -> None:
    assert pause_after(count, POLICY) == _s(pause)


def test_first_attempt_is_let_in_and_counted_before_the_check() -> None:
    verdict = admit(Failures(), T0, POLICY)
    assert verdict == Admitted(Failures(count=1, last_at=T0))
    assert not verdict.locks_if_wrong


@pytest.mark.parametrize(
    ("after", "refused"),
    [(0.0, True), (3.999, True), (4.0, False)],  # 3 failures: a 4 s pause
)
def test_attempt_inside_the_pause_is_refused_unchecked(after: float, refused: bool) -> None:
    failures = Failures(count=3, last_at=T0)
    verdict = admit(failures, T0 + _s(after), POLICY)
    if refused:
        assert verdict == Refused(locked=False, until=T0 + _s(4))
    else:
        assert verdict == Admitted(Failures(count=4, last_at=T0 + _s(after)))


def test_the_last_allowed_attempt_locks_if_it_is_wrong() -> None:
    now = T0 + _s(8)
    verdict = admit(Failures(count=4, last_at=T0), now, POLICY)
    assert isinstance(verdict, Admitted)
    assert verdict.locks_if_wrong
    assert verdict.failures == Failures(count=5, last_at=now, locked_until=now + POLICY.lock)


@pytest.mark.parametrize(
    ("after", "locked"),
    [(timedelta(0), True), (timedelta(minutes=14, seconds=59), True), (POLICY.lock, False)],
)
def test_lock_refuses_until_it_runs_out_then_counting_starts_afresh(
    after: timedelta, locked: bool
) -> None:
    lock_end = T0 + POLICY.lock
    failures = Failures(count=5, last_at=T0, locked_until=lock_end)
    verdict = admit(failures, T0 + after, POLICY)
    if locked:
        assert verdict == Refused(locked=True, until=lock_end)
    else:
        assert verdict == Admitted(Failures(count=1, last_at=T0 + after))


def test_failures_older_than_the_lock_time_are_forgotten() -> None:
    old = Failures(count=4, last_at=T0)
    assert forget_served(old, T0 + POLICY.lock - _s(1), POLICY) == old
    assert forget_served(old, T0 + POLICY.lock, POLICY) == Failures()


def test_a_single_attempt_policy_locks_at_the_first_failure() -> None:
    policy = SignInPolicy(max_attempts=1, lock=timedelta(minutes=1))
    verdict = admit(Failures(), T0, policy)
    assert isinstance(verdict, Admitted)
    assert verdict.failures.locked_until == T0 + timedelta(minutes=1)


def test_policy_and_time_are_checked() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        SignInPolicy(max_attempts=0, lock=timedelta(minutes=1))
    with pytest.raises(ValueError, match="lock"):
        SignInPolicy(max_attempts=3, lock=timedelta(0))
    with pytest.raises(ValueError, match="timezone-aware"):
        admit(Failures(), datetime(2026, 12, 7, 9, 0), POLICY)  # noqa: DTZ001
