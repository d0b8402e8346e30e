"""The line's dialplan played on the simulator, for the tests that need one call of it.

``await play(server, plan, start=...)`` builds the simulated PBX with the line's dialplan and
queue (``simulator.training_line.line_queue``), its FastAGI routes answered by ``server``,
places the caller's call and returns every event it made (:class:`Played`), with the
call-log entry the project's projector makes of them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from ami.call_record import CallLogEntry
from ami.projector import CallFinished, CallLogProjector
from ami.stream import decode_all
from ivr.agi.server import AgiServer
from simulator import ami_wire
from simulator.ami_events import AmiEvent
from simulator.caller import CallerPlan
from simulator.calls import TRUNK_CHANNEL, incoming_call
from simulator.clock import SimClock
from simulator.devices import PhoneBehaviour, PhoneBook
from simulator.dialplan import INBOUND, line_dialplan
from simulator.pbx import Pbx
from simulator.queues import MemberConfig
from simulator.switch import FastAgiTarget, Switch
from simulator.training_line import line_queue
from tests.ami.captures import events_of

OPERATOR = "PJSIP/201"
CALLER = "79281234567"
MENU_KEYS = {
    "welcome-language": "1",
    "topic-menu": "2",  # support measures
    "survey-answer-received": "1",
    "survey-quality": "1",
}
WAIT_S = 30.0


@dataclass
class Played:
    events: list[tuple[AmiEvent, float]] = field(default_factory=list)

    @property
    def entry(self) -> CallLogEntry:
        stream = b"".join(ami_wire.event_bytes(event, at) for event, at in self.events)
        outputs: list[object] = []
        projector = CallLogProjector()
        for event in events_of(decode_all(stream)):
            outputs.extend(projector.apply(event))
        [finished] = [out for out in outputs if isinstance(out, CallFinished)]
        return finished.entry

    def variables(self, channel_prefix: str = TRUNK_CHANNEL) -> dict[str, str]:
        found: dict[str, str] = {}
        for event, _at in self.events:
            headers = dict(event.headers)
            if event.name == "VarSet" and headers["Channel"].startswith(channel_prefix):
                found[headers["Variable"]] = headers["Value"]
        return found

    def locations(self) -> Iterator[tuple[str, str, int, str]]:
        for event, _at in self.events:
            if event.name == "Newexten":
                headers = dict(event.headers)
                yield (
                    headers["Context"],
                    headers["Exten"],
                    int(headers["Priority"]),
                    headers["Application"],
                )


async def play(
    server: AgiServer,
    plan: CallerPlan,
    *,
    start: float,
    members: tuple[MemberConfig, ...] = (MemberConfig(OPERATOR, paused=False),),
    phones: dict[str, PhoneBehaviour] | None = None,
    agi_port: int | None = None,
) -> Played:
    sim = SimClock(start=start)
    pbx = Pbx(clock=sim, rng=random.Random(3))
    switch = Switch.build(
        pbx,
        dialplan=line_dialplan,
        phones=PhoneBook(phones or {OPERATOR: PhoneBehaviour(ring_s=4, talk_s=30)}),
        queues=[line_queue(*members)],
        agi=FastAgiTarget("127.0.0.1", server.port if agi_port is None else agi_port),
    )
    played = Played()
    pbx.subscribe(lambda event, at: played.events.append((event, at)))
    incoming_call(switch, plan, context=INBOUND)
    try:
        async with asyncio.timeout(WAIT_S):
            await sim.idle()
    finally:
        await sim.stop()
    return played
