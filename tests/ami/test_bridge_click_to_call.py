"""Click-to-call through the AMI bridge (C11): the operator's phone answers, the dialplan
dials the client, and the client leg's ``DialEnd`` on the Originate's channel becomes the
task's attempt (a Hangup before any dial: FAILED), published on the ``callbacks`` topic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ami.actions import ActionStatus
from ami.bridge import CALLBACKS_TOPIC, PENDING_ATTEMPT_TTL, AmiBridge
from ami.bus import LiveBus, Subscription
from models.operator_access import OperatorAccess
from models.rules.callbacks import CallbackStatus
from models.rules.training import TrainingKind
from models.tables import AttemptResult, CallbackTask
from tests.ami.captures import HARNESS_CONTEXTS, RECEIVED_AT
from tests.ami.fake_ami import FakeAmi, bridge_settings, originate_reply
from tests.ami.test_actions import NOW, add_task, add_training, attempts, operator
from tests.factories import add_employee

WAIT_S = 5.0
CLIENT = "PJSIP/trunk-0000002b"


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmi]:
    async with FakeAmi() as fake:
        yield fake


@pytest.fixture
def bus() -> LiveBus:
    return LiveBus()


@pytest.fixture
async def bridge(
    asterisk: FakeAmi, bus: LiveBus, db_engine: Engine, tmp_path: Path
) -> AsyncIterator[AmiBridge]:
    bridge = AmiBridge(
        settings=bridge_settings(asterisk, db_engine, tmp_path),
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=bus,
        line_contexts=HARNESS_CONTEXTS,
    )
    await bridge.start()
    await bridge.connection.wait_logged_in(timeout=WAIT_S)
    yield bridge
    assert bridge.connection.status()["handler_failures"] == 0
    await bridge.stop()


@pytest.fixture
def trained(db_engine: Engine) -> OperatorAccess:
    employee_id = add_employee(db_engine, "201", "PJSIP/201")
    add_training(db_engine, employee_id, (TrainingKind.INITIAL, date(2025, 9, 1)))
    return operator(db_engine, "201")


@pytest.fixture
async def callbacks(bus: LiveBus, bridge: AmiBridge) -> AsyncIterator[Subscription]:
    async with bus.subscribe(CALLBACKS_TOPIC) as subscription:
        yield subscription


async def next_attempt(subscription: Subscription) -> dict[str, object]:
    async with asyncio.timeout(WAIT_S):
        message = await subscription.next()
    return dict(message.payload)


async def operator_answers(
    bridge: AmiBridge, task_id: int, who: OperatorAccess, now: datetime = NOW
) -> str:
    result = await bridge.click_to_call(task_id=task_id, operator=who, now=now)
    assert result.status is ActionStatus.DONE
    assert result.channel_id is not None
    return result.channel_id


async def dial_end(asterisk: FakeAmi, channel_id: str, status: str) -> None:
    await asterisk.push_event(
        "DialEnd",
        Channel="PJSIP/201-00000011",
        Uniqueid=channel_id,
        Linkedid=channel_id,
        DestChannel=CLIENT,
        DestUniqueid="1764331200.77",
        DestLinkedid=channel_id,
        DialStatus=status,
    )


async def hangup(asterisk: FakeAmi, channel_id: str) -> None:
    await asterisk.push_event(
        "Hangup",
        Channel="PJSIP/201-00000011",
        Uniqueid=channel_id,
        Linkedid=channel_id,
        Cause="16",
        **{"Cause-txt": "Normal Clearing"},
    )


def task_status(engine: Engine, task_id: int) -> CallbackStatus:
    with Session(engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        return task.status


# --------------------------------------------------------------------------- the client leg


async def test_c11_client_answers_attempt_answered_task_left_to_the_operator(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
) -> None:
    task_id = add_task(db_engine, CallbackStatus.IN_PROGRESS)
    channel_id = await operator_answers(bridge, task_id, trained)
    assert attempts(db_engine, task_id) == []  # pending until the client leg ends
    assert bridge.pending_attempts == 1

    await dial_end(asterisk, channel_id, "ANSWER")
    assert await next_attempt(callbacks) == {
        "kind": "attempt",
        "task_id": task_id,
        "result": "answered",
    }
    [attempt] = attempts(db_engine, task_id)
    assert (attempt.result, attempt.employee_id, attempt.channel_id, attempt.at) == (
        AttemptResult.ANSWERED,
        trained.employee_id,
        channel_id,
        NOW,
    )
    assert task_status(db_engine, task_id) is CallbackStatus.IN_PROGRESS  # the operator closes it
    assert bridge.pending_attempts == 0

    # The call ends later: that Hangup is no second attempt. A second click-to-call whose
    # operator hangs up serves as the marker that the first Hangup was handled.
    other_task = add_task(db_engine)
    other_channel = await operator_answers(bridge, other_task, trained)
    await hangup(asterisk, channel_id)
    await hangup(asterisk, other_channel)
    assert (await next_attempt(callbacks))["task_id"] == other_task
    assert [a.result for a in attempts(db_engine, task_id)] == [AttemptResult.ANSWERED]


@pytest.mark.parametrize(
    ("dial_status", "expected"),
    [
        ("BUSY", AttemptResult.BUSY),
        ("NOANSWER", AttemptResult.NO_ANSWER),
        ("CHANUNAVAIL", AttemptResult.FAILED),
    ],
)
async def test_c11_client_leg_dialstatus_is_the_attempts_result(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
    dial_status: str,
    expected: AttemptResult,
) -> None:
    task_id = add_task(db_engine)
    channel_id = await operator_answers(bridge, task_id, trained)
    await dial_end(asterisk, channel_id, dial_status)
    assert (await next_attempt(callbacks))["result"] == expected.value
    assert [a.result for a in attempts(db_engine, task_id)] == [expected]
    assert task_status(db_engine, task_id) is CallbackStatus.OPEN


async def test_c11_operator_hangs_up_before_the_client_is_dialled_failed(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
) -> None:
    task_id = add_task(db_engine)
    channel_id = await operator_answers(bridge, task_id, trained)
    await hangup(asterisk, channel_id)
    assert await next_attempt(callbacks) == {
        "kind": "attempt",
        "task_id": task_id,
        "result": "failed",
    }
    [attempt] = attempts(db_engine, task_id)
    assert (attempt.result, attempt.channel_id) == (AttemptResult.FAILED, channel_id)
    assert bridge.pending_attempts == 0


async def test_c11_other_channels_dial_ends_are_not_attempts(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
) -> None:
    task_id = add_task(db_engine)
    channel_id = await operator_answers(bridge, task_id, trained)
    await dial_end(asterisk, "1764331200.5", "ANSWER")  # a queue call, not ours
    await hangup(asterisk, "1764331200.5")
    await dial_end(asterisk, channel_id, "BUSY")
    assert (await next_attempt(callbacks))["result"] == "busy"
    assert [a.result for a in attempts(db_engine, task_id)] == [AttemptResult.BUSY]


@pytest.mark.parametrize("outcome", ["dial-end", "hangup"])
async def test_c11_the_task_is_held_until_the_attempt_has_a_result(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
    outcome: str,
) -> None:
    # Nobody is dialled twice: a second click while the client's phone rings is refused,
    # with the time in the line's zone (Europe/Moscow); the result frees the task.
    task_id = add_task(db_engine)
    channel_id = await operator_answers(bridge, task_id, trained)
    soon = NOW + timedelta(seconds=30)
    refused = await bridge.click_to_call(task_id=task_id, operator=trained, now=soon)
    assert refused.status is ActionStatus.REFUSED
    assert f"Вы уже звоните клиенту по задаче № {task_id} (с 10:30:00)" in refused.reason
    if outcome == "dial-end":
        await dial_end(asterisk, channel_id, "NOANSWER")
    else:
        await hangup(asterisk, channel_id)  # the operator hung up before the client was dialled
    await next_attempt(callbacks)
    await operator_answers(bridge, task_id, trained, soon)
    assert len(asterisk.actions("Originate")) == 2


# --------------------------------------------------------------------------- the operator leg


async def test_c11_originate_failure_through_the_bridge_is_failed_and_published(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
) -> None:
    task_id = add_task(db_engine)
    asterisk.reply("Originate", originate_reply(response="Failure", reason="5"))
    result = await bridge.click_to_call(task_id=task_id, operator=trained, now=NOW)
    assert result.status is ActionStatus.FAILED
    assert await next_attempt(callbacks) == {
        "kind": "attempt",
        "task_id": task_id,
        "result": "failed",
    }
    assert [a.result for a in attempts(db_engine, task_id)] == [AttemptResult.FAILED]
    assert bridge.pending_attempts == 0


async def test_c11_pending_attempts_expire_on_insert(
    asterisk: FakeAmi,
    bridge: AmiBridge,
    callbacks: Subscription,
    db_engine: Engine,
    trained: OperatorAccess,
) -> None:
    stale_task, fresh_task = add_task(db_engine), add_task(db_engine)
    stale = await operator_answers(bridge, stale_task, trained)
    later = NOW + PENDING_ATTEMPT_TTL + timedelta(seconds=1)
    fresh = await operator_answers(bridge, fresh_task, trained, later)
    assert bridge.pending_attempts == 1
    await dial_end(asterisk, stale, "ANSWER")  # forgotten: not recorded
    await dial_end(asterisk, fresh, "NOANSWER")
    assert await next_attempt(callbacks) == {
        "kind": "attempt",
        "task_id": fresh_task,
        "result": "no_answer",
    }
    assert attempts(db_engine, stale_task) == []
    [attempt] = attempts(db_engine, fresh_task)
    assert (attempt.result, attempt.at) == (AttemptResult.NO_ANSWER, later)
