"""CallLogStore on a real migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL):
the captures' calls stored, C13 outcomes and automatic callbacks, idempotency, the IVR's
fields and the transfer guard's rows left as they are.

The captures were recorded on Saturday 2026-11-28 around 15:00 Moscow time: a day off. For
the working-hours cases the test marks that Saturday a working day with a calendar override
(the admin's tool for a working Saturday), so the entries keep their real times; without it
the same entries arrive after hours.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.call_record import CallLogEntry, EntrySource, TransferEntry
from models.calendar_store import set_override
from models.call_log_store import CallLogStore, FinishedCall, device_key
from models.line_store import CallArrival, CallbackRequest, LineStore
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason, QueueExit
from models.rules.transfers import TransferOutcome
from models.settings import Settings
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    CallTransfer,
    HangupSide,
    Language,
    TransferKind,
)
from models.topics import Topic
from tests.ami.captures import SCENARIOS, final_entry
from tests.factories import add_client, add_employee

CAPTURE_DAY = date(2026, 11, 28)  # Saturday
NEXT_WORKING_DAY = date(2026, 11, 30)  # Monday
NOW = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)
PHONE = "+79281234567"

# (outcome, missed reason, short call) of each capture's call in working hours.
IN_HOURS: dict[str, tuple[CallOutcome, MissedReason | None, bool]] = {
    "a-answered": (CallOutcome.ANSWERED, None, False),
    "a2-answered-caller-hangs-up": (CallOutcome.ANSWERED, None, False),
    "b-abandoned": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_QUEUE, False),
    # Sent to the after-hours message while the calendar says open: the rule only sees a
    # call that never reached the queue.
    "c-afterhours": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_IVR, True),
    "c2-noagents-joinempty": (CallOutcome.MISSED, MissedReason.NO_OPERATORS, True),
    "d-blind-transfer-chain": (CallOutcome.ANSWERED, None, False),
    "d2-blind-transfer-third-refused": (CallOutcome.ANSWERED, None, False),
    "e-attended-transfer": (CallOutcome.ANSWERED, None, False),
    "f-agi-caller-hangup": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_IVR, True),
    "f3-agi-caller-hangup-nosighup": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_IVR, True),
    "g-agi-server-down": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_IVR, True),
    "ivr-dtmf": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_IVR, False),
    "x-full-flow-ivr-queue-survey": (CallOutcome.ANSWERED, None, False),
}


def _settings(engine: Engine) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        timezone="Europe/Moscow",
        opening_time=time(9, 0),
        closing_time=time(18, 0),
        short_call_threshold_s=5.0,
        max_transfers_per_call=2,
    )


def _working_saturday(engine: Engine) -> None:
    with Session(engine) as session:
        set_override(
            session=session,
            day=CAPTURE_DAY,
            working=True,
            hours=(time(9, 0), time(18, 0)),
            reason="Рабочая суббота (тест)",
            actor="test",
            now=NOW,
        )
        session.commit()


@pytest.fixture
def store(db_engine: Engine) -> CallLogStore:
    return CallLogStore(db_engine, _settings(db_engine))


@pytest.fixture
def open_store(db_engine: Engine) -> CallLogStore:
    """The captures' Saturday is a working day."""
    _working_saturday(db_engine)
    return CallLogStore(db_engine, _settings(db_engine))


def _call(engine: Engine, linkedid: str) -> Call:
    with Session(engine) as session:
        call = session.exec(select(Call).where(Call.linkedid == linkedid)).one()
        session.expunge(call)
        return call


def _tasks(engine: Engine) -> list[CallbackTask]:
    with Session(engine) as session:
        tasks = list(session.exec(select(CallbackTask).order_by(col(CallbackTask.id))).all())
        for task in tasks:
            session.expunge(task)
        return tasks


def _transfers(engine: Engine, call_id: int | None) -> list[CallTransfer]:
    with Session(engine) as session:
        query = select(CallTransfer).where(CallTransfer.call_id == call_id)
        rows = list(session.exec(query.order_by(col(CallTransfer.seq))).all())
        for row in rows:
            session.expunge(row)
        return rows


def _snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row the call log can touch, to prove that nothing changed."""
    tables: dict[str, type[Any]] = {
        "calls": Call,
        "call_transfers": CallTransfer,
        "callback_tasks": CallbackTask,
        "callback_windows": CallbackWindow,
    }
    with Session(engine) as session:
        return {
            name: [row.model_dump() for row in session.exec(select(table)).all()]
            for name, table in tables.items()
        }


# -------------------------------------------------------------------- outcomes (C13)


@pytest.mark.parametrize("name", SCENARIOS)
def test_capture_in_working_hours(name: str, open_store: CallLogStore, db_engine: Engine) -> None:
    add_employee(db_engine, "101", "PJSIP/agent1")  # the same phone as Local/agent1@...
    entry = final_entry(name)
    result = open_store.record_finished(entry, NOW)
    outcome, reason, short = IN_HOURS[name]
    assert result.changed
    assert (result.outcome, result.missed_reason, result.short_call) == (outcome, reason, short)
    call = _call(db_engine, entry.linkedid)
    assert call.in_working_hours
    assert (call.outcome, call.missed_reason, call.short_call) == (outcome, reason, short)
    assert (call.arrived_at, call.ended_at) == (entry.arrived_at, entry.ended_at)
    assert (call.caller_number, call.caller_e164, call.caller_name) == (
        "79281234567",
        PHONE,
        "Ivan Petrov",
    )
    assert call.hangup_side is entry.hangup_side
    assert (call.hangup_cause, call.hangup_cause_text) == (16, "Normal Clearing")
    if outcome is CallOutcome.ANSWERED:
        assert call.operator_id is not None
        assert call.answered_at == entry.answered_at
        assert call.callback_task_id is None
        assert _tasks(db_engine) == []
    else:
        # C13: a missed call from an identifiable number opens a callback task.
        [task] = _tasks(db_engine)
        assert call.callback_task_id == task.id == result.callback_task_id
        assert result.callback_task_opened
        assert (task.source, task.status, task.phone_e164) == (
            CallbackSource.MISSED_CALL,
            CallbackStatus.OPEN,
            PHONE,
        )
        assert task.origin_call_id == call.id
        assert task.promised_on == NEXT_WORKING_DAY
        assert task.requested_at == NOW


def test_a_quick_hang_up_in_the_ivr_is_recorded_but_opens_no_callback_below_the_minimum(
    db_engine: Engine,
) -> None:
    # C13: the supervisor sets a minimum time in the line before an automatic callback; the
    # caller who hung up in the IVR after ~3 s is still a missed (short) call.
    _working_saturday(db_engine)
    settings = _settings(db_engine).model_copy(update={"missed_callback_min_time_s": 10.0})
    entry = final_entry("f-agi-caller-hangup")
    result = CallLogStore(db_engine, settings).record_finished(entry, NOW)
    assert (result.outcome, result.missed_reason, result.short_call) == (
        CallOutcome.MISSED,
        MissedReason.ABANDONED_IN_IVR,
        True,
    )
    assert (result.callback_task_id, result.callback_task_opened) == (None, False)
    assert _tasks(db_engine) == []
    # a caller refused by an empty queue is the line's failure: a callback however short
    refused = CallLogStore(db_engine, settings).record_finished(
        final_entry("c2-noagents-joinempty"), NOW
    )
    assert refused.callback_task_opened


@pytest.mark.parametrize("name", SCENARIOS)
def test_capture_after_hours(name: str, store: CallLogStore, db_engine: Engine) -> None:
    entry = final_entry(name)
    result = store.record_finished(entry, NOW)
    answered = IN_HOURS[name][0] is CallOutcome.ANSWERED
    expected = CallOutcome.ANSWERED if answered else CallOutcome.AFTER_HOURS
    assert (result.outcome, result.missed_reason) == (expected, None)
    assert not _call(db_engine, entry.linkedid).in_working_hours
    assert _tasks(db_engine) == []  # an after-hours call is not missed: no automatic task


def test_a_call_at_1759_ending_after_closing_is_still_missed(
    store: CallLogStore, db_engine: Engine
) -> None:
    monday_1759 = datetime(2026, 11, 30, 14, 59, 59, tzinfo=UTC)  # 17:59:59 in Moscow
    entry = replace(
        final_entry("b-abandoned"),
        arrived_at=monday_1759,
        queue_joined_at=monday_1759 + timedelta(seconds=5),
        ended_at=monday_1759 + timedelta(minutes=6),
    )
    result = store.record_finished(entry, NOW)
    assert (result.outcome, result.missed_reason) == (
        CallOutcome.MISSED,
        MissedReason.ABANDONED_IN_QUEUE,
    )
    [task] = _tasks(db_engine)
    assert task.promised_on == date(2026, 12, 1)  # the working day after Monday


# ---------------------------------------------------------------- callbacks per number


def _missed(linkedid: str, minute: int, number: str = "79281234567") -> CallLogEntry:
    base = final_entry("b-abandoned")
    shift = timedelta(minutes=minute)
    assert base.queue_joined_at is not None
    assert base.ended_at is not None
    return replace(
        base,
        linkedid=linkedid,
        caller_number=number,
        arrived_at=base.arrived_at + shift,
        queue_joined_at=base.queue_joined_at + shift,
        ended_at=base.ended_at + shift,
    )


def test_one_task_per_number_and_repeated_missed_calls_attach_to_it(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    first = open_store.record_finished(_missed("1.1", 0), NOW)
    second = open_store.record_finished(_missed("1.2", 5, number="+7 928 123-45-67"), NOW)
    third = open_store.record_finished(_missed("1.3", 10, number="89281234567"), NOW)
    [task] = _tasks(db_engine)
    assert [first.callback_task_opened, second.callback_task_opened] == [True, False]
    assert {first.callback_task_id, second.callback_task_id, third.callback_task_id} == {task.id}
    assert task.origin_call_id == first.call_id
    for linkedid in ("1.1", "1.2", "1.3"):
        assert _call(db_engine, linkedid).callback_task_id == task.id
    with Session(db_engine) as session:
        assert session.exec(select(CallbackWindow)).all() == []  # no windows agreed


def test_a_closed_task_does_not_take_new_missed_calls(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    open_store.record_finished(_missed("2.1", 0), NOW)
    with Session(db_engine) as session:
        task = session.exec(select(CallbackTask)).one()
        task.status = CallbackStatus.DONE
        session.add(task)
        session.commit()
    later = open_store.record_finished(_missed("2.2", 30), NOW)
    assert later.callback_task_opened
    assert len(_tasks(db_engine)) == 2


def test_missed_call_attaches_to_a_task_the_ivr_opened(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    line = LineStore(db_engine, _settings(db_engine))
    task_id = line.open_callback(
        CallbackRequest(
            phone_e164=PHONE,
            source=CallbackSource.AFTER_HOURS,
            requested_at=NOW - timedelta(days=1),
            promised_on=date(2026, 12, 2),
            windows=(),
            question="Субсидия на оборудование",
        )
    )
    result = open_store.record_finished(_missed("3.1", 0), NOW)
    assert (result.callback_task_id, result.callback_task_opened) == (task_id, False)
    [task] = _tasks(db_engine)
    # The earlier promise and question stand: the missed call is only attached.
    assert (task.source, task.promised_on, task.question) == (
        CallbackSource.AFTER_HOURS,
        date(2026, 12, 2),
        "Субсидия на оборудование",
    )


@pytest.mark.parametrize("number", ["", "<unknown>", "anonymous", "201", "Restricted"])
def test_missed_call_without_an_identifiable_number_opens_no_task(
    number: str, open_store: CallLogStore, db_engine: Engine
) -> None:
    result = open_store.record_finished(_missed("4.1", 0, number=number), NOW)
    assert result.outcome is CallOutcome.MISSED
    assert result.callback_task_id is None
    assert _tasks(db_engine) == []


def test_known_client_gets_the_call_and_the_task(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    client_id = add_client(db_engine, PHONE)
    open_store.record_finished(_missed("5.1", 0), NOW)
    [task] = _tasks(db_engine)
    assert _call(db_engine, "5.1").client_id == client_id  # G3: in the client's history
    assert task.client_id == client_id


def _run_together(*work: Callable[[], FinishedCall]) -> list[FinishedCall]:
    barrier = threading.Barrier(len(work))

    def start(job: Callable[[], FinishedCall]) -> FinishedCall:
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return list(pool.map(start, work))


def test_two_missed_calls_finishing_at_once_share_one_task(db_engine: Engine) -> None:
    _working_saturday(db_engine)
    # Two stores, as the live bridge and the reconciliation would be.
    live = CallLogStore(db_engine, _settings(db_engine))
    sweep = CallLogStore(db_engine, _settings(db_engine))
    results = _run_together(
        lambda: live.record_finished(_missed("6.1", 0), NOW),
        lambda: sweep.record_finished(_missed("6.2", 1), NOW),
    )
    [task] = _tasks(db_engine)
    assert {result.callback_task_id for result in results} == {task.id}
    assert sorted(result.callback_task_opened for result in results) == [False, True]


def test_one_call_finished_twice_at_once_is_applied_once(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    entry = _missed("7.1", 0)
    results = _run_together(
        lambda: open_store.record_finished(entry, NOW),
        lambda: open_store.record_finished(replace(entry, source=EntrySource.QUEUE_LOG), NOW),
    )
    assert sorted(result.changed for result in results) == [False, True]
    assert len(_tasks(db_engine)) == 1


# ------------------------------------------------------------------------ idempotency


def test_finishing_twice_changes_nothing(open_store: CallLogStore, db_engine: Engine) -> None:
    entry = final_entry("b-abandoned")
    first = open_store.record_finished(entry, NOW)
    before = _snapshot(db_engine)
    again = open_store.record_finished(entry, NOW + timedelta(hours=1))
    assert not again
    assert (again.call_id, again.outcome, again.callback_task_id) == (
        first.call_id,
        first.outcome,
        first.callback_task_id,
    )
    assert not again.callback_task_opened
    assert _snapshot(db_engine) == before


def test_reconciliation_over_a_call_logged_live_changes_nothing(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    live = final_entry("a-answered")
    open_store.record_finished(live, NOW)
    before = _snapshot(db_engine)
    assert live.ended_at is not None
    from_queue_log = replace(
        live,
        source=EntrySource.QUEUE_LOG,
        queue_wait_s=3.0,
        answered_at=None,
        operator_interface="name:agent1",
        ended_at=live.ended_at + timedelta(seconds=2),
        hangup_side=HangupSide.CALLER,
    )
    assert not open_store.record_finished(from_queue_log, NOW)
    open_store.record_progress(from_queue_log)
    assert _snapshot(db_engine) == before


def test_reconciliation_finishes_a_call_whose_live_log_was_cut(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    full = final_entry("b-abandoned")
    open_store.record_progress(replace(full, ended_at=None, hangup_side=None, hangup_cause=None))
    assert _call(db_engine, full.linkedid).outcome is None
    result = open_store.record_finished(replace(full, source=EntrySource.QUEUE_LOG), NOW)
    assert result.changed
    assert result.missed_reason is MissedReason.ABANDONED_IN_QUEUE
    assert len(_tasks(db_engine)) == 1


def test_progress_creates_the_row_and_fills_it_in_without_erasing(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    add_employee(db_engine, "101", "Local/agent1@harness-agents")
    final = final_entry("a-answered")
    arrived = CallLogEntry(
        linkedid=final.linkedid, source=EntrySource.AMI, arrived_at=final.arrived_at
    )
    open_store.record_progress(arrived)
    call = _call(db_engine, final.linkedid)
    assert (call.in_working_hours, call.caller_number, call.outcome) == (True, "", None)
    open_store.record_progress(replace(final, ended_at=None, hangup_side=None))
    open_store.record_progress(arrived)  # an older snapshot erases nothing
    call = _call(db_engine, final.linkedid)
    assert call.caller_e164 == PHONE
    assert call.queue_wait_s == final.queue_wait_s
    assert call.answered_at == final.answered_at
    assert call.operator_id is not None
    assert (call.ended_at, call.outcome) == (None, None)


def test_unfinished_entry_or_naive_now_is_refused(store: CallLogStore) -> None:
    entry = final_entry("a-answered")
    with pytest.raises(ValueError, match="not ended"):
        store.record_finished(replace(entry, ended_at=None), NOW)
    with pytest.raises(ValueError, match="naive"):
        store.record_finished(entry, datetime(2026, 11, 28, 12, 0))  # noqa: DTZ001


# ------------------------------------------------------------------------- the IVR's row


def test_ivr_fields_arrival_and_hours_flag_are_kept(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    entry = final_entry("x-full-flow-ivr-queue-survey")
    line = LineStore(db_engine, _settings(db_engine))
    ivr_arrival = entry.arrived_at + timedelta(seconds=2)  # the AGI ran after Newchannel
    line.record_arrival(
        CallArrival(
            linkedid=entry.linkedid,
            arrived_at=ivr_arrival,
            in_working_hours=False,  # whatever the IVR decided stands
            caller_number="",
            caller_e164=None,
            caller_name="Иван",
            did="",
            client_id=None,
        )
    )
    line.record_ivr(entry.linkedid, "lang:1>menu:2", Topic.SUPPORT_MEASURES, Language.EN)
    open_store.record_progress(replace(entry, ended_at=None))
    result = open_store.record_finished(entry, NOW)
    call = _call(db_engine, entry.linkedid)
    assert (call.ivr_path, call.topic, call.language) == (
        "lang:1>menu:2",
        Topic.SUPPORT_MEASURES,
        Language.EN,
    )
    assert (call.arrived_at, call.in_working_hours) == (ivr_arrival, False)
    assert call.caller_name == "Иван"  # not overwritten
    assert (call.caller_number, call.caller_e164, call.did) == (
        "79281234567",
        PHONE,
        "78722678091",
    )  # filled in where the IVR left them empty
    assert result.outcome is CallOutcome.ANSWERED


def test_missed_call_task_takes_the_topic_chosen_in_the_ivr(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    entry = _missed("8.1", 0)
    line = LineStore(db_engine, _settings(db_engine))
    line.record_arrival(
        CallArrival(
            linkedid="8.1",
            arrived_at=entry.arrived_at,
            in_working_hours=True,
            caller_number="79281234567",
            caller_e164=PHONE,
            caller_name="Ivan Petrov",
            did="78722678091",
            client_id=None,
        )
    )
    line.record_ivr("8.1", "menu:3", Topic.MESSAGES, Language.RU)
    open_store.record_finished(entry, NOW)
    [task] = _tasks(db_engine)
    assert task.topic is Topic.MESSAGES


# -------------------------------------------------------------------------- transfers


def _staff(engine: Engine) -> dict[str, int]:
    return {
        "agent1": add_employee(engine, "101", "PJSIP/agent1"),
        "2001": add_employee(engine, "2001", "PJSIP/employee1"),
        "2002": add_employee(engine, "2002", "PJSIP/employee2"),
        "2003": add_employee(engine, "2003", "PJSIP/employee3"),
    }


C = TransferOutcome.COMPLETED


@pytest.mark.parametrize(
    ("name", "guard", "settled"),
    [
        ("d-blind-transfer-chain", ["2001", "2002"], [C, C]),
        ("d2-blind-transfer-third-refused", ["2001", "2002", "2003"], [C, C, "refused"]),
        ("e-attended-transfer", ["2002"], [C]),
    ],
)
def test_transfers_the_guard_recorded_are_not_counted_again(
    name: str, guard: list[str], settled: list[str], open_store: CallLogStore, db_engine: Engine
) -> None:
    """C10: the dialplan guard's rows are authoritative; AMI adds only what it did not see.
    Attempts still pending when the call ends (no AMI evidence reached the bridge) take what
    the entry saw: completed transfers to their extension."""
    _staff(db_engine)
    entry = final_entry(name)
    line = LineStore(db_engine, _settings(db_engine))
    line.record_arrival(
        CallArrival(
            linkedid=entry.linkedid, arrived_at=entry.arrived_at, in_working_hours=True,
            caller_number="79281234567", caller_e164=PHONE, caller_name="", did="",
            client_id=None,
        )
    )  # fmt: skip
    for transfer, extension in zip(entry.transfers, guard, strict=True):
        line.check_transfer(entry.linkedid, extension, transfer.at, cap=2)
    pending = _transfers(db_engine, _call(db_engine, entry.linkedid).id)
    assert {r.outcome for r in pending} <= {TransferOutcome.PENDING, TransferOutcome.REFUSED}
    open_store.record_finished(entry, NOW)
    call = _call(db_engine, entry.linkedid)
    rows = _transfers(db_engine, call.id)
    assert [(r.seq, r.outcome) for r in rows] == list(enumerate(settled, start=1))
    assert call.transfer_count == settled.count(C)


def test_a_pending_attempt_the_call_never_completed_is_failed_at_the_end(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    """C10: a consultation to 2003 the bridge never heard the end of, on a call whose only
    completed transfer AMI saw went to 2002: it did not happen."""
    _staff(db_engine)
    entry = final_entry("e-attended-transfer")
    line = LineStore(db_engine, _settings(db_engine))
    line.check_transfer(entry.linkedid, "2003", entry.arrived_at, cap=2, attended=True)
    line.check_transfer(entry.linkedid, "2002", entry.transfers[0].at, cap=2, attended=True)
    open_store.record_finished(entry, NOW)
    call = _call(db_engine, entry.linkedid)
    rows = _transfers(db_engine, call.id)
    assert [(r.to_extension, r.outcome) for r in rows] == [
        ("2003", TransferOutcome.FAILED),
        ("2002", TransferOutcome.COMPLETED),
    ]
    assert call.transfer_count == 1


def test_transfers_only_ami_saw_are_recorded_with_their_employees(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    staff = _staff(db_engine)
    entry = final_entry("d2-blind-transfer-third-refused")
    open_store.record_finished(entry, NOW)
    call = _call(db_engine, entry.linkedid)
    rows = _transfers(db_engine, call.id)
    assert [
        (r.seq, r.kind, r.to_extension, r.outcome, r.from_employee_id, r.to_employee_id)
        for r in rows
    ] == [
        (1, TransferKind.BLIND, "2001", TransferOutcome.COMPLETED, staff["agent1"], staff["2001"]),
        (2, TransferKind.BLIND, "2002", TransferOutcome.COMPLETED, staff["2001"], staff["2002"]),
        (3, TransferKind.BLIND, "2003", TransferOutcome.FAILED, staff["2002"], staff["2003"]),
    ]
    assert [r.at for r in rows] == [t.at for t in entry.transfers]
    assert call.transfer_count == 2
    assert call.operator_id == staff["agent1"]


def test_partly_guarded_transfers_add_only_the_missing_ones(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    entry = final_entry("d-blind-transfer-chain")
    extra = TransferEntry(
        at=entry.transfers[-1].at + timedelta(seconds=1),
        kind=TransferKind.BLIND,
        to_extension="2001",  # a second transfer to the same number
        from_interface="",
        outcome=TransferOutcome.COMPLETED,
    )
    line = LineStore(db_engine, _settings(db_engine))
    _staff(db_engine)
    line.check_transfer(entry.linkedid, "2001", entry.transfers[0].at, cap=5)
    open_store.record_finished(replace(entry, transfers=(*entry.transfers, extra)), NOW)
    call = _call(db_engine, entry.linkedid)
    rows = _transfers(db_engine, call.id)
    assert [(r.seq, r.to_extension) for r in rows] == [(1, "2001"), (2, "2002"), (3, "2001")]
    assert call.transfer_count == 3


# ----------------------------------------------------------------- operator matching


@pytest.mark.parametrize(
    ("device", "interface"),
    [
        ("PJSIP/201", "PJSIP/201"),
        ("pjsip/201", "PJSIP/201"),
        ("PJSIP/201", "SIP/201"),
        ("PJSIP/201", "Local/201@from-queue/n"),
        ("PJSIP/201", "name:201"),
        ("PJSIP/agent1", "Local/agent1@harness-agents"),
        ("Local/agent1@harness-agents", "Local/agent1@harness-agents"),
    ],
)
def test_operator_is_found_whatever_the_technology(
    device: str, interface: str, open_store: CallLogStore, db_engine: Engine
) -> None:
    operator = add_employee(db_engine, "501", device)
    add_employee(db_engine, "502", "PJSIP/202")
    entry = replace(final_entry("a-answered"), operator_interface=interface)
    open_store.record_finished(entry, NOW)
    assert _call(db_engine, entry.linkedid).operator_id == operator


def test_ambiguous_operator_is_left_unknown(open_store: CallLogStore, db_engine: Engine) -> None:
    add_employee(db_engine, "601", "PJSIP/201")
    add_employee(db_engine, "602", "SIP/201")
    entry = replace(final_entry("a-answered"), operator_interface="Local/201@from-queue")
    result = open_store.record_finished(entry, NOW)
    assert result.outcome is CallOutcome.ANSWERED
    assert _call(db_engine, entry.linkedid).operator_id is None


def test_device_key() -> None:
    assert device_key("PJSIP/201") == device_key("Local/201@from-queue/n") == "201"
    assert device_key("name:agent1") == device_key("Local/agent1@harness-agents") == "agent1"


def test_queue_exit_of_the_entry_decides_the_reason(
    open_store: CallLogStore, db_engine: Engine
) -> None:
    for n, (exit_, reason) in enumerate(
        [
            (QueueExit.TIMEOUT, MissedReason.QUEUE_TIMEOUT),
            (QueueExit.EMPTY, MissedReason.NO_OPERATORS),
            (QueueExit.KEY, MissedReason.LEFT_QUEUE_BY_KEY),
            (QueueExit.CONNECTED, MissedReason.UNKNOWN),
        ]
    ):
        entry = replace(_missed(f"9.{n}", n), queue_exit=exit_)
        assert open_store.record_finished(entry, NOW).missed_reason is reason
