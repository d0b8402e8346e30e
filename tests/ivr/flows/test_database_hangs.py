"""A database that hangs during a call (``ivr.db_workers``): it costs the caller the time limit,
then the dialplan's fallback serves them (LINE_AGI_FAILED=1), never dead air."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from ivr.db_workers import DatabaseWorkers
from ivr.flows.context import FlowContext
from ivr.route_names import ENTRY
from ivr.variables import LINE_AGI_FAILED, LINE_OPEN
from models.line_store import LineStore
from models.settings import Settings
from tests.db_locks import calls_write_locked
from tests.ivr.flows.conftest import FixedClock, Line

LIMIT_S = 1.0


@pytest.fixture
def context(db_engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[FlowContext]:
    # The test database's own engine waits 15 s for an SQLite lock and forever on PostgreSQL:
    # only the workers' limit stands between the caller and dead air.
    workers = DatabaseWorkers(limit_s=LIMIT_S)
    yield FlowContext(
        store=LineStore(db_engine, settings), clock=clock, settings=settings, workers=workers
    )
    workers.close(wait=True)


async def test_entry_with_the_call_log_locked_fails_over_to_the_dialplan(
    line: Line, db_engine: Engine
) -> None:
    with calls_write_locked(db_engine):
        record = await line.call(ENTRY, digits=["1", "1"], expect_failure=True)
    # LINE_OPEN came first (the calendar is only read): the dialplan's fallback trusts it and
    # sends the caller to the queue (C3).
    assert record.commands == [
        "ANSWER",
        f'SET VARIABLE {LINE_OPEN} "1"',
        f'SET VARIABLE {LINE_AGI_FAILED} "1"',
    ]
    [error] = [r for r in line.caplog.records if r.levelno >= logging.ERROR]
    assert "route=entry" in error.getMessage()
    assert error.exc_info is not None
    assert f"record_arrival gave no answer within {LIMIT_S:g} s" in str(error.exc_info[1])
