"""The training-line bench's simulated PBX, in a process of its own, and what it notes.

``bench_training_line.py`` starts :func:`run_pbx` in a child process (``spawn``): it is the
training line ``consult-line simulate`` runs (``simulator.training_line``: the AMI server, the
line's dialplan against serve's FastAGI, simulated operators and callers, queue_log and CDR),
in load mode (``concurrent`` callers on the line at once). Over the pipe it says its AMI port
once listening, waits for ``go``, plays the calls, sends its :class:`PbxNotes` and keeps the
AMI server up until told ``stop`` (so that serve sees no lost link while the bench checks the
call log).

The notes come from a listener on the PBX's events (``Pbx.subscribe``), called as each event
is made, before the AMI server writes it to serve: ``time.time()`` when each caller's channel
appeared (the call's arrival) and when the queue first connected it to a member
(AgentConnect), and counts of the events and of the FastAGI sessions (``AGISTATUS``).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from models.host_time import host_zone
from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiUser
from simulator.calls import TRUNK_CHANNEL
from simulator.switch import FastAgiTarget
from simulator.training_line import TrainingLine, TrainingLineOptions


@dataclass(frozen=True)
class PbxSpec:
    ami_user: str
    ami_secret: str
    agi_port: int
    calls: int
    concurrent: int
    operators: int
    speed: float
    seed: int
    folder: Path  # queue_log and cdr-csv/Master.csv go here, where serve reads them


@dataclass
class PbxNotes:
    """What the PBX did, as its events say (wall-clock times, epoch seconds)."""

    arrived: dict[str, float] = field(default_factory=dict)  # linkedid → caller's Newchannel
    connected: dict[str, tuple[float, str]] = field(default_factory=dict)  # → AgentConnect, member
    left: dict[str, float] = field(default_factory=dict)  # linkedid → caller's Hangup
    abandoned: set[str] = field(default_factory=set)  # QueueCallerAbandon
    events: Counter[str] = field(default_factory=Counter)  # by name
    agi_status: Counter[str] = field(default_factory=Counter)  # AGISTATUS values
    placed: int = 0
    started: float = 0.0
    ended: float = 0.0

    def __call__(self, event: AmiEvent, _at: float) -> None:
        now = time.time()
        name = event.name
        self.events[name] += 1
        headers = dict(event.headers)
        linkedid = headers.get("Linkedid", "")
        caller = headers.get("Uniqueid") == linkedid
        if name == "Newchannel" and caller and headers["Channel"].startswith(TRUNK_CHANNEL):
            self.arrived[linkedid] = now
        elif name == "AgentConnect" and caller and linkedid not in self.connected:
            self.connected[linkedid] = (now, headers["Interface"])
        elif name == "Hangup" and caller and headers["Channel"].startswith(TRUNK_CHANNEL):
            self.left[linkedid] = now
        elif name == "QueueCallerAbandon":
            self.abandoned.add(linkedid)
        elif name == "VarSet" and headers.get("Variable") == "AGISTATUS":
            self.agi_status[headers["Value"]] += 1


def line_options(spec: PbxSpec, start: float) -> TrainingLineOptions:
    """As ``consult-line simulate`` sets the line up, in load mode, AMI on a free port."""
    cdr = spec.folder / "cdr-csv" / "Master.csv"
    cdr.parent.mkdir(parents=True, exist_ok=True)
    return TrainingLineOptions(
        ami_user=AmiUser(spec.ami_user, spec.ami_secret),
        ami_port=0,
        agi=FastAgiTarget("127.0.0.1", spec.agi_port),
        calls=spec.calls,
        concurrent=spec.concurrent,
        speed=spec.speed,
        operators=spec.operators,
        seed=spec.seed,
        queue_log_path=spec.folder / "queue_log",
        cdr_path=cdr,
        cdr_zone=host_zone(),
        start=start,
    )


def run_pbx(pipe: Connection, spec: PbxSpec) -> None:
    """The child process: see the module's docstring."""
    asyncio.run(_run(pipe, spec))


async def _run(pipe: Connection, spec: PbxSpec) -> None:
    loop = asyncio.get_running_loop()
    start = time.time()
    line = TrainingLine(line_options(spec, start))
    notes = PbxNotes()
    line.pbx.subscribe(notes)
    await line.start()
    pipe.send(line.ami.port)
    try:
        if await loop.run_in_executor(None, pipe.recv) != "go":
            return
        notes.started = time.time()
        await line.run()
        notes.ended = time.time()
        notes.placed = line.placed
        pipe.send(notes)
        await loop.run_in_executor(None, pipe.recv)  # "stop"
    finally:
        await line.stop()
