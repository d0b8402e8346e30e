"""The AMI bridge end to end: a loopback Asterisk's events become call-log rows and live state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from ami.cdr import CAPTURES_DIALPLAN
from models.rules.missed import CallOutcome
from models.tables import Call
from tests.ami.captures import HARNESS_CONTEXTS, RECEIVED_AT
from tests.ami.fake_ami import (
    FULL_WRITE,
    FakeAmi,
    bridge_settings,
    capture_events,
    empty_list,
    without_calls,
)
from tests.asterisk_captures import Kind, capture_bytes
from tests.db_locks import calls_write_locked


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmi]:
    async with without_calls() as fake:
        yield fake


@pytest.fixture
async def bridge(
    asterisk: FakeAmi, db_engine: Engine, tmp_path: Path
) -> AsyncIterator[tuple[AmiBridge, LiveBus]]:
    bus = LiveBus()
    bridge = AmiBridge(
        settings=bridge_settings(asterisk, db_engine, tmp_path),
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=bus,
        line_contexts=HARNESS_CONTEXTS,
        queue="consult",  # the harness queue of the captures
    )
    await bridge.start()
    await bridge.connection.wait_logged_in(timeout=5)
    yield bridge, bus
    await bridge.stop()


def _outcome(engine: Engine) -> CallOutcome | None:
    with Session(engine) as session:
        call = session.exec(select(Call)).first()
        return call.outcome if call else None


async def test_answered_call_from_the_event_stream_lands_in_the_call_log(
    asterisk: FakeAmi, bridge: tuple[AmiBridge, LiveBus], db_engine: Engine
) -> None:
    live, bus = bridge
    seen: list[list[str]] = []
    async with bus.subscribe("queue") as console:
        await asterisk.push(capture_events("a-answered"))
        async with asyncio.timeout(10):
            # The caller joins the queue (shown waiting), then the operator answers (gone).
            while ["79281234567"] not in seen or seen[-1]:
                waiting = (await console.next()).payload["waiting"]
                seen.append([w["caller_num"] for w in waiting])
            while _outcome(db_engine) is None:
                await asyncio.sleep(0.05)  # the store writes from a worker thread
    assert _outcome(db_engine) is CallOutcome.ANSWERED
    assert ["79281234567"] in seen
    assert seen[-1] == []
    assert live.status()["state"] == "logged_in"
    assert live.status()["calls_in_progress"] == 0


async def test_every_login_resyncs_and_reconciles(
    asterisk: FakeAmi, bridge: tuple[AmiBridge, LiveBus]
) -> None:
    live, _bus = bridge
    await asterisk.wait_action("CoreShowChannels")
    await asterisk.wait_action("QueueStatus")
    async with asyncio.timeout(5):
        while live.last_reconcile is None:
            await asyncio.sleep(0.01)
    await asterisk.reset()
    await asterisk.wait_action("CoreShowChannels", count=2)  # again after the reconnect


async def test_login_checks_the_users_write_permissions(
    db_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # manager.conf without "originate" and "reporting" in write: click-to-call (C11) and the
    # resync after every login would fail with "Permission denied" when first needed.
    asterisk = FakeAmi(write_classes=frozenset({"call", "agent"}))
    asterisk.reply("queuestatus", empty_list("QueueStatusComplete"))
    await asterisk.start()
    bridge = AmiBridge(
        settings=bridge_settings(asterisk, db_engine, tmp_path),
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=LiveBus(),
        permission_recheck=timedelta(milliseconds=50),
    )
    try:
        await bridge.start()
        await asterisk.wait_action("ListCommands")
        async with asyncio.timeout(5):
            while bridge.last_reconcile is None:
                await asyncio.sleep(0.01)
        permissions = bridge.status()["permissions"]
        assert permissions["missing"] == ["Originate", "CoreShowChannels"]
        assert "write = call,originate,agent,reporting" in permissions["problem"]
        assert "Originate" in caplog.text
        # The administrator fixes manager.conf ("manager reload"): Asterisk grants rights at
        # login, so the bridge logs in again by itself and finds them.
        asterisk.write_classes = FULL_WRITE
        await asterisk.wait_action("ListCommands", count=2)
        async with asyncio.timeout(5):
            while bridge.status()["permissions"]["missing"]:
                await asyncio.sleep(0.01)
        assert asterisk.logins == 2
    finally:
        await bridge.stop()
        await asterisk.stop()


async def test_a_user_with_the_contracts_permissions_passes(
    asterisk: FakeAmi, bridge: tuple[AmiBridge, LiveBus]
) -> None:
    live, _bus = bridge
    await asterisk.wait_action("ListCommands")
    async with asyncio.timeout(5):
        while live.status()["permissions"] is None:
            await asyncio.sleep(0.01)
    assert live.status()["permissions"] == {"missing": [], "problem": ""}


async def test_reconciliation_runs_beside_the_consumer_one_run_at_a_time(
    asterisk: FakeAmi, db_engine: Engine, tmp_path: Path
) -> None:
    # The queue_log holds a call that ended while the service was away; writing its outcome
    # waits for the database, which another connection holds: the login's run is stuck.
    (tmp_path / "queue_log").write_bytes(capture_bytes("a-answered", Kind.QUEUE_LOG))
    bus = LiveBus()
    bridge = AmiBridge(
        settings=bridge_settings(asterisk, db_engine, tmp_path),
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=bus,
        line_contexts=HARNESS_CONTEXTS,
        queue="consult",
        dialplan=CAPTURES_DIALPLAN,
    )
    try:
        with calls_write_locked(db_engine):
            await bridge.start()
            await bridge.connection.wait_logged_in(timeout=5)
            async with asyncio.timeout(5):
                while not bridge.reconciling:
                    await asyncio.sleep(0.01)
            # Events flow meanwhile: a caller joins the queue and hangs up there.
            seen: list[list[str]] = []
            async with bus.subscribe("queue") as console:
                await asterisk.push(capture_events("b-abandoned"))
                async with asyncio.timeout(10):
                    while ["79281234567"] not in seen or seen[-1]:
                        waiting = (await console.next()).payload["waiting"]
                        seen.append([w["caller_num"] for w in waiting])
            assert bridge.reconciling
            assert bridge.last_reconcile is None
            nightly = asyncio.create_task(bridge.reconcile())  # the scheduler asks meanwhile
        # The database is free: the login's run ends, then the nightly one runs.
        summary = await asyncio.wait_for(nightly, 10)
        assert bridge.last_reconcile is summary
        assert summary.read == 0  # its window starts where the login's run ended
        async with asyncio.timeout(10):
            while len(_linkedids_with_outcome(db_engine)) < 2:
                await asyncio.sleep(0.02)  # the live call's writes, in the write queue
        # The reconciled call (a) and the call logged live meanwhile (b).
        assert _linkedids_with_outcome(db_engine) == {"1795867058.0", "1795867085.0"}
        assert bridge.connection.status()["handler_failures"] == 0
    finally:
        await bridge.stop()


def _linkedids_with_outcome(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return {call.linkedid for call in session.exec(select(Call)).all() if call.outcome}
