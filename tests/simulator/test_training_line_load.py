"""The training line's load mode: ``concurrent`` callers on the line at once.

Played in virtual time without a FastAGI server (the dialplan's fallback queues every
caller), so the run ends at once and its timestamps are exact: the callers' channels are
counted from the PBX's own Newchannel and Hangup events.
"""

from __future__ import annotations

import socket

from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiUser
from simulator.switch import FastAgiTarget
from simulator.training_line import TrainingLine, TrainingLineOptions

TRUNK = "PJSIP/trunk-"  # the callers' inbound channels


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _line(calls: int, concurrent: int) -> TrainingLine:
    return TrainingLine(
        TrainingLineOptions(
            ami_user=AmiUser("consult-line", "s3cret"),
            agi=FastAgiTarget("127.0.0.1", _unused_port()),  # nobody there: the fallback
            calls=calls,
            speed=None,
            operators=2,
            mean_gap_s=600.0,  # random arrivals would come one at a time
            concurrent=concurrent,
            seed=3,
            start=1_796_000_000.0,
        )
    )


class CallerChannels:
    """When each caller's channel appeared and hung up (simulated seconds)."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.hangups: list[float] = []

    def __call__(self, event: AmiEvent, at: float) -> None:
        channel = dict(event.headers).get("Channel", "")
        if not channel.startswith(TRUNK):
            return
        if event.name == "Newchannel":
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


async def _played(calls: int, concurrent: int) -> tuple[TrainingLine, CallerChannels]:
    line = _line(calls, concurrent)
    channels = CallerChannels()
    line.pbx.subscribe(channels)
    await line.run()
    await line.stop()
    return line, channels


async def test_keeps_that_many_callers_on_the_line_until_the_calls_are_played() -> None:
    line, channels = await _played(calls=12, concurrent=3)

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
    _line_played, channels = await _played(calls=4, concurrent=0)

    assert len(channels.arrivals) == 4
    gaps = [b - a for a, b in zip(channels.arrivals, channels.arrivals[1:], strict=False)]
    assert all(gap > 0 for gap in gaps)
    assert not any(at in channels.hangups for at in channels.arrivals[1:])
