"""AgiServer over real loopback sockets: routing, the one error path, limits, bad peers, stop,
and replays of the real Asterisk transcripts in ``tests/fixtures/asterisk/``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from ivr.agi.channel import AgiChannel, ChannelHungUp
from ivr.agi.server import AgiServer, Route
from ivr.variables import LINE_AGI_DONE, LINE_AGI_FAILED, LINE_ROUTE, ROUTE_QUEUE
from tests.ivr.fake_asterisk import (
    DEAD_CHANNEL,
    FakeCall,
    RawPeer,
    capture_dialogue,
    capture_environment,
    environment_block,
    run_call,
)

FAILED = {LINE_AGI_FAILED: "1"}
FAILSAFE_LINE = 'SET VARIABLE LINE_AGI_FAILED "1"'
DONE = {LINE_AGI_DONE: "1"}  # a route that returned: the dialplan may go on
DONE_LINE = 'SET VARIABLE LINE_AGI_DONE "1"'


def entry_env(script: str = "entry") -> dict[str, str]:
    return capture_environment(
        "x-full-flow-ivr-queue-survey", agi_network_script=script, args=["1795867285.0"]
    )


class LogWatch(logging.Handler):
    """Collects the server's log records; tests wait on them instead of sleeping."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self._changed.set()

    async def wait_for(
        self, predicate: Callable[[logging.LogRecord], bool], timeout_s: float = 5.0
    ) -> logging.LogRecord:
        async with asyncio.timeout(timeout_s):
            while True:
                for record in self.records:
                    if predicate(record):
                        return record
                self._changed.clear()
                await self._changed.wait()

    def about(self, text: str) -> list[logging.LogRecord]:
        return [record for record in self.records if text in record.getMessage()]

    def at_least(self, level: int) -> list[logging.LogRecord]:
        return [record for record in self.records if record.levelno >= level]


@pytest.fixture
def logs() -> Iterator[LogWatch]:
    watch = LogWatch()
    logger = logging.getLogger("ivr.agi")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(watch)
    yield watch
    logger.removeHandler(watch)
    logger.setLevel(level)


@asynccontextmanager
async def running(routes: dict[str, Route], **options: Any) -> AsyncIterator[AgiServer]:
    server = AgiServer(routes, host="127.0.0.1", port=0, **options)
    await server.start()
    try:
        yield server
    finally:
        await server.stop(drain_timeout_s=1.0)


@asynccontextmanager
async def heartbeat() -> AsyncIterator[list[int]]:
    """A task that counts every turn of the event loop."""
    ticks = [0]

    async def beat() -> None:
        while True:
            ticks[0] += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(beat())
    try:
        yield ticks
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def sets_route(channel: AgiChannel) -> None:
    await channel.set_variable(LINE_ROUTE, ROUTE_QUEUE)


# --------------------------------------------------------------------------- routing


async def test_route_is_chosen_by_script_and_sees_the_environment() -> None:
    seen: list[tuple[str, tuple[str, ...], str]] = []

    async def entry(channel: AgiChannel) -> None:
        seen.append((channel.env.route, channel.env.args, channel.env.dnid))
        await channel.answer()
        await sets_route(channel)

    async with running({"entry": entry, "survey": sets_route}) as server:
        record = await run_call(server.port, entry_env(), FakeCall())
    assert seen == [("entry", ("1795867285.0",), "78722678091")]
    assert record.commands == ["ANSWER", 'SET VARIABLE LINE_ROUTE "queue"', DONE_LINE]
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}
    assert record.closed_by_server
    assert record.hangup_lines_sent == 1  # Asterisk's HANGUP after the server's half-close


async def test_unknown_route_sets_line_agi_failed(logs: LogWatch) -> None:
    async with running({"entry": sets_route}) as server:
        record = await run_call(server.port, entry_env("no-such-route"), FakeCall())
    assert record.commands == [FAILSAFE_LINE]
    assert record.variables_set == FAILED
    [error] = logs.at_least(logging.ERROR)
    assert "no-such-route" in error.getMessage()
    assert "1795867285.0" in error.getMessage()


async def test_empty_script_is_an_unknown_route() -> None:
    env = entry_env()
    del env["agi_network_script"]
    async with running({"entry": sets_route}) as server:
        record = await run_call(server.port, env, FakeCall())
    assert record.variables_set == FAILED


async def test_route_raising_sets_line_agi_failed_and_logs_route_and_uniqueid(
    logs: LogWatch,
) -> None:
    async def broken(channel: AgiChannel) -> None:
        await channel.answer()
        raise RuntimeError("database is down")

    async with running({"entry": broken}) as server:
        record = await run_call(server.port, entry_env(), FakeCall())
    assert record.commands == ["ANSWER", FAILSAFE_LINE]
    assert record.variables_set == FAILED
    [error] = logs.at_least(logging.ERROR)
    assert "route=entry" in error.getMessage()
    assert "uniqueid=1795867285.0" in error.getMessage()
    assert error.exc_info is not None


async def test_caller_hanging_up_ends_the_session_quietly(logs: LogWatch) -> None:
    async def menu(channel: AgiChannel) -> None:
        await channel.answer()
        await channel.get_data("menu", 5000, 1)
        await sets_route(channel)

    async with running({"entry": menu}) as server:
        record = await run_call(server.port, entry_env(), FakeCall(hang_up_after=1))
    # result=-1 is a hang-up or a missing sound: CHANNEL STATUS (511 here) tells them apart
    assert record.commands == ["ANSWER", "GET DATA menu 5000 1", "CHANNEL STATUS"]
    assert record.variables_set == {}
    assert logs.at_least(logging.WARNING) == []
    assert [r.levelno for r in logs.about("the caller hung up")] == [logging.INFO]
    assert record.hangup_lines_sent == 2  # at the hang-up, and again when the session ends


async def test_caller_gone_before_the_first_command_without_sighup_gets_511() -> None:
    async def menu(channel: AgiChannel) -> None:
        await channel.answer()

    async with running({"entry": menu}) as server:
        call = FakeCall(hang_up_after=0, sighup=False)
        record = await run_call(server.port, entry_env(), call)
    assert record.transcript[:2] == [
        ">> ANSWER",
        "<< 511 Command Not Permitted on a dead channel or intercept routine",
    ]
    assert record.variables_set == {}


async def test_caller_name_with_newline_never_produces_a_second_command_line() -> None:
    async def copies_name(channel: AgiChannel) -> None:
        await channel.set_variable("CALLER_NAME", 'Ivan"\nEXEC Dial PJSIP/premium')

    async with running({"entry": copies_name}) as server:
        record = await run_call(server.port, entry_env(), FakeCall())
    assert record.commands == [FAILSAFE_LINE]
    assert record.variables_set == FAILED


async def test_caller_name_with_quotes_is_stored_exactly() -> None:
    name = 'Ivan" EXEC Dial PJSIP/premium \\'

    async def copies_name(channel: AgiChannel) -> None:
        await channel.set_variable("CALLER_NAME", name)

    async with running({"entry": copies_name}) as server:
        record = await run_call(server.port, entry_env(), FakeCall())
    assert len(record.commands) == 2  # the variable, then the server's done mark
    assert record.variables_set == {"CALLER_NAME": name, **DONE}


# --------------------------------------------------------------------------- limits


async def test_over_the_session_cap_the_route_is_not_run_and_line_agi_failed_is_set(
    logs: LogWatch,
) -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    runs = 0

    async def slow(channel: AgiChannel) -> None:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()
        await sets_route(channel)

    async with running({"entry": slow}, max_sessions=1) as server:
        first = asyncio.create_task(run_call(server.port, entry_env(), FakeCall()))
        await started.wait()
        assert server.active_sessions == 1
        second = await run_call(server.port, entry_env(), FakeCall())
        release.set()
        first_record = await first
        assert server.active_sessions == 0
    assert runs == 1
    assert second.commands == [FAILSAFE_LINE]
    assert first_record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}
    assert len(logs.about("over the cap")) == 1


async def test_allow_list_refuses_other_sources(logs: LogWatch) -> None:
    called = False

    async def route(channel: AgiChannel) -> None:
        nonlocal called
        called = True

    async with running({"entry": route}, allowed_sources=frozenset({"192.0.2.7"})) as server:
        peer = await RawPeer.connect(server.port)
        with contextlib.suppress(ConnectionError):
            await peer.send_environment(entry_env())
        assert await peer.read_until_eof() == []
        await peer.close()
        await logs.wait_for(lambda record: "allowed sources" in record.getMessage())
    assert not called


async def test_allow_list_admits_listed_sources() -> None:
    async with running({"entry": sets_route}, allowed_sources=frozenset({"127.0.0.1"})) as server:
        record = await run_call(server.port, entry_env(), FakeCall())
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}


async def test_allow_list_takes_networks() -> None:
    async with running({"entry": sets_route}, allowed_sources=["127.0.0.0/8"]) as server:
        record = await run_call(server.port, entry_env(), FakeCall())
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}


@pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="no dual-stack IPv6 sockets here")
async def test_on_every_address_an_ipv4_asterisk_is_admitted_by_its_ipv4_address(
    logs: LogWatch,
) -> None:
    # "::" listens on IPv4 too; the socket shows the IPv4 peer as ::ffff:127.0.0.1.
    server = AgiServer({"entry": sets_route}, host="::", port=0, allowed_sources=["127.0.0.1"])
    await server.start()
    try:
        record = await run_call(server.port, entry_env(), FakeCall(), host="127.0.0.1")
    finally:
        await server.stop(drain_timeout_s=1.0)
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}
    assert logs.about("allowed sources") == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.0.2.7"])  # noqa: S104
def test_beyond_loopback_the_server_is_not_built_without_an_allow_list(host: str) -> None:
    with pytest.raises(ValueError, match="CONSULT_LINE_AGI_ALLOWED_SOURCES пуст"):
        AgiServer({"entry": sets_route}, host=host, port=0)


async def _answers_nothing(channel: AgiChannel) -> None:
    await sets_route(channel)


async def _listens_to_nothing(channel: AgiChannel) -> None:
    await channel.get_data("beep", 100, 1)


@pytest.mark.parametrize(
    ("route", "command", "options"),
    [
        (_answers_nothing, 'SET VARIABLE LINE_ROUTE "queue"', {"reply_timeout_s": 0.2}),
        (_listens_to_nothing, "GET DATA beep 100 1", {"media_margin_s": 0.2}),
    ],
)
async def test_a_peer_that_stops_answering_frees_its_slot_long_before_the_session_limit(
    logs: LogWatch, route: Route, command: str, options: dict[str, float]
) -> None:
    async with running({"entry": route}, session_timeout_s=900.0, **options) as server:
        peer = await RawPeer.connect(server.port)
        await peer.send_environment(entry_env())
        assert await peer.read_line() == command
        assert await peer.read_until_eof() == []  # the server closed; nothing more was sent
        assert server.active_sessions == 0
        await peer.close()
    [warning] = logs.at_least(logging.WARNING)
    assert warning.levelno == logging.WARNING
    assert f"no reply to {command!r}" in warning.getMessage()


async def test_session_deadline_in_the_middle_of_a_command_sets_line_agi_failed(
    logs: LogWatch,
) -> None:
    async def asks(channel: AgiChannel) -> None:
        await channel.get_data("beep", 20000, 5)

    async with running({"entry": asks}, session_timeout_s=0.2) as server:
        peer = await RawPeer.connect(server.port)
        await peer.send_environment(entry_env())
        assert await peer.read_line() == "GET DATA beep 20000 5"
        # No reply: the caller is still thinking when the deadline passes.
        assert await peer.read_line() == FAILSAFE_LINE
        await peer.send_lines("200 result=1")
        assert await peer.read_line() is None  # the server half-closed
        await peer.close()
    assert "cut short" in logs.at_least(logging.ERROR)[0].getMessage()


async def test_stale_reply_after_the_deadline_is_not_taken_for_the_failure_reply() -> None:
    async def asks(channel: AgiChannel) -> None:
        await channel.get_data("beep", 20000, 5)

    async with running({"entry": asks}, session_timeout_s=0.2) as server:
        peer = await RawPeer.connect(server.port)
        await peer.send_environment(entry_env())
        assert await peer.read_line() == "GET DATA beep 20000 5"
        assert await peer.read_line() == FAILSAFE_LINE
        await peer.send_lines("200 result= (timeout)")  # GET DATA's late reply
        await peer.send_lines("200 result=1")
        assert await peer.read_line() is None
        await peer.close()


async def test_environment_cut_short_by_a_blank_line_in_a_value_is_not_read_as_replies(
    logs: LogWatch,
) -> None:
    called = False

    async def echo(channel: AgiChannel) -> None:
        nonlocal called
        called = True
        await channel.set_variable(LINE_ROUTE, await channel.get_variable("X") or "")

    env = entry_env()
    env["agi_calleridname"] = "Ivan\n\n200 result=1 (hangup)"
    async with running({"entry": echo}) as server:
        peer = await RawPeer.connect(server.port)
        await peer.send(environment_block(env))
        assert await peer.read_line() == FAILSAFE_LINE
        await peer.send_lines("200 result=1")
        assert await peer.read_until_eof() == []
        await peer.close()
    assert not called
    assert len(logs.about("broken environment")) == 1


# --------------------------------------------------------------------------- bad peers


async def _closes_early(peer: RawPeer) -> None:
    await peer.send(b"agi_network: yes\nagi_network_script: entry\n")
    await peer.close()


async def _sends_a_megabyte_of_garbage(peer: RawPeer) -> None:
    with contextlib.suppress(ConnectionError):
        await peer.send(b"x" * 1_000_000)


async def _sends_nothing(peer: RawPeer) -> None:
    pass


async def _sends_garbage_lines(peer: RawPeer) -> None:
    await peer.send(b"hello\nworld\n\n")


@pytest.mark.parametrize(
    ("behaviour", "message", "env_timeout_s"),
    [
        (_closes_early, "before the environment ended", 30.0),
        (_sends_a_megabyte_of_garbage, "without ending the environment", 30.0),
        (_sends_nothing, "no complete environment", 0.2),
        (_sends_garbage_lines, "garbage instead of an environment", 30.0),
    ],
)
async def test_bad_peer_costs_one_log_line_and_the_loop_keeps_ticking(
    logs: LogWatch, behaviour: Callable[[RawPeer], Any], message: str, env_timeout_s: float
) -> None:
    options = {"env_timeout_s": env_timeout_s}
    async with running({"entry": sets_route}, **options) as server, heartbeat() as ticks:
        peer = await RawPeer.connect(server.port)
        address = "{}:{}".format(*peer.writer.get_extra_info("sockname")[:2])
        before = ticks[0]
        await behaviour(peer)
        warning = await logs.wait_for(lambda record: address in record.getMessage())
        during = ticks[0]
        record = await run_call(server.port, entry_env(), FakeCall())
        after = ticks[0]
        await peer.close()
    assert message in warning.getMessage()
    assert warning.levelno == logging.WARNING
    assert logs.about(address) == [warning]
    assert logs.at_least(logging.ERROR) == []
    assert before < during < after
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}


async def test_many_bad_peers_at_once_do_not_stop_a_real_call(logs: LogWatch) -> None:
    async with running({"entry": sets_route}, env_timeout_s=5.0) as server, heartbeat() as ticks:
        peers = [await RawPeer.connect(server.port) for _ in range(20)]
        for peer in peers:
            await _closes_early(peer)
        before = ticks[0]
        record = await run_call(server.port, entry_env(), FakeCall())
        await logs.wait_for(lambda _: len(logs.about("before the environment ended")) == 20)
        assert ticks[0] > before
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}


# --------------------------------------------------------------------------- stop


async def test_stop_drains_a_running_session_then_refuses_new_ones(logs: LogWatch) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(channel: AgiChannel) -> None:
        started.set()
        await release.wait()
        await sets_route(channel)

    server = AgiServer({"entry": slow}, host="127.0.0.1", port=0)
    await server.start()
    port = server.port
    call = asyncio.create_task(run_call(port, entry_env(), FakeCall()))
    await started.wait()
    stopping = asyncio.create_task(server.stop(drain_timeout_s=30.0))
    await logs.wait_for(lambda record: "draining" in record.getMessage())
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    assert not stopping.done()
    release.set()
    record = await call
    await stopping
    assert record.variables_set == {LINE_ROUTE: ROUTE_QUEUE, **DONE}


async def test_stop_cuts_a_session_short_after_the_drain_timeout_through_the_error_path(
    logs: LogWatch,
) -> None:
    started = asyncio.Event()

    async def forever(channel: AgiChannel) -> None:
        started.set()
        await asyncio.Event().wait()

    server = AgiServer({"entry": forever}, host="127.0.0.1", port=0)
    await server.start()
    call = asyncio.create_task(run_call(server.port, entry_env(), FakeCall()))
    await started.wait()
    await server.stop(drain_timeout_s=0.05)
    record = await call
    assert record.variables_set == FAILED
    assert "cut short" in logs.at_least(logging.ERROR)[0].getMessage()


# --------------------------------------------------------------------------- replays


def comparable(transcript: Sequence[str]) -> list[str]:
    """Without the fake's notes, and with endpos values (sample counts) made equal."""
    return [re.sub(r"endpos=\d+", "endpos=N", line) for line in transcript if line[:2] != "--"]


def without_commands(dialogue: Sequence[str], *commands: str) -> list[str]:
    """The capture minus the logging server's probe commands and their one-line replies."""
    kept: list[str] = []
    skip_reply = False
    for line in dialogue:
        if line.startswith(">> "):
            skip_reply = line[3:].startswith(commands)
            if skip_reply:
                continue
        elif skip_reply and line.startswith("<< ") and line != "<< HANGUP":
            skip_reply = False
            continue
        kept.append(line)
    return kept


async def hangup_test(channel: AgiChannel) -> None:
    """What the capture's script did, with the commands AgiChannel offers."""
    await channel.answer()
    with contextlib.suppress(ChannelHungUp):
        await channel.get_data("beep", 20000, 5)
    await channel.get_variable("AGISTATUS")
    await channel.stream_file("beep", "")  # refused locally: never reaches Asterisk


async def route_menu(channel: AgiChannel) -> None:
    await channel.answer()
    choice = await channel.get_data("hello-world", 6000, 1)
    await channel.set_variable("ROUTE", "queue")
    await channel.set_variable("IVR_CHOICE", choice)


async def survey(channel: AgiChannel) -> None:
    first = await channel.get_data("if-correct-press", 6000, 1)
    second = await channel.get_data("please-try-again", 6000, 1)
    await channel.set_variable("SURVEY_Q1", first)
    await channel.set_variable("SURVEY_Q2", second)
    await channel.stream_file("vm-goodbye", "")


async def ivr(channel: AgiChannel) -> None:
    await channel.answer()
    await channel.stream_file("hello-world")
    await channel.wait_for_digit(5000)
    await channel.get_data("beep", 6000, 4)
    await channel.wait_for_digit(3000)
    await channel.set_variable("IVR_RESULT", "done")
    await channel.stream_file("vm-goodbye", "")


CAPTURE_ROUTES: dict[str, Route] = {
    "hangup-test": hangup_test,
    "route": route_menu,
    "survey": survey,
    "ivr": ivr,
}
PROBES = ("CHANNEL STATUS", "STREAM FILE", "VERBOSE", "HANGUP")


@pytest.mark.parametrize(
    ("name", "connection", "call", "probes", "variables"),
    [
        ("f-agi-caller-hangup", 1, FakeCall(hang_up_after=1), PROBES, {}),
        ("f3-agi-caller-hangup-nosighup", 1, FakeCall(hang_up_after=1, sighup=False), PROBES, {}),
        (
            "x-full-flow-ivr-queue-survey",
            1,
            FakeCall(digits=["1"]),
            (),
            {"ROUTE": "queue", "IVR_CHOICE": "1"},
        ),
        (
            "x-full-flow-ivr-queue-survey",
            2,
            FakeCall(digits=["1", "3", ""]),
            (),
            {"SURVEY_Q1": "1", "SURVEY_Q2": "3"},
        ),
        ("ivr-dtmf", 1, FakeCall(digits=["", "1", "555#", "", ""]), ("VERBOSE",), {}),
    ],
)
async def test_replay_reproduces_the_command_and_reply_order_of_the_capture(
    logs: LogWatch,
    name: str,
    connection: int,
    call: FakeCall,
    probes: tuple[str, ...],
    variables: dict[str, str],
) -> None:
    env = capture_environment(name, connection=connection)
    async with running(CAPTURE_ROUTES) as server:
        record = await run_call(server.port, env, call)
    expected = without_commands(capture_dialogue(name, connection=connection), *probes)
    # The capture's script probed the dead channel with CHANNEL STATUS after GET VARIABLE;
    # AgiChannel does so itself right after result=-1 (a hang-up, or a missing sound?).
    # Its routes ended without the done mark the server sets after every finished route.
    seen = without_commands(record.transcript, *probes, DONE_LINE)
    assert comparable(seen) == comparable(expected)
    if call.hang_up_after is not None:
        assert record.commands[2] == "CHANNEL STATUS"
        assert f"<< {DEAD_CHANNEL}" in record.transcript
    else:
        assert record.commands[-1] == DONE_LINE
    if variables:
        assert record.variables_set == {**variables, **DONE}
    assert logs.at_least(logging.WARNING) == []
    assert record.unused_digits == []


# --------------------------------------------------------------------------- the fake itself


async def test_fake_answers_keypad_commands_as_asterisk_does() -> None:
    heard: list[str] = []

    async def keys(channel: AgiChannel) -> None:
        heard.append(await channel.get_data("pin", 3000, 4))  # "12": timed out after 2 keys
        heard.append(await channel.get_data("pin", 3000, 4))  # "#": ended at once, no digits
        heard.append(await channel.stream_file("hours", "#"))  # "1" is no escape digit
        heard.append(await channel.say_digits("2026", "*"))  # "*" interrupts
        when = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
        heard.append(await channel.say_datetime(when, "HM", "Europe/Moscow"))  # out of digits
        heard.append(await channel.wait_for_digit(1000))

    async with running({"entry": keys}) as server:
        record = await run_call(
            server.port, entry_env(), FakeCall(digits=["12", "#", "1", "*", "", "9", "5"])
        )
    assert heard == ["12", "", "", "*", "", "9"]
    assert record.transcript[1] == "<< 200 result=12 (timeout)"
    assert record.transcript[3] == "<< 200 result="
    assert record.unused_digits == ["5"]


async def test_fake_get_variable_sees_the_call_variables_and_what_was_set() -> None:
    seen: list[str | None] = []

    async def reads(channel: AgiChannel) -> None:
        seen.append(await channel.get_variable("MEMBERINTERFACE"))
        seen.append(await channel.get_variable("DIALSTATUS"))
        await channel.set_variable("DIALSTATUS", "BUSY")
        seen.append(await channel.get_variable("DIALSTATUS"))

    async with running({"entry": reads}) as server:
        call = FakeCall(variables={"MEMBERINTERFACE": "PJSIP/201"})
        await run_call(server.port, entry_env(), call)
    assert seen == ["PJSIP/201", None, "BUSY"]


async def test_fake_fails_loudly_with_the_transcript_on_an_unknown_command() -> None:
    async def rogue_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        writer.write(b"EXEC Dial PJSIP/premium\n")
        with contextlib.suppress(ConnectionError):
            await reader.read()
        writer.close()

    server = await asyncio.start_server(rogue_server, "127.0.0.1", 0)
    try:
        with pytest.raises(AssertionError, match="unknown command") as failure:
            await run_call(server.sockets[0].getsockname()[1], entry_env(), FakeCall())
        assert ">> EXEC Dial PJSIP/premium" in str(failure.value)
    finally:
        server.close()
        await server.wait_closed()


async def test_fake_refuses_a_script_that_presses_more_digits_than_get_data_takes() -> None:
    async def menu(channel: AgiChannel) -> None:
        await channel.get_data("menu", 5000, 1)

    async with running({"entry": menu}) as server:
        with pytest.raises(AssertionError, match="takes 1 digit"):
            await run_call(server.port, entry_env(), FakeCall(digits=["12"]))
