"""A session ends after its idle limit or its absolute limit, whichever comes first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.rules.sessions import SessionPolicy, expiry_cutoffs, needs_touch, session_alive

T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
POLICY = SessionPolicy(idle=timedelta(hours=8), longest=timedelta(hours=12))


@pytest.mark.parametrize(
    ("last_seen_after", "now_after", "alive"),
    [
        (timedelta(0), timedelta(hours=7, minutes=59, seconds=59), True),
        (timedelta(0), timedelta(hours=8), False),  # idle for 8 h
        (timedelta(hours=5), timedelta(hours=11, minutes=59), True),
        (timedelta(hours=11), timedelta(hours=12), False),  # busy, but signed in 12 h ago
    ],
)
def test_session_alive_until_idle_or_absolute_limit(
    last_seen_after: timedelta, now_after: timedelta, alive: bool
) -> None:
    assert (
        session_alive(
            created_at=T0, last_seen_at=T0 + last_seen_after, now=T0 + now_after, policy=POLICY
        )
        is alive
    )


def test_last_request_written_at_most_once_a_minute() -> None:
    assert not needs_touch(last_seen_at=T0, now=T0 + timedelta(seconds=59), policy=POLICY)
    assert needs_touch(last_seen_at=T0, now=T0 + timedelta(minutes=1), policy=POLICY)


def test_expiry_cutoffs() -> None:
    now = T0 + timedelta(hours=20)
    assert expiry_cutoffs(now, POLICY) == (now - timedelta(hours=8), now - timedelta(hours=12))


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SessionPolicy(idle=timedelta(0), longest=timedelta(hours=1))
