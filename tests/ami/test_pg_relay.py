"""Two processes' live buses joined through PostgreSQL LISTEN/NOTIFY.

Each "process" is a LiveBus with its own PgNotifyRelay, on a channel of its own per test. The
tests that need PostgreSQL run when TEST_DATABASE_URL is set (the CI sets it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest

from ami.bus import LiveBus, LiveMessage, Subscription
from ami.pg_relay import (
    MAX_NOTIFY_BYTES,
    RELOAD_PAYLOAD,
    PgNotifyRelay,
    encode,
    libpq_url,
)

WAIT_S = 10.0
DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"


@pytest.fixture
def database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…")
    return url


@pytest.fixture
def channel() -> str:
    return f"live_test_{uuid.uuid4().hex[:12]}"


class Process:
    def __init__(self, database_url: str, channel: str) -> None:
        self.bus = LiveBus()
        self.relay = PgNotifyRelay(self.bus, database_url, channel=channel, backoff=(0.05,))


@pytest.fixture
async def two(database_url: str, channel: str) -> AsyncIterator[tuple[Process, Process]]:
    a, b = Process(database_url, channel), Process(database_url, channel)
    for process in (a, b):
        await process.relay.start()
    async with asyncio.timeout(WAIT_S):
        await a.relay.wait_connected()
        await b.relay.wait_connected()
    yield a, b
    await a.relay.stop()
    await b.relay.stop()


async def next_message(subscription: Subscription, timeout: float = WAIT_S) -> LiveMessage:
    async with asyncio.timeout(timeout):
        return await subscription.next()


async def notify(database_url: str, channel: str, payload: str) -> None:
    async with await psycopg.AsyncConnection.connect(
        libpq_url(database_url), autocommit=True
    ) as connection:
        await connection.execute("SELECT pg_notify(%s, %s)", (channel, payload))


def test_only_postgresql_urls_are_accepted() -> None:
    assert (
        libpq_url("postgresql+psycopg://u:p@db:5432/line?options=-csearch_path%3Ds")
        == "postgresql://u:p@db:5432/line?options=-csearch_path%3Ds"
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        PgNotifyRelay(LiveBus(), "sqlite:///line.db")


def test_a_message_too_large_for_notify_becomes_a_reload_notice() -> None:
    fits = LiveMessage("queue", {"name": "Иванов"})
    assert json.loads(encode("me", fits)) == {"o": "me", "t": "queue", "p": {"name": "Иванов"}}
    too_large = LiveMessage("queue", {"name": "я" * (MAX_NOTIFY_BYTES // 2)})  # 2 bytes each
    assert json.loads(encode("me", too_large)) == {"o": "me", "t": "queue", "reload": True}


async def test_message_reaches_the_other_process_once_and_never_comes_back(
    two: tuple[Process, Process],
) -> None:
    a, b = two
    async with a.bus.subscribe() as on_a, b.bus.subscribe() as on_b:
        a.bus.publish("queue", {"waiting": 2, "caller": "Пётр"})
        received = await next_message(on_b)
        assert received == LiveMessage("queue", {"waiting": 2, "caller": "Пётр"})
        # A marker from B, sent after B got the message: anything echoed back to A (A's own
        # notification, or B sending on what it received) would reach A before it.
        b.bus.publish("operators", {"marker": True})
        assert (await next_message(on_a)).payload == {"waiting": 2, "caller": "Пётр"}  # local
        assert await next_message(on_a) == LiveMessage("operators", {"marker": True})
        assert (await next_message(on_b)).topic == "operators"  # B's own, locally
        assert on_a.queue.empty()
        assert on_b.queue.empty()


async def test_large_payload_arrives_as_a_reload_notice(two: tuple[Process, Process]) -> None:
    a, b = two
    async with b.bus.subscribe("calls") as on_b:
        a.bus.publish("calls", {"rows": ["звонок"] * 2000})
        assert await next_message(on_b) == LiveMessage("calls", RELOAD_PAYLOAD)


async def test_stop_cleans_up(two: tuple[Process, Process], database_url: str) -> None:
    a, b = two
    await a.relay.stop()
    assert a.bus.forwarders == 0
    assert not a.relay.connected
    async with b.bus.subscribe() as on_b, a.bus.subscribe() as on_a:
        a.bus.publish("queue", {"after_stop": True})  # local only now
        assert (await next_message(on_a)).payload == {"after_stop": True}
        await notify(database_url, b.relay.channel, json.dumps({"o": "x", "t": "t", "p": {}}))
        assert await next_message(on_b) == LiveMessage("t", {})  # nothing from A before it
        assert on_a.queue.empty()  # A no longer listens
    await a.relay.stop()  # twice: harmless


async def test_malformed_notifications_are_ignored(
    two: tuple[Process, Process], database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, b = two
    async with b.bus.subscribe() as on_b:
        for junk in ("not json", "[]", json.dumps({"o": "x", "t": "t", "p": [1]})):
            await notify(database_url, b.relay.channel, junk)
        await notify(database_url, b.relay.channel, json.dumps({"o": "x", "t": "ok", "p": {}}))
        assert await next_message(on_b) == LiveMessage("ok", {})
    assert caplog.text.count("malformed") == 6  # 3 each, on A and on B


async def test_reconnects_after_the_connection_is_killed_and_logs_once(
    two: tuple[Process, Process], database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = two
    caplog.set_level(logging.INFO, logger="ami.pg_relay")
    async with await psycopg.AsyncConnection.connect(
        libpq_url(database_url), autocommit=True
    ) as connection:
        cursor = await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (b.relay.application_name,),
        )
        assert len(await cursor.fetchall()) == 2
    async with b.bus.subscribe() as on_b, asyncio.timeout(WAIT_S):
        # Messages sent while B is reconnecting are lost: send until one gets through.
        n = 0
        while True:
            n += 1
            a.bus.publish("queue", {"n": n})
            try:
                received = await next_message(on_b, timeout=0.2)
            except TimeoutError:
                continue
            if "n" in received.payload:
                break
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()
    assert "is back" in caplog.text


class _Attempts(logging.Handler):
    def __init__(self, wanted: int) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.enough = asyncio.Event()
        self._wanted = wanted

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if len(self.records) >= self._wanted:
            self.enough.set()


async def test_database_down_never_blocks_the_local_bus_and_warns_once() -> None:
    bus = LiveBus()
    relay = PgNotifyRelay(bus, DOWN_URL, backoff=(0.01,))
    logger = logging.getLogger("ami.pg_relay")
    attempts = _Attempts(wanted=3)
    logger.addHandler(attempts)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        await relay.start()
        async with bus.subscribe() as local:
            for n in range(5):
                bus.publish("queue", {"n": n})
            assert [(await next_message(local)).payload["n"] for _ in range(5)] == list(range(5))
        async with asyncio.timeout(WAIT_S):
            await attempts.enough.wait()
        assert not relay.connected
        assert relay.dropped == 5
    finally:
        await relay.stop()
        logger.removeHandler(attempts)
        logger.setLevel(old_level)
    levels = [record.levelno for record in attempts.records]
    assert levels.count(logging.WARNING) == 1
    assert levels[0] == logging.WARNING
