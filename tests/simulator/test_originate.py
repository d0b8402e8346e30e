"""Click-to-call (C11) on the training line: the console's Originate, as ``ami.connection``
sends it, rings the operator's simulated phone; its OriginateResponse carries the ChannelId
as the channel's Uniqueid, and once answered the channel runs the line's callback context."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from ami.connection import AmiConnection
from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiServer, AmiUser
from simulator.clock import SimClock
from simulator.devices import PhoneBehaviour, PhoneBook
from simulator.dialplan import CALLBACK, line_dialplan
from simulator.pbx import Pbx
from simulator.switch import FastAgiTarget, Switch
from tests.simulator.ami_clients import ami_link

USER = AmiUser("consult-line", "s3cret")
CHANNEL_ID = "5a0c6a8e-2f1b-4c3e-9d7a-1b2c3d4e5f60"


@pytest.fixture
async def line() -> AsyncIterator[tuple[Switch, AmiServer, list[AmiEvent]]]:
    sim = SimClock(start=1795867058.0)
    pbx = Pbx(clock=sim, rng=random.Random(4))
    switch = Switch.build(
        pbx,
        dialplan=line_dialplan,
        phones=PhoneBook({"PJSIP/201": PhoneBehaviour(ring_s=2, talk_s=20)}),
        queues=[],
        agi=FastAgiTarget("127.0.0.1", 9),  # nothing listens: the route cannot be reached
    )
    events: list[AmiEvent] = []
    pbx.subscribe(lambda event, _at: events.append(event))
    ami = AmiServer(switch, [USER], port=0, auth_failure_delay_s=0)
    await ami.start()
    yield switch, ami, events
    await ami.stop()
    await sim.stop()


@pytest.fixture
async def connection(
    line: tuple[Switch, AmiServer, list[AmiEvent]],
) -> AsyncIterator[AmiConnection]:
    _switch, ami, _events = line
    async with ami_link(ami.port, USER) as connection:
        yield connection


async def test_the_operators_phone_answers_and_the_callback_context_runs(
    line: tuple[Switch, AmiServer, list[AmiEvent]], connection: AmiConnection
) -> None:
    switch, _ami, events = line
    handle = await connection.originate(
        channel="PJSIP/201",
        context=CALLBACK,
        exten="s",
        variables={"CALLBACK_TASK_ID": "42"},
        channel_id=CHANNEL_ID,
    )
    outcome = await handle.outcome
    assert (outcome.success, outcome.reason, outcome.uniqueid) == (True, 4, CHANNEL_ID)
    assert outcome.channel.startswith("PJSIP/201-")
    await switch.pbx.clock.idle()
    runs = [dict(e.headers) for e in events if e.name == "Newexten"]
    assert runs[0]["Context"] == CALLBACK
    assert runs[0]["AppData"] == f"Callback task 42 on {outcome.channel}"
    # FastAGI unreachable: the dialplan tells the operator the call could not be made.
    assert ("Playback", "consult-line/ru/callback-dial-failed") in {
        (run["Application"], run["AppData"]) for run in runs
    }


async def test_a_phone_nobody_answers_fails_with_reason_3(
    line: tuple[Switch, AmiServer, list[AmiEvent]], connection: AmiConnection
) -> None:
    handle = await connection.originate(
        channel="PJSIP/202", context=CALLBACK, exten="s", ring_timeout_ms=5000
    )
    outcome = await handle.outcome
    assert (outcome.success, outcome.reason) == (False, 3)
