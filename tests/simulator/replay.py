"""A recorded call played again on the simulator, read back from its AMI socket.

``await replay(name)`` builds the recordings' PBX (``tests.simulator.harness``) on a virtual
clock starting at the recording's first instant, logs in to its AMI server over loopback
twice (one session receives the events, the other sends what the recording's harness sent:
QueuePause, BlindTransfer, Atxfer, PlayDTMF), places the call, lets it play to its end and
returns the bytes the event session received, from the banner to the reply to Logoff.
``PLAYABLE``: the recordings it can play.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC

from simulator.ami_server import AmiServer, AmiUser
from simulator.calls import incoming_call
from simulator.cdr import CdrWriter
from simulator.clock import SimClock
from simulator.pbx import Pbx
from simulator.switch import Switch
from tests.ami.captures import SCENARIOS
from tests.simulator.ami_clients import AmiClient, action_bytes
from tests.simulator.harness import (
    INBOUND,
    QUEUES,
    HarnessDialplan,
    Recording,
    phone_book,
    read_recording,
)

USER = AmiUser("harness", "harness")
WAIT_S = 10.0
# The recordings of FastAGI sessions run the recording's own test scripts (ivr, hangup-test,
# route): not replayed; the line's routes under the simulator are tested in
# test_line_dialplan.py.
FASTAGI_HARNESS = frozenset(
    {
        "f-agi-caller-hangup",
        "f3-agi-caller-hangup-nosighup",
        "g-agi-server-down",
        "ivr-dtmf",
        "x-full-flow-ivr-queue-survey",
    }
)
PLAYABLE = tuple(name for name in SCENARIOS if name not in FASTAGI_HARNESS)


@dataclass
class Replay:
    recording: Recording
    stream: bytes  # what the event session read
    switch: Switch
    replies: list[bytes]  # what the harness's actions were answered
    cdr: CdrWriter  # the Master.csv rows, in the recordings' layout (18 columns)

    @property
    def queue_log(self) -> list[str]:
        return self.switch.queue_log.lines


async def replay(name: str) -> Replay:
    recording = read_recording(name)
    clock = SimClock(start=recording.started_at)
    pbx = Pbx(clock=clock, rng=random.Random(name))
    switch = Switch.build(
        pbx,
        dialplan=HarnessDialplan(recording.playback_s),
        phones=phone_book(recording),
        queues=QUEUES,
    )
    cdr = CdrWriter(None, UTC, newcdrcolumns=False)  # the recording host ran on UTC
    pbx.subscribe(cdr)
    server = AmiServer(switch, [USER], port=0, auth_failure_delay_s=0)
    await server.start()
    try:
        events = await AmiClient.connect(server.port)
        harness = await AmiClient.connect(server.port)
        received = bytearray(events.banner)
        received += await events.send(Action="Login", Username="harness", Secret="harness")
        await harness.send(Action="Login", Username="harness", Secret="harness", Events="off")
        replies = [
            await harness.send(
                Action="QueuePause", Interface=interface, Paused="true", Reason="training-expired"
            )
            for interface in recording.paused
        ]
        clock.spawn(_script(switch, recording, harness, replies), name="harness")
        async with asyncio.timeout(WAIT_S):
            await clock.idle()
        events.writer.write(action_bytes({"Action": "Logoff", "ActionID": "harness-bye"}))
        received += await events.read_rest()
        await events.close()
        await harness.close()
    finally:
        await server.stop()
        await clock.stop()
    return Replay(recording, bytes(received), switch, replies, cdr)


async def _script(
    switch: Switch, recording: Recording, harness: AmiClient, replies: list[bytes]
) -> None:
    clock = switch.pbx.clock
    incoming_call(switch, recording.caller, context=INBOUND, exten=recording.exten)
    for step in recording.actions:
        await clock.sleep(step.at_s - (clock.now() - recording.started_at))
        replies.append(await harness.send(**step.action))
