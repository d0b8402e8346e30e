"""Route ``callback-dialout``: the number of an active callback task, given only to the channel
that holds the task's click-to-call reservation (C11), through the real AgiServer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from ivr.flows.context import FlowContext
from ivr.route_names import CALLBACK_DIALOUT
from ivr.variables import CALLBACK_NUMBER
from models.db import session_scope
from models.line_store import CallbackRequest
from models.operator_access import reserve_callback
from models.rules.callbacks import DIAL_RESERVATION_TTL, CallbackStatus, TimeWindow
from models.tables import CallbackSource, CallbackTask
from tests.factories import add_employee
from tests.ivr.flows.conftest import CALLER_E164, LINKEDID, OPEN, FixedClock, Line

CHANNEL_ID = "6f1d2c1e-5f4b-4d2a-9a57-2b1f0f6c3e11"  # the console's Originate ChannelId


def _task(context: FlowContext, phone: str = CALLER_E164) -> int:
    window = TimeWindow(OPEN, OPEN.replace(hour=12))
    request = CallbackRequest(phone, CallbackSource.OPERATOR, OPEN, date(2026, 12, 7), (window,))
    return context.store.open_callback(request)


def _reserve(line: Line, task_id: int, channel_id: str = CHANNEL_ID) -> None:
    employee_id = add_employee(line.engine, "201", "PJSIP/201")
    with session_scope(line.engine) as session:
        reservation = reserve_callback(
            session, task_id=task_id, channel_id=channel_id, employee_id=employee_id, now=OPEN
        )
    assert reservation.reserved


def _status(line: Line, task_id: int) -> CallbackStatus:
    with Session(line.engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        return task.status


async def test_reserving_channel_gets_the_number_as_digits_and_the_task_goes_in_progress(
    line: Line, context: FlowContext
) -> None:
    task_id = _task(context)
    _reserve(line, task_id)
    record = await line.call(CALLBACK_DIALOUT, [str(task_id), CHANNEL_ID], uniqueid=CHANNEL_ID)
    assert record.commands == ['SET VARIABLE CALLBACK_NUMBER "79281234567"']
    assert _status(line, task_id) is CallbackStatus.IN_PROGRESS


async def test_a_peer_asking_by_task_id_gets_no_number(line: Line, context: FlowContext) -> None:
    # C11: reaching the FastAGI port is not enough to collect the citizens' numbers: without
    # the ChannelId the console reserved, every task id takes the error path.
    tasks = [_task(context, f"+7928123456{n}") for n in range(5)]
    _reserve(line, tasks[2])
    for task_id in range(1, max(tasks) + 3):
        for channel_id in (LINKEDID, f"{task_id}", "6f1d2c1e-0000-4000-8000-000000000000"):
            record = await line.call(
                CALLBACK_DIALOUT, [str(task_id), channel_id], expect_failure=True
            )
            assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert {_status(line, task_id) for task_id in tasks} == {CallbackStatus.OPEN}


async def test_a_lapsed_reservation_gives_no_number(
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    task_id = _task(context)
    _reserve(line, task_id)
    clock.now = OPEN + DIAL_RESERVATION_TTL + timedelta(seconds=1)
    record = await line.call(CALLBACK_DIALOUT, [str(task_id), CHANNEL_ID], expect_failure=True)
    assert CALLBACK_NUMBER not in record.variables_set


async def test_closed_task_takes_the_error_path_without_a_number(
    line: Line, context: FlowContext
) -> None:
    task_id = _task(context)
    _reserve(line, task_id)
    with Session(line.engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        task.status = CallbackStatus.CANCELLED
        session.add(task)
        session.commit()
    record = await line.call(CALLBACK_DIALOUT, [str(task_id), CHANNEL_ID], expect_failure=True)
    assert CALLBACK_NUMBER not in record.variables_set


@pytest.mark.parametrize(
    "args",
    [
        ["999999", CHANNEL_ID],
        ["0", CHANNEL_ID],
        ["12;3", CHANNEL_ID],
        ["1 2", CHANNEL_ID],
        ["-1", CHANNEL_ID],
        ["", CHANNEL_ID],
        ["1"],  # no channel
        ["1", ""],
        ["1", "${CHANNEL(uniqueid)}"],
        ["1", "a" * 65],
    ],
)
async def test_unknown_or_malformed_arguments_take_the_error_path(
    line: Line, args: list[str]
) -> None:
    record = await line.call(CALLBACK_DIALOUT, args, expect_failure=True)
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
