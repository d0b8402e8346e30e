"""The database away while calls go on (issue 9): the console's picture does not wait for it,
and nothing the AMI bridge should write is lost or written twice.

The database is made unavailable for real: another connection holds the lock every writer of
the call log needs (``tests.db_locks``) and the bridge's engine gives up its lock waits after
a moment, as its statements fail when the server is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.bridge import AmiBridge
from ami.bus import LiveBus, Subscription
from consult_line.health import Probes, check
from consult_line.wiring import Services
from models.db import WaitLimits, create_db_engine
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Call, CallbackTask
from tests.ami.captures import HARNESS_CONTEXTS
from tests.ami.fake_ami import FakeAmi, bridge_settings, capture_events, without_calls
from tests.ami.test_outage import make_store
from tests.db_locks import calls_write_locked

WAIT_S = 10.0
LOCK_TIMEOUT_MS = 100
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the capture's day, made a working day


def impatient_engine(engine: Engine) -> Engine:
    """Another engine on the same database that gives up a lock wait after a moment."""
    limit_s = LOCK_TIMEOUT_MS / 1000
    return create_db_engine(
        engine.url.render_as_string(hide_password=False),
        WaitLimits(connect_s=2.0, lock_wait_s=limit_s, statement_s=limit_s),
    )


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmi]:
    async with without_calls() as fake:
        yield fake


async def until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not predicate():
            await asyncio.sleep(0.02)


async def waiting_numbers(console: Subscription) -> list[str]:
    async with asyncio.timeout(WAIT_S):
        message = await console.next()
    return [waiting["caller_num"] for waiting in message.payload["waiting"]]


def calls_and_tasks(engine: Engine) -> tuple[list[Call], list[CallbackTask]]:
    with Session(engine) as session:
        calls = list(session.exec(select(Call)).all())
        return calls, list(session.exec(select(CallbackTask)).all())


async def test_abandoning_caller_leaves_the_screen_and_is_written_once_the_database_is_back(
    asterisk: FakeAmi, db_engine: Engine, tmp_path: Path
) -> None:
    make_store(db_engine, "b-abandoned")  # the capture's day a working day: C13 applies
    engine = impatient_engine(db_engine)
    bus = LiveBus()
    settings = bridge_settings(asterisk, db_engine, tmp_path)
    bridge = AmiBridge(
        settings=settings,
        engine=engine,
        clock=lambda: NOW,
        bus=bus,
        line_contexts=HARNESS_CONTEXTS,
        queue="consult",
        write_backoff=(0.05,),
    )
    services = Services(settings=settings, engine=db_engine, clock=lambda: NOW)
    await bridge.start()
    try:
        await bridge.connection.wait_logged_in(timeout=WAIT_S)
        await until(lambda: bridge.last_reconcile is not None)
        with calls_write_locked(db_engine):
            async with bus.subscribe("queue") as console:
                await asterisk.push(capture_events("b-abandoned"))
                # The caller waits, then hangs up in the queue: gone from every screen at
                # once, whatever the database does.
                assert await waiting_numbers(console) == ["79281234567"]
                assert await waiting_numbers(console) == []
            await until(lambda: bridge.status()["calls_in_progress"] == 0)
            await until(lambda: bridge.status()["call_log_writes"]["database_unavailable"])
            writes = bridge.status()["call_log_writes"]
            assert writes["pending"] >= 1
            assert writes["written"] == 0
            assert calls_and_tasks(db_engine) == ([], [])
            report = check(services, Probes(ami=bridge.status))
            assert any("журнал звонков" in warning for warning in report.warnings)
        # The database is back.
        await until(lambda: bridge.status()["call_log_writes"]["pending"] == 0)
        calls, tasks = calls_and_tasks(db_engine)
        assert [(c.outcome, c.missed_reason) for c in calls] == [
            (CallOutcome.MISSED, MissedReason.ABANDONED_IN_QUEUE)  # C13
        ]
        assert [(t.phone_e164, t.origin_call_id) for t in tasks] == [("+79281234567", calls[0].id)]
        writes = bridge.status()["call_log_writes"]
        assert (writes["database_unavailable"], writes["dropped"], writes["failed"]) == (
            False,
            0,
            0,
        )
        assert writes["failures"] >= 1
        assert bridge.connection.status()["handler_failures"] == 0
        report = check(services, Probes(ami=bridge.status))
        assert not any("журнал звонков" in warning for warning in report.warnings)
    finally:
        await bridge.stop()
        engine.dispose()
