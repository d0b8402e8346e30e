"""The training line wired together: the simulated PBX with the line's dialplan and queue, its
AMI server, its records, simulated operators and callers arriving one after another.

``serve`` connects to the AMI port as to Asterisk's; the calls reach ``serve``'s FastAGI
port as Asterisk's would. ``TrainingLine.run()`` plays ``calls`` calls (0: until stopped)
and returns once the last one has ended; ``wind_down()`` ends the calls in progress (their
callers hang up) before ``stop()``. Callers arrive by the day's profile when one is given;
a share of them call from a number whose callback task is still open (``repeat_numbers``).
A console operator's phone in the queue is answered from the console (``simulator.handsets``).
For a load test, ``concurrent`` callers are on the line at once instead: that many call at
the start and the next one calls as soon as one hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import socket
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiServer, AmiUser
from simulator.arrivals import Arrival, arrivals, profiled_arrivals
from simulator.caller import CallerPlan
from simulator.calls import TRUNK_CHANNEL, incoming_call
from simulator.cdr import CdrWriter
from simulator.channels import SimChannel
from simulator.clock import SimClock
from simulator.day_profile import DayProfile
from simulator.dialplan import INBOUND, QUEUE, line_dialplan
from simulator.handsets import Handsets
from simulator.operators import SimulatedPhones, operator_members
from simulator.pbx import Pbx
from simulator.queue_log import QueueLog
from simulator.queues import MemberConfig, QueueConfig
from simulator.switch import FastAgiTarget, Switch


@dataclass(frozen=True)
class TrainingLineOptions:
    ami_user: AmiUser
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    agi: FastAgiTarget = field(default_factory=FastAgiTarget)
    calls: int = 10  # 0: until stopped
    speed: float | None = 1.0  # None: as fast as the machine goes (virtual time)
    operators: int = 3
    mean_gap_s: float = 30.0
    concurrent: int = 0  # N > 0: N callers on the line at once instead of random arrivals
    seed: int = 0
    queue_log_path: Path | None = None
    cdr_path: Path | None = None
    cdr_zone: tzinfo | None = None
    start: float = 0.0  # epoch seconds of the first simulated instant
    ami_socket: socket.socket | None = None  # bound already (serve); else ami_host/ami_port
    profile: DayProfile | None = None  # arrivals by the day's profile; None: every mean_gap_s
    # Numbers (as the trunk sends them) with an open callback task, read when a repeat
    # caller is due; a blocking call (a database), run in a worker thread.
    repeat_numbers: Callable[[], Sequence[str]] | None = None
    repeat_share: float = 0.15


def line_queue(*members: MemberConfig) -> QueueConfig:
    """``asterisk/etc/queues.conf`` [consult-line] with ``members`` (the training line's: its
    simulated operators)."""
    return QueueConfig(
        QUEUE,
        strategy="leastrecent",
        member_timeout_s=20,
        retry_s=5,
        wrapup_s=10,
        log_membername_as_agent=False,
        members=members,
    )


@dataclass
class Tally:
    """What the calls came to, counted from the events (for the command's last line)."""

    counts: Counter[str] = field(default_factory=Counter)

    def __call__(self, event: AmiEvent, _at: float) -> None:
        headers = dict(event.headers)
        if event.name == "AgentConnect":
            self.counts["answered"] += 1
        elif event.name == "QueueCallerAbandon":
            self.counts["abandoned"] += 1
        elif event.name == "VarSet" and headers.get("Variable") == "QUEUESTATUS":
            self.counts[f"queue_{headers['Value'].lower()}"] += 1


class TrainingLine:
    def __init__(self, options: TrainingLineOptions) -> None:
        self.options = options
        rng = random.Random(options.seed)
        self.clock = SimClock(start=options.start, speed=options.speed)
        self.pbx = Pbx(clock=self.clock, rng=rng)
        self.queue_log = QueueLog(options.queue_log_path)
        self.cdr = CdrWriter(options.cdr_path, options.cdr_zone) if options.cdr_zone else None
        queue = line_queue(*operator_members(options.operators))
        handsets = Handsets(self.clock)
        phones = SimulatedPhones(
            random.Random(rng.random()),
            frozenset(m.interface for m in queue.members),
            handsets=handsets,
            in_queue=self._in_queue,
        )
        self.switch = Switch.build(
            self.pbx,
            dialplan=line_dialplan,
            phones=phones,
            queues=[queue],
            queue_log=self.queue_log,
            agi=options.agi,
            handsets=handsets,
        )
        if self.cdr is not None:
            self.pbx.subscribe(self.cdr)
        self.tally = Tally()
        self.pbx.subscribe(self.tally)
        self.ami = AmiServer(
            self.switch,
            [options.ami_user],
            host=options.ami_host,
            port=options.ami_port,
            sock=options.ami_socket,
        )
        self._callers = random.Random(rng.random())
        self._arrivals: asyncio.Task[None] | None = None
        self.placed = 0

    async def start(self) -> None:
        self.clock.start()
        await self.ami.start()

    async def run(self) -> None:
        """Plays the calls; returns when the last has ended."""
        self.begin()
        await self.clock.idle()

    def begin(self) -> None:
        """Callers start arriving (``run`` without waiting for the end)."""
        self._arrivals = self.clock.spawn(self._arrive(), name="arrivals")

    def place_call(self, plan: CallerPlan) -> SimChannel:
        """One caller now, besides the arrivals (a test, a demonstration)."""
        self.placed += 1
        return incoming_call(self.switch, plan, context=INBOUND)

    async def wind_down(self, timeout_s: float = 5.0) -> None:
        """No more arrivals; the callers on the line hang up, and the calls end as they
        would (hang-ups, AgentComplete, the records), within ``timeout_s``."""
        if self._arrivals is not None:
            self._arrivals.cancel()
            await asyncio.gather(self._arrivals, return_exceptions=True)
        for chan in self.pbx.channels():
            if chan.name.startswith(TRUNK_CHANNEL) and not chan.hung_up:
                self.pbx.request_hangup(chan)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self.clock.idle()

    async def stop(self) -> None:
        await self.ami.stop()
        await self.clock.stop()
        self.queue_log.close()
        if self.cdr is not None:
            self.cdr.close()

    def _in_queue(self, interface: str) -> bool:
        return any(interface in queue.members for queue in self.switch.queues.values())

    def _stream(self) -> Iterator[Arrival]:
        options = self.options
        if options.profile is not None:
            return profiled_arrivals(self._callers, options.profile, self.clock.now())
        return arrivals(self._callers, mean_gap_s=options.mean_gap_s)

    async def _arrive(self) -> None:
        options = self.options
        on_line: list[SimChannel] = []  # load test: the callers on the line
        for arrival in self._stream():
            if options.calls and self.placed >= options.calls:
                return
            if options.concurrent:
                on_line = await self._room(on_line, options.concurrent)
            elif self.placed:
                await self.clock.sleep(arrival.after_s)
            chan = self.place_call(await self._repeat(arrival.plan))
            if options.concurrent:
                on_line.append(chan)
            await asyncio.sleep(0)

    async def _repeat(self, plan: CallerPlan) -> CallerPlan:
        """Now and then the caller is one whose callback task is still open."""
        provider = self.options.repeat_numbers
        if provider is None or self._callers.random() >= self.options.repeat_share:
            return plan
        numbers = await asyncio.to_thread(provider)
        if not numbers:
            return plan
        return dataclasses.replace(plan, number=self._callers.choice(numbers), name="")

    async def _room(self, on_line: list[SimChannel], limit: int) -> list[SimChannel]:
        """The callers still on the line, once there are fewer than ``limit``."""
        on_line = [chan for chan in on_line if not chan.gone.fired]
        while len(on_line) >= limit:
            await self.clock.wait(*(chan.gone for chan in on_line))
            on_line = [chan for chan in on_line if not chan.gone.fired]
        return on_line
