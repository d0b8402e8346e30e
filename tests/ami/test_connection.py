"""The AMI link survives what panoramisk 1.4 does not (docs/asterisk.md §7), over real
loopback sockets against ``fake_ami``: no mocks, no sleeps — every wait has a timeout."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from ami.connection import (
    AmiActionError,
    AmiConnection,
    AmiDisconnectedError,
    AmiInvalidActionError,
    AmiMessage,
    AmiNotConnectedError,
    ConnectionState,
    ConnectionStatus,
    Utf8SafeAmiProtocol,
)
from consult_line.health import Probes, check
from consult_line.wiring import Services
from models.settings import Settings
from tests.ami.fake_ami import (
    ORIGINATE_ACCEPTED_ONLY,
    SECRET,
    USERNAME,
    FakeAmi,
    Reply,
    capture_events,
    format_message,
    originate_reply,
)

WAIT_S = 5.0
T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
FAST_BACKOFF = (0.01, 0.02, 0.05)


class Recorder:
    """What the connection hands to the application, waitable."""

    def __init__(self) -> None:
        self.events: list[AmiMessage] = []
        self.logins = 0
        self.statuses: list[ConnectionStatus] = []
        self.fail_on: set[str] = set()
        self._changed = asyncio.Event()

    async def on_event(self, message: AmiMessage) -> None:
        self.record(message)
        if message.get("Event") in self.fail_on:
            raise RuntimeError(f"handler bug on {message.get('Event')}")

    def on_sync_event(self, message: AmiMessage) -> None:
        self.record(message)
        if message.get("Event") in self.fail_on:
            raise RuntimeError(f"handler bug on {message.get('Event')}")

    def record(self, message: AmiMessage) -> None:
        self.events.append(message)
        self._changed.set()

    async def on_login(self) -> None:
        self.logins += 1
        self._changed.set()

    def on_status(self, status: ConnectionStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    def names(self) -> list[str]:
        return [str(event.get("Event")) for event in self.events]

    async def wait(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT_S):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    async def wait_event(self, name: str, count: int = 1) -> AmiMessage:
        await self.wait(lambda: self.names().count(name) >= count)
        return [event for event in self.events if event.get("Event") == name][count - 1]

    async def wait_logins(self, count: int) -> None:
        await self.wait(lambda: self.logins >= count)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    async with FakeAmi() as server:
        yield server


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@asynccontextmanager
async def connected(
    fake: FakeAmi, recorder: Recorder, *, secret: str = SECRET, **options: Any
) -> AsyncIterator[AmiConnection]:
    options.setdefault("backoff", FAST_BACKOFF)
    options.setdefault("on_event", recorder.on_event)
    options.setdefault("on_login", recorder.on_login)
    options.setdefault("on_status", recorder.on_status)
    connection = AmiConnection(
        host="127.0.0.1", port=fake.port, username=USERNAME, secret=secret, **options
    )
    async with connection:
        yield connection


async def logged_in(connection: AmiConnection, recorder: Recorder, count: int = 1) -> None:
    await recorder.wait_logins(count)
    assert connection.state is ConnectionState.LOGGED_IN


# --------------------------------------------------------------------------- login


async def test_login_sends_credentials_and_calls_on_login(
    fake: FakeAmi, recorder: Recorder
) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        login = fake.actions("Login")[0]
        assert (login["Username"], login["Secret"], login["Events"]) == (USERNAME, SECRET, "on")
        status = connection.status()
        assert status["state"] == "logged_in"
        assert status["label"] == "Связь с Asterisk есть"
        assert (status["logins"], status["reconnects"], status["last_error"]) == (1, 0, None)
        # FullyBooted arrives with the login, and reaches the application like any event.
        await recorder.wait_event("FullyBooted")
    assert connection.state is ConnectionState.DISCONNECTED


async def test_wrong_secret_is_not_logged_in_and_keeps_retrying(
    fake: FakeAmi, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    async with connected(fake, recorder, secret="wrong") as connection:
        await fake.wait_for(lambda: len(fake.actions("Login")) >= 3)
        [refused] = link_lines(caplog)  # one line for three refused logins
        assert "Authentication failed" in refused
        assert connection.state is not ConnectionState.LOGGED_IN
        assert recorder.logins == 0
        with pytest.raises(AmiNotConnectedError):
            await connection.send({"Action": "Ping"})
        assert any("Authentication failed" in (s.last_error or "") for s in recorder.statuses)


async def test_ping_action_round_trip(fake: FakeAmi, recorder: Recorder) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        reply = await connection.send({"Action": "Ping"})
        assert reply["Ping"] == "Pong"


async def test_header_with_line_break_is_refused_before_sending(
    fake: FakeAmi, recorder: Recorder
) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        with pytest.raises(AmiInvalidActionError):
            await connection.send(
                {"Action": "QueuePause", "Interface": "PJSIP/201\r\nAction: Hangup"}
            )
        await connection.send({"Action": "Ping"})
        assert [a.name for a in fake.received] == ["Login", "Ping"]


# --------------------------------------------------------------------------- events


async def test_capture_events_reach_on_event_in_order(fake: FakeAmi, recorder: Recorder) -> None:
    raw = capture_events("a-answered")
    expected = [
        block.split(b"\r\n", 1)[0][len(b"Event: ") :].decode()
        for block in raw.split(b"\r\n\r\n")
        if block
    ]
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        await recorder.wait_event("FullyBooted")
        await fake.push(raw)
        await recorder.wait(lambda: len(recorder.events) >= 1 + len(expected))
        assert recorder.names()[1:] == expected
        assert "OriginateResponse" in expected  # no Originate of ours: passed on untouched
        assert connection.snapshot.events_received == 1 + len(expected)


@pytest.mark.parametrize("handler_kind", ["async", "sync"])
async def test_handler_that_raises_keeps_connection_and_next_event(
    fake: FakeAmi, recorder: Recorder, handler_kind: str
) -> None:
    """panoramisk drops the link when a handler raises inside data_received and loses the
    rest of the chunk (docs/asterisk.md §7): both events go out in one write here."""
    recorder.fail_on.add("Newchannel")
    on_event = recorder.on_event if handler_kind == "async" else recorder.on_sync_event
    async with connected(fake, recorder, on_event=on_event) as connection:
        await logged_in(connection, recorder)
        chunk = format_message({"Event": "Newchannel", "Channel": "PJSIP/trunk-1"})
        chunk += format_message({"Event": "Newstate", "Channel": "PJSIP/trunk-1"})
        await fake.push(chunk)
        await fake.push_event("Hangup", Channel="PJSIP/trunk-1")
        await recorder.wait_event("Hangup")
        assert recorder.names()[-3:] == ["Newchannel", "Newstate", "Hangup"]
        assert connection.snapshot.handler_failures == 1
        assert connection.state is ConnectionState.LOGGED_IN
        assert fake.connections_accepted == 1
        assert recorder.logins == 1


async def test_failing_on_login_is_counted_and_events_still_flow(fake: FakeAmi) -> None:
    recorder = Recorder()

    async def broken_login() -> None:
        await recorder.on_login()
        raise RuntimeError("resync bug")

    async with connected(fake, recorder, on_login=broken_login) as connection:
        await logged_in(connection, recorder)
        await fake.push_event("Newchannel", Channel="PJSIP/trunk-1")
        await recorder.wait_event("Newchannel")
        assert connection.snapshot.handler_failures == 1
        assert connection.state is ConnectionState.LOGGED_IN


async def test_consumer_far_behind_drops_the_link_and_keeps_what_was_queued(
    fake: FakeAmi, recorder: Recorder, db_engine: Engine
) -> None:
    """The event queue is bounded: at ``event_limit`` events waiting the link is dropped on
    purpose (what Asterisk sends after that is for the next login's resync); the events
    already queued are handled, in order, and /health says the consumer is behind."""
    released = asyncio.Event()
    now = [T0]

    async def slow(message: AmiMessage) -> None:
        recorder.record(message)
        if message.get("Event") == "Stuck":
            await released.wait()

    async with connected(
        fake, recorder, on_event=slow, event_limit=3, clock=lambda: now[0]
    ) as connection:
        await logged_in(connection, recorder)
        await recorder.wait_event("FullyBooted")
        await fake.push_event("Stuck")
        await recorder.wait_event("Stuck")  # the consumer is held up on it
        now[0] = T0 + timedelta(seconds=12)
        await fake.push(b"".join(format_message({"Event": f"E{n}"}) for n in range(1, 6)))
        await fake.wait_connections(2)  # E4 did not fit: the link was dropped
        status = connection.status()
        assert (status["event_overflows"], status["events_dropped"]) == (1, 2)  # E4, E5
        assert (status["events_oldest_s"], status["events_behind"]) == (12.0, True)
        services = Services(
            settings=Settings(database_url=db_engine.url.render_as_string(hide_password=False)),
            engine=db_engine,
            clock=lambda: T0,
        )
        warnings = check(services, Probes(ami=connection.status)).warnings
        [behind] = [warning for warning in warnings if "отставанием" in warning]
        assert "самое старое ждёт 12 с" in behind
        released.set()
        await logged_in(connection, recorder, count=2)
        await fake.push_event("E6")
        await recorder.wait_event("E6")
        assert recorder.names()[recorder.names().index("Stuck") :] == [
            "Stuck", "E1", "E2", "E3", "FullyBooted", "E6",
        ]  # fmt: skip
        assert connection.status()["events_behind"] is False


async def test_cyrillic_name_split_inside_a_character_arrives_whole(
    fake: FakeAmi, recorder: Recorder
) -> None:
    raw = format_message({"Event": "Newchannel", "CallerIDName": "Жанна Иванова"})
    cut = raw.index("Ж".encode()) + 1  # between the two bytes of "Ж"
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        await fake.push_split(raw, cut)
        await connection.send({"Action": "Ping"})  # releases the second half
        event = await recorder.wait_event("Newchannel")
        assert event["CallerIDName"] == "Жанна Иванова"


async def test_protocol_joins_a_character_split_across_reads() -> None:
    """The same one level down, deterministic: two data_received calls on our protocol."""
    received: list[AmiMessage] = []

    class Factory:
        save_stream = None

        def dispatch(self, message: AmiMessage) -> None:
            received.append(message)

    protocol = Utf8SafeAmiProtocol()
    protocol.connection_made(_NullTransport())
    protocol.factory = Factory()
    protocol.encoding = "utf8"
    raw = format_message({"Event": "Newchannel", "CallerIDName": "Жанна"})
    cut = raw.index("Ж".encode()) + 1
    protocol.data_received(raw[:cut])
    protocol.data_received(raw[cut:])
    assert [m["CallerIDName"] for m in received] == ["Жанна"]


# --------------------------------------------------------------------------- faults


async def test_dead_peer_is_detected_by_ping_watchdog_and_reconnected(
    fake: FakeAmi, recorder: Recorder
) -> None:
    async with connected(fake, recorder, ping_interval_s=0.05, ping_timeout_s=0.2) as connection:
        await logged_in(connection, recorder)
        fake.go_silent()
        await logged_in(connection, recorder, count=2)
        assert fake.connections_accepted == 2
        assert fake.logins == 2
        status = connection.snapshot
        assert status.reconnects == 1
        assert [s.retry_in_s for s in recorder.statuses if s.retry_in_s] == [FAST_BACKOFF[0]]
        downs = [s for s in recorder.statuses if s.state is ConnectionState.DISCONNECTED]
        assert downs
        assert "Ping" in (downs[0].last_error or "")
        # the new link works
        assert (await connection.send({"Action": "Ping"}))["Ping"] == "Pong"


async def test_reset_in_the_middle_of_an_event_discards_the_half(
    fake: FakeAmi, recorder: Recorder
) -> None:
    event = format_message(
        {"Event": "Newchannel", "Channel": "PJSIP/trunk-1", "CallerIDName": "Обрыв"}
    )
    half = event[: event.index("Обрыв".encode()) + 3]  # up to the middle of "б"
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        await fake.reset(partial=half)
        with pytest.raises(AmiDisconnectedError):
            await connection.send({"Action": "Ping"})  # the fake reads it, then aborts
        await logged_in(connection, recorder, count=2)
        await fake.push_event("Newchannel", Channel="PJSIP/trunk-2", CallerIDName="Пётр")
        await fake.push_event("Hangup", Channel="PJSIP/trunk-2")
        await recorder.wait_event("Hangup")
        newchannels = [e for e in recorder.events if e.get("Event") == "Newchannel"]
        assert [(e["Channel"], e["CallerIDName"]) for e in newchannels] == [
            ("PJSIP/trunk-2", "Пётр")
        ]
        assert all("Обрыв" not in str(dict(e)) for e in recorder.events)


async def test_asterisk_shutdown_event_reconnects(fake: FakeAmi, recorder: Recorder) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        await fake.push_event("Shutdown", Shutdown="Cleanly", Restart="True")
        await logged_in(connection, recorder, count=2)
        downs = [s for s in recorder.statuses if s.state is ConnectionState.DISCONNECTED]
        assert downs[0].last_error == "Asterisk shutdown (Cleanly)"
        assert "Shutdown" in recorder.names()


def recorded_connection(port: int, recorder: Recorder) -> AmiConnection:
    """A connection to the loopback port whose events and states ``recorder`` keeps."""
    return AmiConnection(
        host="127.0.0.1",
        port=port,
        username=USERNAME,
        secret=SECRET,
        on_event=recorder.on_event,
        on_login=recorder.on_login,
        on_status=recorder.on_status,
        backoff=FAST_BACKOFF,
    )


def link_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the log said of the link at WARNING and above (retries must not add lines)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("ami.connection") and record.levelno >= logging.WARNING
    ]


async def test_asterisk_down_at_start_keeps_retrying_then_logs_in(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ami.connection")
    fake = await FakeAmi().start()
    port = fake.port
    await fake.stop()
    connection = recorded_connection(port, recorder)
    async with connection:  # start() raises nothing
        await recorder.wait(lambda: connection.snapshot.connect_failures >= 4)
        assert connection.state is ConnectionState.DISCONNECTED
        assert "ConnectionRefusedError" in (connection.snapshot.last_error or "")
        delays = [s.retry_in_s for s in recorder.statuses if s.connect_failures][:4]
        assert delays == [0.01, 0.02, 0.05, 0.05]  # the backoff, then its last step
        with pytest.raises(AmiNotConnectedError):
            await connection.send({"Action": "Ping"})
        # four refused attempts, one line: the state is logged once per change, not per retry
        [down] = link_lines(caplog)
        assert "нет связи с Asterisk" in down
        assert "ConnectionRefusedError" in down
        await fake.start(port=port)
        try:
            await logged_in(connection, recorder)
            assert connection.snapshot.last_error is None
            assert connection.snapshot.retry_in_s is None
            assert link_lines(caplog)[1:] == [
                f"AMI: связь с Asterisk 127.0.0.1:{port} восстановлена"
            ]
        finally:
            await fake.stop()


async def test_stop_ends_reconnection(fake: FakeAmi, recorder: Recorder) -> None:
    async with connected(fake, recorder, backoff=(0,)) as connection:
        await logged_in(connection, recorder)
    assert connection.status()["last_error"] == "stopped"
    # With a zero backoff a reconnect would come at the next loop turn, long before a whole
    # second client has connected and logged in.
    async with connected(fake, Recorder()) as other:
        await other.wait_logged_in(WAIT_S)
    assert fake.connections_accepted == 2
    assert fake.logins == 2


# --------------------------------------------------------------------------- Originate


async def test_originate_carries_async_and_channel_id_and_resolves_by_it(
    fake: FakeAmi, recorder: Recorder
) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        handle = await connection.originate(
            channel="PJSIP/201",
            context="consult-line-callback",
            exten="s",
            variables={"CALLBACK_TASK_ID": "42"},
        )
        outcome = await asyncio.wait_for(handle.outcome, WAIT_S)
        sent = fake.actions("Originate")[0]
        assert sent["Async"] == "true"
        assert sent["ChannelId"] == handle.channel_id
        assert len(handle.channel_id) == 36  # a uuid
        assert (sent["Channel"], sent["Context"], sent["Exten"], sent["Priority"]) == (
            "PJSIP/201",
            "consult-line-callback",
            "s",
            "1",
        )
        assert sent["Variable"] == "CALLBACK_TASK_ID=42"
        assert outcome.success
        assert outcome.reason == 4
        assert outcome.uniqueid == handle.channel_id
        # the application sees the OriginateResponse too
        event = await recorder.wait_event("OriginateResponse")
        assert event["Uniqueid"] == handle.channel_id

        handle = await connection.originate(
            channel="PJSIP/202", context="c", exten="s", channel_id="given-id-1"
        )
        assert fake.actions("Originate")[1]["ChannelId"] == "given-id-1"
        assert (await asyncio.wait_for(handle.outcome, WAIT_S)).channel_id == "given-id-1"


async def test_originate_failure_outcome_and_refusal(fake: FakeAmi, recorder: Recorder) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        fake.reply("Originate", originate_reply(response="Failure", reason="3"))
        handle = await connection.originate(channel="PJSIP/201", context="c", exten="s")
        outcome = await asyncio.wait_for(handle.outcome, WAIT_S)
        assert (outcome.success, outcome.reason) == (False, 3)
        fake.reply("Originate", Reply(response="Error", message="Originate failed"))
        with pytest.raises(AmiActionError, match="Originate failed"):
            await connection.originate(channel="PJSIP/201", context="c", exten="s")


async def test_originate_dropped_before_reply_fails_and_is_never_resent(
    fake: FakeAmi, recorder: Recorder
) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        fake.drop_on("Originate")
        with pytest.raises(AmiDisconnectedError):
            await asyncio.wait_for(
                connection.originate(channel="PJSIP/201", context="c", exten="s"), WAIT_S
            )
        await logged_in(connection, recorder, count=2)
        # FullyBooted came with the new login: panoramisk would re-send awaiting actions now.
        # A Ping round trip after it orders the stream: any re-sent Originate would precede it.
        await connection.send({"Action": "Ping"})
        assert len(fake.actions("Originate")) == 1
        assert [a.connection for a in fake.received if a.name == "Ping"] == [2]


async def test_originate_accepted_then_link_lost_fails_its_outcome(
    fake: FakeAmi, recorder: Recorder
) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        fake.reply("Originate", ORIGINATE_ACCEPTED_ONLY)
        handle = await connection.originate(channel="PJSIP/201", context="c", exten="s")
        await fake.reset()
        with pytest.raises(AmiDisconnectedError):
            await asyncio.wait_for(handle.outcome, WAIT_S)
        await logged_in(connection, recorder, count=2)
        await connection.send({"Action": "Ping"})
        assert len(fake.actions("Originate")) == 1


async def test_action_in_flight_when_link_drops_fails_and_is_not_replayed(
    fake: FakeAmi, recorder: Recorder
) -> None:
    """panoramisk would re-send a QueuePause after the next FullyBooted; ours fails it."""
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        fake.drop_on("QueuePause")
        with pytest.raises(AmiDisconnectedError):
            await connection.send(
                {"Action": "QueuePause", "Interface": "PJSIP/201", "Paused": "true"}
            )
        await logged_in(connection, recorder, count=2)
        await connection.send({"Action": "Ping"})
        assert len(fake.actions("QueuePause")) == 1


async def test_queued_replies_do_not_break_the_link(fake: FakeAmi, recorder: Recorder) -> None:
    """'Atxfer successfully queued' and 'Added interface to queue' make panoramisk 1.4 read a
    missing Async header (link dropped) or wait for a list forever (issue #54)."""
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        reply = await connection.send(
            {"Action": "Atxfer", "Channel": "PJSIP/201-1", "Exten": "2002", "Context": "c"}
        )
        assert reply["Message"] == "Atxfer successfully queued"
        reply = await connection.send(
            {"Action": "QueueAdd", "Queue": "consult-line", "Interface": "PJSIP/201"}
        )
        assert reply["Message"] == "Added interface to queue"
        assert fake.connections_accepted == 1


async def test_list_actions_return_the_events(fake: FakeAmi, recorder: Recorder) -> None:
    async with connected(fake, recorder) as connection:
        await logged_in(connection, recorder)
        messages = await connection.send_list({"Action": "QueueStatus"})
        assert [m.get("Event", "") for m in messages] == ["", "QueueParams", "QueueStatusComplete"]
        messages = await connection.send_list({"Action": "CoreShowChannels"})
        assert messages[-1]["Event"] == "CoreShowChannelsComplete"
        # list events carry the ActionID: consumed by the action, not passed to on_event
        assert "QueueParams" not in recorder.names()


# --------------------------------------------------------------------------- helpers


class _NullTransport(asyncio.Transport):
    def write(self, data: bytes | bytearray | memoryview) -> None:
        pass


async def test_asterisk_stopping_then_refusing_is_one_warning(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    # Seen on a real restart: "Shutdown" then refused connections are two reasons of one
    # outage; the log warns once, then once more when the link is back.
    caplog.set_level(logging.INFO, logger="ami.connection")
    fake = await FakeAmi().start()
    port = fake.port
    connection = recorded_connection(port, recorder)
    async with connection:
        await logged_in(connection, recorder)
        await fake.push_event("Shutdown", Shutdown="Cleanly", Restart="True")
        await fake.stop()
        await recorder.wait(lambda: connection.snapshot.connect_failures >= 2)
        [down] = link_lines(caplog)
        assert "Asterisk shutdown (Cleanly)" in down
        infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        assert any("ConnectionRefusedError" in line for line in infos)
        await fake.start(port=port)
        try:
            await logged_in(connection, recorder, count=2)
            assert link_lines(caplog)[1:] == [
                f"AMI: связь с Asterisk 127.0.0.1:{port} восстановлена"
            ]
        finally:
            await fake.stop()
