"""The caller's worker threads (``ivr.db_workers``): the limit covers the whole wait."""

from __future__ import annotations

import threading

import pytest

from ivr.db_workers import DatabaseTooSlow, DatabaseWorkers

LIMIT_S = 0.3


async def test_the_limit_counts_the_wait_for_a_free_thread() -> None:
    workers = DatabaseWorkers(limit_s=LIMIT_S, workers=1)
    release = threading.Event()
    ran: list[str] = []
    try:
        with pytest.raises(DatabaseTooSlow):
            await workers.run(release.wait)  # holds the only thread
        with pytest.raises(DatabaseTooSlow):
            await workers.run(ran.append, "late")  # never got a thread
    finally:
        release.set()
        workers.close(wait=True)
    assert ran == []  # dropped, not run after the caller had gone
