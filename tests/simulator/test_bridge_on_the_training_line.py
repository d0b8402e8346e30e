"""The unchanged AMI bridge logged in to the training line, as ``serve`` is on it.

The simulated PBX runs the line's dialplan against the real FastAGI routes; the bridge (the
project's ``ami.bridge``: panoramisk underneath, permission check, resync, projector, the
call-log store) logs in to the simulator's AMI, finds every action it needs granted, and
writes the call into the database as it would from Asterisk.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from ivr.agi.server import AgiServer
from models.rules.missed import CallOutcome
from models.settings import Settings
from models.tables import Call
from models.tables.calls import HangupSide
from simulator.ami_server import AmiServer, AmiUser
from simulator.caller import CallerPlan
from simulator.calls import incoming_call
from simulator.clock import SimClock
from simulator.devices import PhoneBehaviour, PhoneBook
from simulator.dialplan import INBOUND, line_dialplan
from simulator.pbx import Pbx
from simulator.queue_log import QueueLog
from simulator.queues import MemberConfig
from simulator.switch import FastAgiTarget, Switch
from simulator.training_line import line_queue
from tests.ivr.flows.conftest import OPEN
from tests.simulator.line import MENU_KEYS, OPERATOR

USER = AmiUser("consult-line", "s3cret")
WAIT_S = 15.0


@pytest.fixture
async def line(server: AgiServer, tmp_path: Path) -> AsyncIterator[tuple[Switch, AmiServer]]:
    sim = SimClock(start=OPEN.timestamp())
    pbx = Pbx(clock=sim, rng=random.Random(11))
    switch = Switch.build(
        pbx,
        dialplan=line_dialplan,
        phones=PhoneBook({OPERATOR: PhoneBehaviour(ring_s=5, talk_s=40)}),
        queues=[line_queue(MemberConfig(OPERATOR, "Оператор"))],
        queue_log=QueueLog(tmp_path / "queue_log"),
        agi=FastAgiTarget("127.0.0.1", server.port),
    )
    ami = AmiServer(switch, [USER], port=0, auth_failure_delay_s=0)
    await ami.start()
    yield switch, ami
    await ami.stop()
    await sim.stop()
    switch.queue_log.close()


@pytest.fixture
async def bridge(
    line: tuple[Switch, AmiServer], db_engine: Engine, tmp_path: Path
) -> AsyncIterator[AmiBridge]:
    _switch, ami = line
    settings = Settings(
        database_url=db_engine.url.render_as_string(hide_password=False),
        ami_port=ami.port,
        ami_username=USER.username,
        ami_secret=USER.secret,  # type: ignore[arg-type]
        queue_log_path=tmp_path / "queue_log",
        cdr_path=None,
    )
    bridge = AmiBridge(settings=settings, engine=db_engine, clock=lambda: OPEN, bus=LiveBus())
    await bridge.start()
    await bridge.connection.wait_logged_in(timeout=WAIT_S)
    yield bridge
    await bridge.stop()


def _call(engine: Engine) -> Call | None:
    with Session(engine) as session:
        return session.exec(select(Call)).first()


async def test_a_training_call_lands_in_the_call_log(
    line: tuple[Switch, AmiServer], bridge: AmiBridge, db_engine: Engine
) -> None:  # C13
    switch, _ami = line
    async with asyncio.timeout(WAIT_S):
        while bridge.permissions is None:  # checked right after the login
            await asyncio.sleep(0.01)
    assert bridge.permissions.problem == ""  # every action the line sends is granted
    incoming_call(switch, CallerPlan("79281234567", "Ivan Petrov", keys=MENU_KEYS), context=INBOUND)
    async with asyncio.timeout(WAIT_S):
        await switch.pbx.clock.idle()
        while (call := _call(db_engine)) is None or call.outcome is None:
            await asyncio.sleep(0.05)  # the store writes from a worker thread
    assert call.outcome is CallOutcome.ANSWERED
    assert call.hangup_side is HangupSide.OPERATOR
    assert call.answered_at is not None
    assert call.queue_wait_s == pytest.approx(5.0)  # the phone rang 5 s: virtual, exact
    assert call.talk_s == pytest.approx(40.0)
