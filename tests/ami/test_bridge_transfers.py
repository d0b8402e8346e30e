"""Transfers count when they complete (C10), end to end: the dialplan guard (the real AgiServer
over the fake Asterisk) records each attempt, and the AMI bridge (over the loopback AMI)
settles it from the recorded attended transfer, completed or cancelled
(``tests/ami/transfer_streams.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.bridge import TRANSFERS_TOPIC, AmiBridge
from ami.bus import LiveBus, Subscription
from ivr.agi.server import AgiServer
from ivr.db_workers import DatabaseWorkers
from ivr.flows.context import FlowContext
from ivr.route_names import TRANSFER
from ivr.routes import bind_routes
from ivr.variables import LINE_ROUTE, TRANSFER_ALLOWED, TRANSFER_DEVICE
from models.line_store import LineStore
from models.rules.transfers import TransferOutcome
from models.settings import Settings
from models.tables import CallTransfer
from tests.ami.captures import HARNESS_CONTEXTS, RECEIVED_AT
from tests.ami.fake_ami import FakeAmi, bridge_settings
from tests.ami.transfer_streams import LINKEDID, as_bytes, consult_leg, consultation, prelude
from tests.factories import add_employee
from tests.ivr.fake_asterisk import FakeCall, capture_environment, run_call

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=MSK)
WAIT_S = 5.0


# --------------------------------------------------------------------------- the fixtures


@dataclass
class Line:
    asterisk: FakeAmi
    agi: AgiServer
    engine: Engine
    transfers: Subscription

    async def guard(self, number: int) -> dict[str, str]:
        """The transfer route on consultation leg ``number``, as the dialplan calls it."""
        env = capture_environment(
            "x-full-flow-ivr-queue-survey",
            agi_network_script=TRANSFER,
            args=[LINKEDID, "2002", "consult"],
            agi_uniqueid=consult_leg(number),
            agi_channel=f"Local/2002@consult-line-transfer-{number:08d};2",
        )
        record = await run_call(self.agi.port, env, FakeCall())
        return record.variables_set

    async def consult(self, number: int, *, completed: bool) -> dict[str, object]:
        """Consultation ``number`` on the AMI link; what the bridge settled from it."""
        await self.asterisk.push(as_bytes(consultation(number, completed=completed)))
        async with asyncio.timeout(WAIT_S):
            return dict((await self.transfers.next()).payload)

    def outcomes(self) -> list[TransferOutcome]:
        with Session(self.engine) as session:
            rows = session.exec(select(CallTransfer).order_by(col(CallTransfer.seq))).all()
            return [row.outcome for row in rows]


@pytest.fixture
async def line(db_engine: Engine, tmp_path: Path) -> AsyncIterator[Line]:
    add_employee(db_engine, "2002", "PJSIP/employee2")
    settings = Settings(
        database_url=db_engine.url.render_as_string(hide_password=False),
        timezone="Europe/Moscow",
        opening_time=time(9),
        closing_time=time(18),
        max_transfers_per_call=2,
    )
    store = LineStore(db_engine, settings)
    workers = DatabaseWorkers(limit_s=settings.agi_db_timeout_s)
    context = FlowContext(store=store, clock=lambda: NOW, settings=settings, workers=workers)
    agi = AgiServer(bind_routes(context), host="127.0.0.1", port=0)
    bus = LiveBus()
    async with FakeAmi() as asterisk:
        bridge = AmiBridge(
            settings=bridge_settings(asterisk, db_engine, tmp_path),
            engine=db_engine,
            clock=lambda: RECEIVED_AT,
            bus=bus,
            line_contexts=HARNESS_CONTEXTS,
            queue="consult",
        )
        await agi.start()
        await bridge.start()
        try:
            await bridge.connection.wait_logged_in(timeout=WAIT_S)
            async with bus.subscribe(TRANSFERS_TOPIC) as transfers:
                await asterisk.push(as_bytes(prelude()))  # the caller, agent1 answering
                yield Line(asterisk, agi, db_engine, transfers)
            assert bridge.status()["handler_failures"] == 0
        finally:
            await bridge.stop()
            await agi.stop()
            workers.close(wait=True)


# ------------------------------------------------------------------------------ the tests


async def test_c10_cancelled_consultations_do_not_use_up_the_two_transfers(line: Line) -> None:
    for number in (1, 2):
        assert (await line.guard(number))[TRANSFER_ALLOWED] == "1"
        settled = await line.consult(number, completed=False)
        assert (settled["outcome"], settled["completed"]) == ("failed", 0)
    third = await line.guard(3)
    assert (third[TRANSFER_ALLOWED], third[TRANSFER_DEVICE]) == ("1", "PJSIP/employee2")
    assert line.outcomes() == [
        TransferOutcome.FAILED,
        TransferOutcome.FAILED,
        TransferOutcome.PENDING,
    ]
    settled = await line.consult(3, completed=True)
    assert settled == {
        "kind": "transfer",
        "linkedid": LINKEDID,
        "seq": 3,
        "outcome": "completed",
        "completed": 1,
    }


async def test_c10_two_completed_transfers_and_the_third_is_refused(line: Line) -> None:
    for number in (1, 2):
        assert (await line.guard(number))[TRANSFER_ALLOWED] == "1"
        settled = await line.consult(number, completed=True)
        assert (settled["outcome"], settled["completed"]) == ("completed", number)
    third = await line.guard(3)
    assert (third[TRANSFER_ALLOWED], third[LINE_ROUTE]) == ("0", "hangup")
    assert line.outcomes() == [
        TransferOutcome.COMPLETED,
        TransferOutcome.COMPLETED,
        TransferOutcome.REFUSED,
    ]
