"""The training line as a whole (``simulator.training_line``) without a FastAGI server (the
dialplan's fallback queues every caller): repeat callers come from the numbers with an open
callback task (virtual time); winding down ends the calls in progress as calls end."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from dataclasses import replace

from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiUser
from simulator.caller import CallerPlan
from simulator.switch import FastAgiTarget
from simulator.training_line import TrainingLine, TrainingLineOptions
from tests.ivr.flows.conftest import OPEN

WAIT_S = 30.0
OPEN_TASK = "79280000002"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there: FastAGI is down


def _options(
    *, calls: int, repeat_numbers: Callable[[], Sequence[str]] | None, operators: int = 2
) -> TrainingLineOptions:
    return TrainingLineOptions(
        ami_user=AmiUser("consult-line", "s3cret"),
        ami_port=0,
        agi=FastAgiTarget("127.0.0.1", _closed_port()),
        calls=calls,
        speed=None,
        operators=operators,
        seed=4,
        start=OPEN.timestamp(),
        repeat_numbers=repeat_numbers,
        repeat_share=1.0,
    )


async def _inbound_numbers(options: TrainingLineOptions) -> list[str]:
    """Plays the calls; the caller IDs of their inbound channels."""
    line = TrainingLine(options)
    numbers: list[str] = []

    def inbound(event: AmiEvent, _at: float) -> None:
        headers = dict(event.headers)
        if event.name == "Newchannel" and headers["Channel"].startswith("PJSIP/trunk-"):
            numbers.append(headers["CallerIDNum"])

    line.pbx.subscribe(inbound)
    await line.start()
    try:
        async with asyncio.timeout(WAIT_S):
            await line.run()
    finally:
        await line.stop()
    return numbers


async def test_repeat_callers_call_from_a_number_with_an_open_task() -> None:
    numbers = await _inbound_numbers(_options(calls=4, repeat_numbers=lambda: [OPEN_TASK]))
    assert numbers == [OPEN_TASK] * 4


async def test_without_open_tasks_the_callers_are_new() -> None:
    numbers = await _inbound_numbers(_options(calls=4, repeat_numbers=list))
    assert len(numbers) == 4
    assert OPEN_TASK not in numbers


async def test_winding_down_hangs_up_the_calls_in_progress() -> None:
    # in real time: the caller is still ringing the operator when the line winds down
    line = TrainingLine(replace(_options(calls=0, repeat_numbers=None, operators=1), speed=1.0))
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
