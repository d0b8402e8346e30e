"""The console's actions (C4, C10, C11) against the loopback AMI server and a migrated
database: what is refused sends nothing, what is allowed sends the headers the dialplan
expects, and the callback attempt is recorded as described in ``ami/actions.py``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.actions import (
    CALLBACK_CONTEXT,
    NO_LINK_RU,
    QUEUE,
    TRANSFER_CONTEXT,
    ActionResult,
    ActionStatus,
    attempt_result_for_dialstatus,
    attended_transfer,
    blind_transfer,
    click_to_call,
    queue_login,
    queue_logout,
    queue_pause,
    queue_unpause,
)
from ami.connection import AmiConnection
from models.db import session_scope
from models.operator_access import (
    Dialling,
    OperatorAccess,
    callback_target,
    operator_for_login,
    record_callback_attempt,
)
from models.rules.callbacks import DIAL_RESERVATION_TTL, CallbackStatus
from models.rules.training import TrainingBlock, TrainingKind
from models.rules.transfers import TransferOutcome, TransferRecord
from models.tables import (
    AttemptResult,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    ServiceIntroduction,
    TrainingEntry,
)
from tests.ami.fake_ami import (
    ORIGINATE_ACCEPTED_ONLY,
    SECRET,
    USERNAME,
    FakeAmi,
    Reply,
    originate_reply,
)
from tests.factories import add_employee

MSK = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
DIALPLAN = Path(__file__).resolve().parents[2] / "dialplan" / "consult-line.conf"
WAIT_S = 5.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    async with FakeAmi() as server:
        yield server


@pytest.fixture
async def ami(fake: FakeAmi) -> AsyncIterator[AmiConnection]:
    connection = AmiConnection(
        host="127.0.0.1",
        port=fake.port,
        username=USERNAME,
        secret=SECRET,
        on_event=lambda _message: None,
        backoff=(0.01,),
    )
    async with connection:
        await connection.wait_logged_in(WAIT_S)
        yield connection


def add_training(engine: Engine, employee_id: int, *entries: tuple[TrainingKind, date]) -> None:
    with Session(engine) as session:
        for kind, completed_on in entries:
            session.add(
                TrainingEntry(employee_id=employee_id, kind=kind, completed_on=completed_on)
            )
        session.commit()


def operator(engine: Engine, number: str) -> OperatorAccess:
    with Session(engine) as session:
        access = operator_for_login(session, number, TODAY)
    assert access is not None
    return access


@pytest.fixture
def trained(db_engine: Engine) -> OperatorAccess:
    employee_id = add_employee(db_engine, "201", "PJSIP/201")
    add_training(db_engine, employee_id, (TrainingKind.INITIAL, date(2025, 9, 1)))
    return operator(db_engine, "201")


@pytest.fixture
def lapsed(db_engine: Engine) -> OperatorAccess:
    employee_id = add_employee(db_engine, "202", "PJSIP/202")
    add_training(
        db_engine,
        employee_id,
        (TrainingKind.INITIAL, date(2023, 5, 10)),
        (TrainingKind.PERIODIC, date(2024, 12, 2)),  # lapses 2026-12-02, that is today
    )
    return operator(db_engine, "202")


def transfers(*outcomes: TransferOutcome) -> list[TransferRecord]:
    start = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    return [TransferRecord(start + timedelta(minutes=n), o) for n, o in enumerate(outcomes)]


def sent(fake: FakeAmi) -> list[str]:
    return [action.name for action in fake.received if action.name not in {"Login", "Ping"}]


# --------------------------------------------------------------------------- training data


def test_operator_for_login_reads_training_and_new_services(db_engine: Engine) -> None:
    first = add_employee(db_engine, "203", "PJSIP/203")
    add_training(db_engine, first, (TrainingKind.INITIAL, date(2026, 3, 1)))
    add_employee(db_engine, "204", "PJSIP/204")  # never trained
    add_employee(db_engine, "205", "PJSIP/205", active=False)
    with Session(db_engine) as session:
        assert operator(db_engine, "203").training.may_take_calls
        session.add(
            ServiceIntroduction(
                code="e-queue", title="Электронная очередь", introduced_on=date(2026, 11, 1)
            )
        )
        session.commit()
        after_new_service = operator_for_login(session, "203", TODAY)
        untrained = operator_for_login(session, "204", TODAY)
        assert operator_for_login(session, "205", TODAY) is None  # inactive
        assert operator_for_login(session, "999", TODAY) is None
    assert after_new_service is not None
    assert after_new_service.training.block is TrainingBlock.NEW_SERVICE_PENDING
    assert (after_new_service.device, after_new_service.internal_number) == ("PJSIP/203", "203")
    assert untrained is not None
    assert untrained.training.block is TrainingBlock.NO_INITIAL


# --------------------------------------------------------------------------- queue (C4)


async def test_c4_queue_login_refused_for_lapsed_training_sends_nothing(
    fake: FakeAmi, ami: AmiConnection, lapsed: OperatorAccess
) -> None:
    assert lapsed.training.block is TrainingBlock.EXPIRED
    result = await queue_login(ami, lapsed)
    assert result.status is ActionStatus.REFUSED
    assert "истёк двухлетний срок с последнего обучения" in result.reason
    assert "(обучение недействительно с 02.12.2026)" in result.reason
    await ami.send({"Action": "Ping"})  # a round trip: anything sent before it has arrived
    assert sent(fake) == []


async def test_c4_queue_login_sent_for_trained_operator(
    fake: FakeAmi, ami: AmiConnection, trained: OperatorAccess
) -> None:
    result = await queue_login(ami, trained)
    assert result.ok
    assert fake.actions("QueueAdd") == [
        {
            "Action": "QueueAdd",
            "ActionID": fake.actions("QueueAdd")[0]["ActionID"],
            "Interface": "PJSIP/201",
            "MemberName": "Сотрудник 201",
            "Paused": "false",
            "Queue": QUEUE,
        }
    ]


async def test_queue_login_when_already_a_member_is_done(
    fake: FakeAmi, ami: AmiConnection, trained: OperatorAccess
) -> None:
    fake.reply(
        "QueueAdd", Reply(response="Error", message="Unable to add interface: Already there")
    )
    assert (await queue_login(ami, trained)).ok


async def test_c4_unpause_refused_but_pause_and_logout_allowed_for_lapsed(
    fake: FakeAmi, ami: AmiConnection, lapsed: OperatorAccess
) -> None:
    assert (await queue_unpause(ami, lapsed)).status is ActionStatus.REFUSED
    assert (await queue_pause(ami, lapsed, reason="обучение")).ok
    assert (await queue_logout(ami, lapsed)).ok
    assert sent(fake) == ["QueuePause", "QueueRemove"]
    pause = fake.actions("QueuePause")[0]
    assert (pause["Interface"], pause["Paused"], pause["Reason"], pause["Queue"]) == (
        "PJSIP/202",
        "true",
        "обучение",
        QUEUE,
    )


async def test_unpause_sent_for_trained_and_asterisk_refusal_explained(
    fake: FakeAmi, ami: AmiConnection, trained: OperatorAccess
) -> None:
    assert (await queue_unpause(ami, trained)).ok
    assert fake.actions("QueuePause")[0]["Paused"] == "false"
    fake.reply("QueuePause", Reply(response="Error", message="Interface not found"))
    result = await queue_unpause(ami, trained)
    assert result.status is ActionStatus.FAILED
    assert result.reason == "Вы не в очереди: сначала войдите в очередь."


async def test_no_link_refuses_with_reason(trained: OperatorAccess) -> None:
    never_started = AmiConnection(
        host="127.0.0.1", port=1, username="u", secret="s", on_event=lambda _m: None
    )
    result = await queue_login(never_started, trained)
    assert (result.status, result.reason) == (ActionStatus.REFUSED, NO_LINK_RU)


# --------------------------------------------------------------------------- transfers (C10)


@pytest.mark.parametrize("transfer", [blind_transfer, attended_transfer])
async def test_c10_transfer_refused_at_the_cap_sends_nothing(
    fake: FakeAmi, ami: AmiConnection, transfer: Callable[..., Awaitable[ActionResult]]
) -> None:
    history = transfers(TransferOutcome.COMPLETED, TransferOutcome.COMPLETED)
    result = await transfer(ami, channel="PJSIP/201-00000001", extension="2002", history=history)
    assert result.status is ActionStatus.REFUSED
    assert "не более 2" in result.reason
    await ami.send({"Action": "Ping"})
    assert sent(fake) == []


async def test_c10_blind_transfer_below_cap_sends_headers(
    fake: FakeAmi, ami: AmiConnection
) -> None:
    # one completed, one refused by the employee: only completed transfers count
    history = transfers(TransferOutcome.COMPLETED, TransferOutcome.REFUSED)
    result = await blind_transfer(
        ami, channel="PJSIP/201-00000001", extension="2002", history=history
    )
    assert result.ok
    action = fake.actions("BlindTransfer")[0]
    assert (action["Channel"], action["Context"], action["Exten"]) == (
        "PJSIP/201-00000001",
        TRANSFER_CONTEXT,
        "2002",
    )


async def test_attended_transfer_sends_atxfer(fake: FakeAmi, ami: AmiConnection) -> None:
    result = await attended_transfer(
        ami, channel="PJSIP/201-00000001", extension="2002", history=[]
    )
    assert result.ok
    action = fake.actions("Atxfer")[0]
    assert (action["Channel"], action["Context"], action["Exten"]) == (
        "PJSIP/201-00000001",
        TRANSFER_CONTEXT,
        "2002",
    )


@pytest.mark.parametrize("extension", ["2", "1234567", "20#1", "", "2001\r\nAction: Hangup"])
async def test_transfer_to_a_malformed_number_is_refused(
    fake: FakeAmi, ami: AmiConnection, extension: str
) -> None:
    result = await blind_transfer(ami, channel="PJSIP/201-1", extension=extension, history=[])
    assert result.status is ActionStatus.REFUSED
    await ami.send({"Action": "Ping"})
    assert sent(fake) == []


async def test_transfer_link_lost_before_reply_is_unknown_not_retried(
    fake: FakeAmi, ami: AmiConnection
) -> None:
    fake.drop_on("BlindTransfer")
    result = await blind_transfer(ami, channel="PJSIP/201-1", extension="2002", history=[])
    assert result.status is ActionStatus.UNKNOWN
    await _round_trip_after_relogin(ami)
    assert len(fake.actions("BlindTransfer")) == 1


async def test_transfer_of_a_finished_call_explained(fake: FakeAmi, ami: AmiConnection) -> None:
    fake.reply("BlindTransfer", Reply(response="Error", message="No such channel"))
    result = await blind_transfer(ami, channel="PJSIP/201-1", extension="2002", history=[])
    assert (result.status, result.reason) == (ActionStatus.FAILED, "Звонок уже завершён.")


# --------------------------------------------------------------------------- click-to-call (C11)


def add_task(engine: Engine, status: CallbackStatus = CallbackStatus.OPEN) -> int:
    with Session(engine) as session:
        task = CallbackTask(
            phone_e164="+79281234567",
            source=CallbackSource.OPERATOR,
            requested_at=NOW - timedelta(days=1),
            promised_on=TODAY,
            status=status,
        )
        session.add(task)
        session.commit()
        assert task.id is not None
        return task.id


def attempts(engine: Engine, task_id: int) -> list[CallbackAttempt]:
    with Session(engine) as session:
        query = select(CallbackAttempt).where(CallbackAttempt.task_id == task_id)
        return list(session.exec(query).all())


async def test_c11_click_to_call_originates_operator_device_into_callback_context(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    task_id = add_task(db_engine)
    result = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert result.status is ActionStatus.DONE
    action = fake.actions("Originate")[0]
    assert action["Channel"] == "PJSIP/201"
    assert (action["Context"], action["Exten"], action["Priority"]) == (CALLBACK_CONTEXT, "s", "1")
    assert action["Variable"] == f"CALLBACK_TASK_ID={task_id}"
    assert action["Async"] == "true"
    assert action["ChannelId"] == result.channel_id
    # the operator answered; the client's outcome is the bridge's to record (pending)
    assert attempts(db_engine, task_id) == []
    with Session(db_engine) as session:
        first = record_callback_attempt(
            session,
            task_id=task_id,
            employee_id=trained.employee_id,
            channel_id=result.channel_id or "",
            result=attempt_result_for_dialstatus("ANSWER"),
            at=NOW,
        )
        again = record_callback_attempt(
            session,
            task_id=task_id,
            employee_id=trained.employee_id,
            channel_id=result.channel_id or "",
            result=AttemptResult.ANSWERED,
            at=NOW,
        )
        session.commit()
    assert first == again
    [attempt] = attempts(db_engine, task_id)
    assert (attempt.result, attempt.channel_id) == (AttemptResult.ANSWERED, result.channel_id)


async def test_c11_operator_phone_not_answering_records_failed_attempt(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    task_id = add_task(db_engine)
    fake.reply("Originate", originate_reply(response="Failure", reason="3"))
    result = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert (result.status, result.reason) == (
        ActionStatus.FAILED,
        "Звонок клиенту не начат: ваш телефон не ответил.",
    )
    [attempt] = attempts(db_engine, task_id)
    assert attempt.id == result.attempt_id
    assert (attempt.result, attempt.employee_id, attempt.at) == (
        AttemptResult.FAILED,
        trained.employee_id,
        NOW,
    )
    assert attempt.channel_id == fake.actions("Originate")[0]["ChannelId"]


async def test_c11_originate_refused_by_asterisk_records_failed_attempt(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    task_id = add_task(db_engine)
    fake.reply("Originate", Reply(response="Error", message="Originate failed"))
    result = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert result.status is ActionStatus.FAILED
    assert [a.result for a in attempts(db_engine, task_id)] == [AttemptResult.FAILED]


@pytest.mark.parametrize("status", [CallbackStatus.DONE, CallbackStatus.CANCELLED])
async def test_c11_closed_task_refused_nothing_sent_nothing_recorded(
    fake: FakeAmi,
    ami: AmiConnection,
    db_engine: Engine,
    trained: OperatorAccess,
    status: CallbackStatus,
) -> None:
    task_id = add_task(db_engine, status)
    result = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert result.status is ActionStatus.REFUSED
    assert f"Задача № {task_id}" in result.reason
    missing = await click_to_call(ami, engine=db_engine, task_id=9999, operator=trained, now=NOW)
    assert missing.status is ActionStatus.REFUSED
    await ami.send({"Action": "Ping"})
    assert sent(fake) == []
    assert attempts(db_engine, task_id) == []


async def test_c11_link_lost_after_originate_is_unknown_and_not_recorded(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    """The call may be ringing: no FAILED row that could be false, and no second Originate."""
    task_id = add_task(db_engine)
    fake.reply("Originate", ORIGINATE_ACCEPTED_ONLY)
    call = asyncio.create_task(
        click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    )
    await fake.wait_action("Originate")
    await fake.reset()
    result = await asyncio.wait_for(call, WAIT_S)
    assert result.status is ActionStatus.UNKNOWN
    assert result.channel_id == fake.actions("Originate")[0]["ChannelId"]
    assert attempts(db_engine, task_id) == []
    await _round_trip_after_relogin(ami)
    assert len(fake.actions("Originate")) == 1


# ------------------------------------------------------------ click-to-call: nobody dialled twice


def dialling(engine: Engine, task_id: int, now: datetime = NOW) -> Dialling | None:
    with Session(engine) as session:
        target = callback_target(session, task_id, now)
    assert target is not None
    return target.dialling


async def test_c11_double_click_sends_one_originate(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    task_id = add_task(db_engine)
    results = await asyncio.gather(
        *(
            click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
            for _ in range(2)
        )
    )
    [done] = [r for r in results if r.status is ActionStatus.DONE]
    [refused] = [r for r in results if r.status is ActionStatus.REFUSED]
    assert refused.reason == (
        f"Вы уже звоните клиенту по задаче № {task_id} (с 07:30:00). "
        "Второй звонок не начат: дождитесь результата первого."
    )
    await ami.send({"Action": "Ping"})
    [originate] = fake.actions("Originate")
    assert originate["ChannelId"] == done.channel_id
    held = dialling(db_engine, task_id)
    assert held is not None
    assert (held.channel_id, held.since, held.employee_id) == (
        done.channel_id,
        NOW,
        trained.employee_id,
    )


async def test_c11_second_operator_is_told_who_is_dialling_and_since_when(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    other_id = add_employee(db_engine, "203", "PJSIP/203")
    add_training(db_engine, other_id, (TrainingKind.INITIAL, date(2025, 9, 1)))
    task_id = add_task(db_engine)
    first = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert first.status is ActionStatus.DONE
    later = NOW + timedelta(seconds=20)
    second = await click_to_call(
        ami, engine=db_engine, task_id=task_id, operator=operator(db_engine, "203"), now=later,
        zone=MSK,
    )  # fmt: skip
    assert (second.status, second.reason) == (
        ActionStatus.REFUSED,
        f"Уже звонит Сотрудник 201 клиенту по задаче № {task_id} (с 10:30:00). "
        "Второй звонок не начат: дождитесь результата первого.",
    )
    assert second.channel_id is None
    assert len(fake.actions("Originate")) == 1


@pytest.mark.parametrize("resolution", ["result", "lapse"])
async def test_c11_retry_after_an_unknown_outcome_waits_for_the_result_or_the_lapse(
    fake: FakeAmi,
    ami: AmiConnection,
    db_engine: Engine,
    trained: OperatorAccess,
    resolution: str,
) -> None:
    """The first Originate may be ringing the citizen: a retry is refused until its result
    is recorded (the AMI bridge does that) or the reservation lapses."""
    task_id = add_task(db_engine)
    fake.reply("Originate", ORIGINATE_ACCEPTED_ONLY)
    call = asyncio.create_task(
        click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    )
    await fake.wait_action("Originate")
    await fake.reset()
    first = await asyncio.wait_for(call, WAIT_S)
    assert first.status is ActionStatus.UNKNOWN
    await _round_trip_after_relogin(ami)
    fake.reply("Originate", originate_reply())
    retry_at = NOW + DIAL_RESERVATION_TTL - timedelta(seconds=1)
    retry = await click_to_call(
        ami, engine=db_engine, task_id=task_id, operator=trained, now=retry_at
    )
    assert retry.status is ActionStatus.REFUSED
    assert len(fake.actions("Originate")) == 1
    if resolution == "result":
        with session_scope(db_engine) as session:
            record_callback_attempt(
                session,
                task_id=task_id,
                employee_id=trained.employee_id,
                channel_id=first.channel_id or "",
                result=AttemptResult.NO_ANSWER,
                at=NOW,
            )
        again_at = retry_at
    else:
        again_at = NOW + DIAL_RESERVATION_TTL
    again = await click_to_call(
        ami, engine=db_engine, task_id=task_id, operator=trained, now=again_at
    )
    assert again.status is ActionStatus.DONE
    assert len(fake.actions("Originate")) == 2


async def test_c11_a_failed_attempt_releases_the_task(
    fake: FakeAmi, ami: AmiConnection, db_engine: Engine, trained: OperatorAccess
) -> None:
    task_id = add_task(db_engine)
    fake.reply("Originate", originate_reply(response="Failure", reason="5"))
    first = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert first.status is ActionStatus.FAILED
    assert dialling(db_engine, task_id) is None
    fake.reply("Originate", originate_reply())
    again = await click_to_call(ami, engine=db_engine, task_id=task_id, operator=trained, now=NOW)
    assert again.status is ActionStatus.DONE


async def test_c11_nothing_sent_keeps_no_reservation(
    db_engine: Engine, trained: OperatorAccess
) -> None:
    never_started = AmiConnection(
        host="127.0.0.1", port=1, username="u", secret="s", on_event=lambda _m: None
    )
    task_id = add_task(db_engine)
    result = await click_to_call(
        never_started, engine=db_engine, task_id=task_id, operator=trained, now=NOW
    )
    assert (result.status, result.reason) == (ActionStatus.REFUSED, NO_LINK_RU)
    assert dialling(db_engine, task_id) is None


# --------------------------------------------------------------------------- the dialplan


def test_queue_and_contexts_are_the_dialplans() -> None:
    text = DIALPLAN.read_text(encoding="utf-8")
    assert re.search(rf"Queue\({re.escape(QUEUE)},", text)
    assert f"[{TRANSFER_CONTEXT}]" in text
    assert f"[{CALLBACK_CONTEXT}]" in text
    assert "${CALLBACK_TASK_ID}" in text


# --------------------------------------------------------------------------- helpers


async def _round_trip_after_relogin(ami: AmiConnection) -> None:
    """Logged in again, then a Ping answered: anything re-sent would have arrived first."""
    await ami.wait_logged_in(WAIT_S)
    await ami.send({"Action": "Ping"})
