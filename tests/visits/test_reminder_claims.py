"""Nothing goes twice (V3–V4): of processes claiming the same due letter or call at once, one
wins (a conditional UPDATE); planning twice adds nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.visit_slots import ReminderChannel
from tests.mailing_samples import mail_settings
from tests.visits.reminder_samples import book, rows
from tests.visits.samples import BEFORE, CALENDAR, TUESDAY, at, load_examples
from visits import reminder_store
from visits.reminder_store import ClaimedCall

DUE = at(TUESDAY, 10, 30) - timedelta(days=1)


def _race(claim: Callable[[], ClaimedCall | None], workers: int = 4) -> list[ClaimedCall]:
    barrier = threading.Barrier(workers)
    won: list[ClaimedCall] = []

    def attempt() -> None:
        barrier.wait()
        result = claim()
        if result is not None:
            won.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won


def test_one_of_concurrent_claims_wins_each_row(db_engine: Engine) -> None:  # V3, V4
    load_examples(db_engine)
    settings = mail_settings(db_engine, 2525)
    book(db_engine, settings, remind_by_email=False, email="")
    with session_scope(db_engine) as session:
        assert reminder_store.plan_new(session, now=BEFORE, calendar=CALENDAR) == 1
    with session_scope(db_engine) as session:  # planned already: nothing more
        assert reminder_store.plan_new(session, now=BEFORE, calendar=CALENDAR) == 0

    def claim() -> ClaimedCall | None:
        with session_scope(db_engine) as session:
            return reminder_store.claim_call(session, DUE, CALENDAR)

    won = _race(claim)
    assert len(won) == 1
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert row.attempts == 1
    assert row.channel_id == won[0].channel_id
