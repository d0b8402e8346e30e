"""Route ``callback-dialout``: the number of an active callback task, nothing else (C11)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from ivr.flows.context import FlowContext
from ivr.route_names import CALLBACK_DIALOUT
from ivr.variables import CALLBACK_NUMBER
from models.line_store import CallbackRequest
from models.rules.callbacks import CallbackStatus, TimeWindow
from models.tables import CallbackSource, CallbackTask
from tests.ivr.flows.conftest import CALLER_E164, OPEN, Line


def _task(context: FlowContext) -> int:
    window = TimeWindow(OPEN, OPEN.replace(hour=12))
    request = CallbackRequest(
        CALLER_E164, CallbackSource.OPERATOR, OPEN, date(2026, 12, 7), (window,)
    )
    return context.store.open_callback(request)


async def test_active_task_gives_its_number_as_digits_and_goes_in_progress(
    line: Line, context: FlowContext
) -> None:
    task_id = _task(context)
    record = await line.call(CALLBACK_DIALOUT, [str(task_id)])
    assert record.commands == ['SET VARIABLE CALLBACK_NUMBER "79281234567"']
    with Session(line.engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        assert task.status is CallbackStatus.IN_PROGRESS


async def test_closed_task_takes_the_error_path_without_a_number(
    line: Line, context: FlowContext
) -> None:
    task_id = _task(context)
    with Session(line.engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        task.status = CallbackStatus.CANCELLED
        session.add(task)
        session.commit()
    record = await line.call(CALLBACK_DIALOUT, [str(task_id)], expect_failure=True)
    assert CALLBACK_NUMBER not in record.variables_set


@pytest.mark.parametrize("task_id", ["999999", "0", "12;3", "1 2", "-1", ""])
async def test_unknown_or_malformed_task_id_takes_the_error_path(line: Line, task_id: str) -> None:
    record = await line.call(CALLBACK_DIALOUT, [task_id], expect_failure=True)
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
