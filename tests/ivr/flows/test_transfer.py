"""Routes ``transfer`` and ``transfer-failed``: the dialplan's transfer guard (C9, C10, C11)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ivr.route_names import TRANSFER, TRANSFER_FAILED
from ivr.variables import (
    LINE_LANGUAGE,
    LINE_QUEUE_PRIORITY,
    LINE_ROUTE,
    TRANSFER_ALLOWED,
    TRANSFER_DEVICE,
)
from models.rules.transfers import TransferOutcome
from models.tables import (
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    CallTransfer,
    TransferKind,
)
from tests.factories import add_employee
from tests.ivr.flows.conftest import (
    CALLER_E164,
    LINKEDID,
    MSK,
    Line,
)

TO_301 = (LINKEDID, "301")
CONSULT_LEG = "1795867290.5"  # a Local ;2 consultation leg of the same call


@pytest.fixture(autouse=True)
def _employee(db_engine: Engine) -> None:
    add_employee(db_engine, "301", "PJSIP/301")


def _outcomes(engine: Engine) -> list[TransferOutcome]:
    with Session(engine) as session:
        rows = session.exec(select(CallTransfer).order_by(col(CallTransfer.seq))).all()
        return [row.outcome for row in rows]


async def test_transfer_kind_follows_the_leg_the_dialplan_reports(line: Line) -> None:
    # XFER_LEG=consult is the consultation leg of an attended transfer (seen on Asterisk 22).
    await line.call(TRANSFER, (*TO_301, "caller"))
    await line.call(TRANSFER, (*TO_301, "consult"))
    with Session(line.engine) as session:
        rows = session.exec(select(CallTransfer).order_by(col(CallTransfer.seq))).all()
        assert [row.kind for row in rows] == [TransferKind.BLIND, TransferKind.ATTENDED]


async def test_first_transfer_is_allowed_to_the_employees_device(line: Line) -> None:
    record = await line.call(TRANSFER, TO_301)
    assert record.commands == [
        'SET VARIABLE TRANSFER_DEVICE "PJSIP/301"',
        'SET VARIABLE TRANSFER_ALLOWED "1"',
    ]
    # C10: in flight until AMI or the dialplan settles it; it holds one of the two slots.
    assert _outcomes(line.engine) == [TransferOutcome.PENDING]


async def test_the_attempt_is_recorded_on_the_guards_own_channel(line: Line) -> None:
    # Blind: the caller's channel (Uniqueid = Linkedid); attended: the consultation leg.
    await line.call(TRANSFER, (*TO_301, "caller"))
    await line.call(TRANSFER, (*TO_301, "consult"), uniqueid=CONSULT_LEG)
    record = await line.call(TRANSFER_FAILED, (LINKEDID, "BUSY"), uniqueid=CONSULT_LEG)
    assert record.commands == []
    with Session(line.engine) as session:
        rows = session.exec(select(CallTransfer).order_by(col(CallTransfer.seq))).all()
        assert [(row.channel_id, row.outcome) for row in rows] == [
            (LINKEDID, TransferOutcome.PENDING),
            (CONSULT_LEG, TransferOutcome.FAILED),  # only the leg that dialled is released
        ]


async def test_third_transfer_is_refused_and_a_callback_is_taken_instead(line: Line) -> None:
    # C10: at most two transfers; C11: the answer comes by a callback on the promised day.
    await line.call(TRANSFER, TO_301)
    await line.call(TRANSFER, TO_301)
    record = await line.call(
        TRANSFER, TO_301, digits=["", "", "1", "1", "", "", ""], variables={LINE_LANGUAGE: "en"}
    )
    assert record.commands[:5] == [
        'SET VARIABLE TRANSFER_ALLOWED "0"',
        'SET VARIABLE LINE_ROUTE "hangup"',
        "GET VARIABLE LINE_LANGUAGE",
        'STREAM FILE consult-line/en/transfer-limit "0123456789*#"',
        'STREAM FILE consult-line/en/callback-number-is "0123456789*#"',
    ]
    assert TRANSFER_DEVICE not in record.variables_set
    assert _outcomes(line.engine) == [
        TransferOutcome.PENDING,
        TransferOutcome.PENDING,
        TransferOutcome.REFUSED,
    ]
    with Session(line.engine) as session:
        task = session.exec(select(CallbackTask)).one()
        window = session.exec(select(CallbackWindow)).one()
    call = line.call_row()
    assert call is not None
    assert (task.phone_e164, task.source, task.origin_call_id) == (
        CALLER_E164,
        CallbackSource.TRANSFER_CAP,
        call.id,
    )
    # Monday 10:00 + 3 working days (settings) = Thursday; the window is on that day.
    assert task.promised_on == date(2026, 12, 10)
    assert window.starts_at.astimezone(MSK).strftime("%d.%m %H:%M") == "10.12 09:00"
    assert window.ends_at.astimezone(MSK).strftime("%d.%m %H:%M") == "10.12 13:30"


async def test_third_transfer_on_an_attended_consult_leg_takes_no_keypad_callback(
    line: Line,
) -> None:
    # The operator listens on the consultation leg: refuse, hang up the leg; the operator is
    # back with the caller and offers the callback from the console (C10, C11).
    await line.call(TRANSFER, TO_301)
    await line.call(TRANSFER, TO_301)
    record = await line.call(TRANSFER, (*TO_301, "consult"))
    assert record.commands == [
        'SET VARIABLE TRANSFER_ALLOWED "0"',
        'SET VARIABLE LINE_ROUTE "hangup"',
    ]
    with Session(line.engine) as session:
        assert session.exec(select(CallbackTask)).all() == []


async def test_unknown_employee_sends_the_caller_back_to_the_queue_with_priority(
    line: Line,
) -> None:
    record = await line.call(TRANSFER, (LINKEDID, "999"))
    assert record.commands == [
        'SET VARIABLE TRANSFER_ALLOWED "0"',
        'SET VARIABLE LINE_QUEUE_PRIORITY "10"',
        'SET VARIABLE LINE_ROUTE "queue"',
    ]
    assert record.variables_set[LINE_QUEUE_PRIORITY] == "10"
    assert record.variables_set[LINE_ROUTE] == "queue"


async def test_unanswered_transfer_does_not_use_up_the_cap(line: Line) -> None:
    await line.call(TRANSFER, TO_301)
    await line.call(TRANSFER, TO_301)
    record = await line.call(TRANSFER_FAILED, (LINKEDID, "NOANSWER"))
    assert record.commands == []
    again = await line.call(TRANSFER, TO_301)
    assert again.variables_set[TRANSFER_ALLOWED] == "1"
    assert _outcomes(line.engine) == [
        TransferOutcome.PENDING,
        TransferOutcome.FAILED,
        TransferOutcome.PENDING,
    ]


async def test_transfer_failed_for_an_answered_dial_changes_nothing(line: Line) -> None:
    await line.call(TRANSFER, TO_301)
    await line.call(TRANSFER_FAILED, (LINKEDID, "ANSWER"))
    assert _outcomes(line.engine) == [TransferOutcome.PENDING]


@pytest.mark.parametrize(
    ("route", "args"),
    [
        (TRANSFER, (LINKEDID, "30a")),
        (TRANSFER, (LINKEDID, "1")),
        (TRANSFER, (LINKEDID, "1234567")),
        (TRANSFER, ("${SHELL(id)}", "301")),
        (TRANSFER, (LINKEDID,)),
        (TRANSFER, (*TO_301, "operator")),
        (TRANSFER_FAILED, (LINKEDID, "EVIL")),
        (TRANSFER_FAILED, (LINKEDID, "noanswer")),
        (TRANSFER_FAILED, ("1795867285", "BUSY")),
    ],
)
async def test_bad_arguments_take_the_error_path_and_record_nothing(
    line: Line, route: str, args: tuple[str, ...]
) -> None:
    record = await line.call(route, args, expect_failure=True)
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert _outcomes(line.engine) == []
