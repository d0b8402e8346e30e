"""The training line as a whole (``simulator.training_line``) without a FastAGI server (the
dialplan's fallback queues every caller): repeat callers come from the numbers with an open
callback task; winding down ends the calls in progress as calls end; in load mode
``concurrent`` callers are on the line at once.

Played in virtual time unless said otherwise, so a run ends at once and its timestamps are
exact: the callers' channels are read from the PBX's own Newchannel and Hangup events."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

from asterisk_check.config_reader import read_config
from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiUser
from simulator.caller import CallerPlan
from simulator.calls import TRUNK_CHANNEL
from simulator.switch import FastAgiTarget
from simulator.training_line import TrainingLine, TrainingLineOptions, line_queue
from tests.ivr.flows.conftest import OPEN

WAIT_S = 30.0
OPEN_TASK = "79280000002"
LOAD_START = 1_796_000_000.0
QUEUES_CONF = Path(__file__).resolve().parents[2] / "asterisk" / "etc" / "queues.conf"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there: FastAGI is down


def _options(*, calls: int, seed: int, **changes: Any) -> TrainingLineOptions:
    """A line of two simulated operators in virtual time, FastAGI down; ``changes`` as
    ``dataclasses.replace`` takes them."""
    options = TrainingLineOptions(
        ami_user=AmiUser("consult-line", "s3cret"),
        ami_port=0,
        agi=FastAgiTarget("127.0.0.1", _closed_port()),
        calls=calls,
        speed=None,
        operators=2,
        seed=seed,
        start=OPEN.timestamp(),
    )
    return replace(options, **changes)


class CallerChannels:
    """The callers' inbound channels: their numbers, when each appeared and hung up
    (simulated seconds)."""

    def __init__(self) -> None:
        self.numbers: list[str] = []
        self.arrivals: list[float] = []
        self.hangups: list[float] = []

    def __call__(self, event: AmiEvent, at: float) -> None:
        headers = dict(event.headers)
        if not headers.get("Channel", "").startswith(TRUNK_CHANNEL):
            return
        if event.name == "Newchannel":
            self.numbers.append(headers["CallerIDNum"])
            self.arrivals.append(at)
        elif event.name == "Hangup":
            self.hangups.append(at)

    def most_on_line(self) -> int:
        changes = sorted([(at, 1) for at in self.arrivals] + [(at, -1) for at in self.hangups])
        on_line = most = 0
        for _at, change in changes:  # at the same instant a hang-up (-1) sorts first
            on_line += change
            most = max(most, on_line)
        return most


async def _played(options: TrainingLineOptions) -> tuple[TrainingLine, CallerChannels]:
    """Plays the calls to their end."""
    line = TrainingLine(options)
    channels = CallerChannels()
    line.pbx.subscribe(channels)
    await line.start()
    try:
        async with asyncio.timeout(WAIT_S):
            await line.run()
    finally:
        await line.stop()
    return line, channels


def test_the_lines_queue_is_the_one_deployers_get() -> None:
    """The simulated queue keeps to ``asterisk/etc/queues.conf``, what a deployer installs."""
    conf = read_config(QUEUES_CONF)
    queue = line_queue()
    assert queue.name == "consult-line"
    assert (queue.strategy, queue.member_timeout_s, queue.retry_s, queue.wrapup_s) == (
        conf.get("consult-line", "strategy"),
        float(conf.get("consult-line", "timeout") or "nan"),
        float(conf.get("consult-line", "retry") or "nan"),
        float(conf.get("consult-line", "wrapuptime") or "nan"),
    )
    assert conf.get("general", "log_membername_as_agent") == "no"
    assert not queue.log_membername_as_agent


# ------------------------------------------------------------------ repeat callers


async def test_repeat_callers_call_from_a_number_with_an_open_task() -> None:
    options = _options(calls=4, seed=4, repeat_numbers=lambda: [OPEN_TASK], repeat_share=1.0)
    _line, channels = await _played(options)
    assert channels.numbers == [OPEN_TASK] * 4


async def test_without_open_tasks_the_callers_are_new() -> None:
    _line, channels = await _played(
        _options(calls=4, seed=4, repeat_numbers=list, repeat_share=1.0)
    )
    assert len(channels.numbers) == 4
    assert OPEN_TASK not in channels.numbers


# ------------------------------------------------------------------ winding down


async def test_winding_down_hangs_up_the_calls_in_progress() -> None:
    # in real time: the caller is still ringing the operator when the line winds down
    line = TrainingLine(_options(calls=0, seed=4, operators=1, speed=1.0))
    ends: list[str] = []
    line.pbx.subscribe(
        lambda event, _at: ends.append(event.name) if event.name == "Hangup" else None
    )
    await line.start()
    try:
        caller = line.place_call(CallerPlan("79281234567", patience_s=None))
        await asyncio.sleep(0.2)  # the fallback queues the caller, the operator's phone rings
        assert not caller.hung_up
        async with asyncio.timeout(WAIT_S):
            await line.wind_down(timeout_s=5.0)
        assert caller.hung_up
        assert "Hangup" in ends
        assert line.clock.processes == 0
    finally:
        await line.stop()


# ------------------------------------------------------------------ load mode


def _load(*, calls: int, concurrent: int) -> TrainingLineOptions:
    return _options(
        calls=calls,
        seed=3,
        start=LOAD_START,
        mean_gap_s=600.0,  # random arrivals would come one at a time
        concurrent=concurrent,
    )


async def test_keeps_that_many_callers_on_the_line_until_the_calls_are_played() -> None:
    line, channels = await _played(_load(calls=12, concurrent=3))

    assert line.placed == 12
    assert len(channels.arrivals) == 12
    assert len(channels.hangups) == 12
    assert channels.most_on_line() == 3
    start = 1_796_000_000.0
    assert channels.arrivals[:3] == [start, start, start]
    # every later caller calls the moment an earlier one has hung up
    assert all(at in channels.hangups for at in channels.arrivals[3:])
    assert channels.arrivals[3:] == sorted(channels.hangups)[:9]


async def test_without_it_callers_come_at_random() -> None:
    _line, channels = await _played(_load(calls=4, concurrent=0))

    assert len(channels.arrivals) == 4
    gaps = [b - a for a, b in zip(channels.arrivals, channels.arrivals[1:], strict=False)]
    assert all(gap > 0 for gap in gaps)
    assert not any(at in channels.hangups for at in channels.arrivals[1:])
