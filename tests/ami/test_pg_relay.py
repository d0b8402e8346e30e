"""Two processes' live buses joined through PostgreSQL LISTEN/NOTIFY.

Each "process" is a LiveBus with its own PgNotifyRelay, on a channel of its own per test. The
tests that need PostgreSQL run when TEST_DATABASE_URL is set (the CI sets it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

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


async def test_a_full_outbox_marks_what_it_dropped_for_reload_before_newer_messages(
    database_url: str, channel: str
) -> None:
    a = Process(database_url, channel)
    a.relay = PgNotifyRelay(a.bus, database_url, channel=channel, backoff=(0.05,), queue_size=3)
    b = Process(database_url, channel)
    for process in (a, b):
        await process.relay.start()
    try:
        async with asyncio.timeout(WAIT_S):
            await a.relay.wait_connected()
            await b.relay.wait_connected()
        async with b.bus.subscribe() as on_b:
            # One burst, no await in between: the sender cannot take anything meanwhile.
            a.bus.publish("callbacks", {"kind": "attempt", "task_id": 7})
            for n in range(6):
                a.bus.publish("queue", {"n": n})
            received = [await next_message(on_b) for _ in range(5)]
        # Lost: the callbacks event and queue 0-2; they are reloaded, then queue 3-5 in order.
        assert received == [
            LiveMessage("callbacks", RELOAD_PAYLOAD),
            LiveMessage("queue", RELOAD_PAYLOAD),
            LiveMessage("queue", {"n": 3}),
            LiveMessage("queue", {"n": 4}),
            LiveMessage("queue", {"n": 5}),
        ]
        assert a.relay.dropped == 4
    finally:
        await a.relay.stop()
        await b.relay.stop()


class HoldingProxy:
    """A loopback TCP proxy to PostgreSQL that can hold what the client sends and cut every
    connection: a network that stalls, then breaks."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.held = asyncio.Event()
        self.held.set()  # set = forwarding
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers += [writer, up_writer]

        async def pipe(
            source: asyncio.StreamReader, sink: asyncio.StreamWriter, gated: bool
        ) -> None:
            while data := await source.read(65536):
                if gated:
                    await self.held.wait()
                sink.write(data)
                await sink.drain()

        with contextlib.suppress(ConnectionError, OSError):
            await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))

    def hold(self) -> None:
        self.held.clear()

    def cut_and_release(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()
        self.held.set()

    async def stop(self) -> None:
        self.cut_and_release()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def test_messages_queued_before_an_outage_are_never_sent_after_it(
    database_url: str, channel: str
) -> None:
    # The network to PostgreSQL stalls while messages are queued, then breaks. Before, the
    # queued messages went out after the reconnect, after the reload notices: other processes
    # applied older snapshots last. Now they are reloaded, and only newer messages follow.
    target = make_url(database_url)
    proxy = HoldingProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    via_proxy = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    a = Process(via_proxy, channel)
    b = Process(database_url, channel)
    for process in (a, b):
        await process.relay.start()
    try:
        async with asyncio.timeout(WAIT_S):
            await a.relay.wait_connected()
            await b.relay.wait_connected()
        async with b.bus.subscribe() as on_b:
            a.bus.publish("queue", {"n": 0})
            assert await next_message(on_b) == LiveMessage("queue", {"n": 0})
            proxy.hold()
            for n in (1, 2, 3):
                a.bus.publish("queue", {"n": n})
            for _ in range(10):
                await asyncio.sleep(0)  # the sender takes n=1; its bytes are held
            proxy.cut_and_release()
            assert await next_message(on_b) == LiveMessage("queue", RELOAD_PAYLOAD)
            async with asyncio.timeout(WAIT_S):
                await a.relay.wait_connected()
            a.bus.publish("queue", {"n": 4})
            assert await next_message(on_b) == LiveMessage("queue", {"n": 4})
            assert on_b.queue.empty()
    finally:
        await a.relay.stop()
        await b.relay.stop()
        await proxy.stop()
