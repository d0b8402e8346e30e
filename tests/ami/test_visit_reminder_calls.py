"""Reminder calls to visitors (V3, V4, V6) placed through the AMI bridge against the loopback
fake Asterisk, answered with the OriginateResponse messages a real one sends: answered, busy
(tried again 20 minutes later), an unreachable number (failed, never tried again), and calls
switched off when no outbound channel is set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from consult_line.visit_reminder_run import (
    NO_OUTBOUND,
    VISIT_REMINDER_CONTEXT,
    Run,
    place_calls,
    prepare,
)
from models.rules.visit_reminders import CALL_RETRY_AFTER, CallResult, ReminderState
from models.rules.visit_slots import ReminderChannel
from models.settings import Settings
from tests.agent_console.console import Clock
from tests.ami.captures import HARNESS_CONTEXTS, RECEIVED_AT
from tests.ami.fake_ami import FakeAmi, bridge_settings, originate_reply
from tests.visits.reminder_samples import PHONE_DIGITS, book, rows, services
from tests.visits.samples import BEFORE, TUESDAY, at, load_examples

WAIT_S = 5.0
DUE = at(TUESDAY, 10, 30) - timedelta(days=1)  # Monday 10:30: the day-before call is due
TRUNK = "PJSIP/{number}@trunk"


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmi]:
    async with FakeAmi() as fake:
        yield fake


@pytest.fixture
def settings(asterisk: FakeAmi, db_engine: Engine, tmp_path: Path) -> Settings:
    base = bridge_settings(asterisk, db_engine, tmp_path)
    return base.model_copy(update={"outbound_channel": TRUNK})


@pytest.fixture
async def bridge(settings: Settings, db_engine: Engine) -> AsyncIterator[AmiBridge]:
    bridge = AmiBridge(
        settings=settings,
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=LiveBus(),
        line_contexts=HARNESS_CONTEXTS,
    )
    await bridge.start()
    await bridge.connection.wait_logged_in(timeout=WAIT_S)
    yield bridge
    await bridge.stop()


async def _run(db_engine: Engine, settings: Settings, clock: Clock, bridge: AmiBridge) -> Run:
    run = Run()
    prepare(services(db_engine, settings, clock), run)
    await place_calls(services(db_engine, settings, clock), bridge.connection, run)
    return run


async def test_an_answered_call_carries_only_the_stored_number_and_its_reservation(  # V4
    db_engine: Engine, settings: Settings, asterisk: FakeAmi, bridge: AmiBridge
) -> None:
    load_examples(db_engine)
    book(db_engine, settings, remind_by_email=False)
    run = await _run(db_engine, settings, Clock(DUE), bridge)
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert run.calls == [(row.id, CallResult.ANSWERED)]
    (action,) = asterisk.actions("originate")
    assert action["Channel"] == f"PJSIP/{PHONE_DIGITS}@trunk"
    assert action["Context"] == VISIT_REMINDER_CONTEXT
    assert action["Exten"] == "s"
    assert action["Variable"] == f"VISIT_REMINDER_ID={row.id}"
    assert action["CallerID"] == "78722678091"
    assert action["Async"] == "true"
    assert action["ChannelId"] == row.channel_id  # the route speaks only to this channel
    assert (row.state, row.call_result, row.attempts) == (
        ReminderState.SENT,
        CallResult.ANSWERED,
        1,
    )


async def test_busy_is_tried_again_twenty_minutes_later(  # V4
    db_engine: Engine, settings: Settings, asterisk: FakeAmi, bridge: AmiBridge
) -> None:
    load_examples(db_engine)
    book(db_engine, settings, remind_by_email=False)
    asterisk.reply("originate", originate_reply("Failure", "5"))
    clock = Clock(DUE)
    await _run(db_engine, settings, clock, bridge)
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert (row.state, row.call_result, row.attempts) == (
        ReminderState.PENDING,
        CallResult.BUSY,
        1,
    )
    assert row.next_attempt_at == DUE + CALL_RETRY_AFTER
    first_channel = row.channel_id

    clock.now = DUE + timedelta(minutes=10)  # not yet
    assert (await _run(db_engine, settings, clock, bridge)).calls == []
    asterisk.reply("originate", originate_reply())
    clock.now = DUE + CALL_RETRY_AFTER
    await _run(db_engine, settings, clock, bridge)
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert (row.state, row.call_result, row.attempts) == (
        ReminderState.SENT,
        CallResult.ANSWERED,
        2,
    )
    first, second = asterisk.actions("originate")
    assert first["ChannelId"] == first_channel
    assert second["ChannelId"] == row.channel_id != first_channel


async def test_an_unreachable_number_fails_and_is_never_tried_again(  # V4
    db_engine: Engine, settings: Settings, asterisk: FakeAmi, bridge: AmiBridge
) -> None:
    load_examples(db_engine)
    book(db_engine, settings, remind_by_email=False)
    asterisk.reply("originate", originate_reply("Failure", "0"))
    clock = Clock(DUE)
    run = await _run(db_engine, settings, clock, bridge)
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert (row.state, row.call_result) == (ReminderState.FAILED, CallResult.INVALID_NUMBER)
    assert row.last_error == "номер недоступен: повторно не звоним"
    assert run.failed == [(row.id, "invalid_number")]
    clock.now += timedelta(hours=1)
    await _run(db_engine, settings, clock, bridge)
    assert len(asterisk.actions("originate")) == 1


async def test_no_call_outside_the_lines_hours(  # V4
    db_engine: Engine, settings: Settings, asterisk: FakeAmi, bridge: AmiBridge
) -> None:
    load_examples(db_engine)
    book(db_engine, settings, remind_by_email=False)
    await _run(db_engine, settings, Clock(BEFORE), bridge)  # planned at booking
    await _run(db_engine, settings, Clock(DUE.replace(hour=18)), bridge)  # due, but closed
    assert asterisk.actions("originate") == []
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert row.state is ReminderState.PENDING


async def test_without_an_outbound_channel_the_calls_fail_with_the_reason(  # V4
    db_engine: Engine, settings: Settings, asterisk: FakeAmi, bridge: AmiBridge
) -> None:
    load_examples(db_engine)
    off = settings.model_copy(update={"outbound_channel": ""})
    book(db_engine, off, remind_by_email=False)
    run = await _run(db_engine, off, Clock(DUE), bridge)
    assert run.not_configured == [(NO_OUTBOUND, 1)]
    (row,) = rows(db_engine, ReminderChannel.CALL)
    assert (row.state, row.last_error) == (ReminderState.FAILED, NO_OUTBOUND)
    assert asterisk.actions("originate") == []
