"""A caller waiting while the only member is in wrap-up (``wrapuptime``) is rung the moment
the wrap-up ends, as app_queue (which looks again every second) rings them; not when some
other change happens to wake the queue."""

from __future__ import annotations

import asyncio
import random

import pytest

from simulator.ami_events import AmiEvent
from simulator.apps import Apps
from simulator.caller import CallerPlan
from simulator.calls import incoming_call
from simulator.channels import SimChannel
from simulator.clock import SimClock
from simulator.devices import PhoneBehaviour, PhoneBook
from simulator.pbx import Pbx
from simulator.queues import MemberConfig
from simulator.switch import Switch
from simulator.training_line import line_queue
from tests.ivr.flows.conftest import OPEN
from tests.simulator.line import OPERATOR

WAIT_S = 30.0


async def _queue_only(switch: Switch, chan: SimChannel, context: str, exten: str) -> None:
    apps = Apps(switch, chan, context, exten)
    await apps.queue(1, "consult-line", "tc", 600)
    apps.hangup(2)


async def test_the_next_caller_rings_the_member_when_the_wrap_up_ends() -> None:
    clock = SimClock(start=OPEN.timestamp())
    pbx = Pbx(clock=clock, rng=random.Random(1))
    switch = Switch.build(
        pbx,
        dialplan=_queue_only,
        phones=PhoneBook({OPERATOR: PhoneBehaviour(ring_s=2, talk_s=30)}),
        queues=[line_queue(MemberConfig(OPERATOR, "Оператор"))],  # wrapuptime = 10
    )
    called: list[float] = []

    def on_event(event: AmiEvent, at: float) -> None:
        if event.name == "AgentCalled":
            called.append(at - OPEN.timestamp())

    pbx.subscribe(on_event)
    incoming_call(switch, CallerPlan("79280000001"), context="in", exten="s")
    incoming_call(switch, CallerPlan("79280000002"), context="in", exten="s")
    try:
        async with asyncio.timeout(WAIT_S):
            await clock.idle()
    finally:
        await clock.stop()
    # the first rings at once, talks 2 + 30 s; the second is rung after 10 s of wrap-up
    assert called == [pytest.approx(0.0), pytest.approx(42.0)]
