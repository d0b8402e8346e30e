"""Reconciliation from queue_log + CDR (C13): the pure merge over every capture, the window,
and the files fed to the real call-log store (idempotent)."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.call_record import CallLogEntry, EntrySource
from ami.cdr import CAPTURES_DIALPLAN, CAPTURES_LAYOUT, PROJECT_LAYOUT, CdrRow, parse_cdr
from ami.log_sources import SourceState
from ami.reconcile import Reconciler, ReconcileSummary, reconcile, reconcile_files
from models.calendar_store import set_override
from models.call_log_store import CallLogStore
from models.db import session_scope
from models.rules.missed import CallOutcome, MissedReason, QueueExit
from models.settings import Settings
from models.tables import Call, CallbackTask, CallTransfer
from models.tables.calls import HangupSide, TransferKind
from tests.asterisk_captures import Kind, capture_lines, capture_names, moved_lines
from tests.factories import add_employee

NAMES = capture_names(Kind.CDR)
SINCE = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
UNTIL = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # well past every capture (cdr_grace)


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def queue_log_lines(name: str) -> list[str]:
    return capture_lines(name, Kind.QUEUE_LOG)


def cdr_lines(name: str) -> list[str]:
    return capture_lines(name, Kind.CDR)


def cdr_rows(name: str) -> tuple[CdrRow, ...]:
    return parse_cdr(cdr_lines(name), layout=CAPTURES_LAYOUT, tz=UTC).rows


def run(
    name: str,
    *,
    queue_log: list[str] | None = None,
    cdr: tuple[CdrRow, ...] | None = (),
    since: datetime = SINCE,
    until: datetime = UNTIL,
) -> list[CallLogEntry]:
    return reconcile(
        queue_log_lines=queue_log_lines(name) if queue_log is None else queue_log,
        cdr_rows=cdr_rows(name) if cdr == () else cdr,
        since=since,
        until=until,
        dialplan=CAPTURES_DIALPLAN,
    )


# name -> source, queue exit, operator, queue wait, transfers, arrived, ended (epochs)
EXPECTED: dict[str, tuple[EntrySource, QueueExit, str, float | None, int, int, int]] = {
    "a-answered": (
        EntrySource.QUEUE_LOG,
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        3.0,
        0,
        1795867058,
        1795867067,
    ),
    "a2-answered-caller-hangs-up": (
        EntrySource.QUEUE_LOG,
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        3.0,
        0,
        1795867071,
        1795867080,
    ),
    "b-abandoned": (EntrySource.QUEUE_LOG, QueueExit.ABANDONED, "", 8.0, 0, 1795867085, 1795867093),
    "c-afterhours": (EntrySource.CDR, QueueExit.NOT_QUEUED, "", None, 0, 1795867123, 1795867126),
    "c2-noagents-joinempty": (
        EntrySource.CDR,
        QueueExit.EMPTY,
        "",
        None,
        0,
        1795867130,
        1795867134,
    ),
    "d-blind-transfer-chain": (
        EntrySource.QUEUE_LOG,
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        3.0,
        2,
        1795867163,
        1795867181,  # employee2 (a Dial, outside any queue) hung up: from the CDR
    ),
    "d2-blind-transfer-third-refused": (
        EntrySource.QUEUE_LOG,
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        3.0,
        2,  # the third, refused by the dialplan, came from a Dial leg: not in the queue_log
        1795867185,
        1795867201,
    ),
    "e-attended-transfer": (
        EntrySource.QUEUE_LOG,
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        3.0,
        1,
        1795867227,
        1795867243,
    ),
    "f-agi-caller-hangup": (
        EntrySource.CDR,
        QueueExit.NOT_QUEUED,
        "",
        None,
        0,
        1795867248,
        1795867252,
    ),
    "f3-agi-caller-hangup-nosighup": (
        EntrySource.CDR,
        QueueExit.NOT_QUEUED,
        "",
        None,
        0,
        1795867267,
        1795867271,
    ),
    "g-agi-server-down": (
        EntrySource.CDR,
        QueueExit.NOT_QUEUED,
        "",
        None,
        0,
        1795867278,
        1795867280,
    ),
    "ivr-dtmf": (EntrySource.CDR, QueueExit.NOT_QUEUED, "", None, 0, 1795867038, 1795867053),
    "x-full-flow-ivr-queue-survey": (
        EntrySource.QUEUE_LOG,
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        3.0,
        0,
        1795867285,
        1795867303,  # after the survey: from the CDR
    ),
}


def test_every_capture_is_expected() -> None:
    assert sorted(EXPECTED) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_capture(name: str) -> None:
    (entry,) = run(name)
    source, exit_, operator, wait, transfers, arrived, ended = EXPECTED[name]
    assert entry.source is source
    assert entry.linkedid == f"{arrived}.0"
    assert entry.queue_exit is exit_
    assert entry.operator_interface == operator
    assert entry.queue_wait_s == wait
    assert len(entry.transfers) == transfers
    assert entry.arrived_at == at(arrived)
    assert entry.ended_at == at(ended)
    assert entry.caller_number == "79281234567"
    assert entry.caller_name == "Ivan Petrov"  # from the CDR's clid
    assert entry.reached_operator == (exit_ is QueueExit.CONNECTED)


def test_queue_facts_win_over_the_cdr() -> None:
    (a,) = run("a-answered")
    assert a.answered_at == at(1795867061)  # CONNECT, not the CDR row's start
    assert a.queue_joined_at == at(1795867058)
    assert a.hangup_side is HangupSide.OPERATOR  # COMPLETEAGENT, not the CDR's "Hangup" app
    assert a.talk_s == 6.0
    (b,) = run("b-abandoned")
    assert b.hangup_side is HangupSide.CALLER


def test_transfers_keep_the_queue_log_detail() -> None:
    (d,) = run("d-blind-transfer-chain")
    assert [(t.kind, t.to_extension, t.from_interface) for t in d.transfers] == [
        (TransferKind.BLIND, "2001", "name:agent1"),
        (TransferKind.BLIND, "2002", "name:employee1"),
    ]
    (e,) = run("e-attended-transfer")
    assert [(t.kind, t.at) for t in e.transfers] == [(TransferKind.ATTENDED, at(1795867238))]


def test_same_result_with_the_project_layout() -> None:
    """newcdrcolumns (the project's cdr.conf) groups by Linkedid: same entries."""
    for name in NAMES:
        linkedid = f"{EXPECTED[name][5]}.0"
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for sequence, fields in enumerate(csv.reader(cdr_lines(name))):
            writer.writerow([*fields, "", linkedid, str(sequence)])
        rows = parse_cdr(out.getvalue().splitlines(keepends=True), layout=PROJECT_LAYOUT, tz=UTC)
        assert run(name, cdr=rows.rows) == run(name), name


def test_pure_and_repeatable() -> None:
    for name in NAMES:
        assert run(name) == run(name)


def test_only_calls_that_ended_in_the_window() -> None:
    ended = at(1795867067)  # a-answered's COMPLETEAGENT and its CDR's end
    assert run("a-answered", since=ended) != []
    assert run("a-answered", since=ended + timedelta(seconds=1)) == []
    assert run("a-answered", until=ended + timedelta(hours=3)) != []
    # [since, until): a call ending exactly at ``until`` belongs to the next window
    assert run("a-answered", until=ended) == []


def test_several_calls_in_one_file_sorted_by_end() -> None:
    queue_log = queue_log_lines("b-abandoned") + queue_log_lines("a-answered")
    rows = cdr_rows("b-abandoned") + cdr_rows("c-afterhours") + cdr_rows("a-answered")
    entries = reconcile(
        queue_log_lines=queue_log,
        cdr_rows=rows,
        since=SINCE,
        until=UNTIL,
        dialplan=CAPTURES_DIALPLAN,
    )
    assert [entry.linkedid for entry in entries] == ["1795867058.0", "1795867085.0", "1795867123.0"]


# ------------------------------------------------------------- one source, or a cut source


def test_queue_log_alone_without_any_cdr_source() -> None:
    # cdr_rows=None: no CDR at all; a call transferred out of the queue ends at the transfer
    (d,) = run("d-blind-transfer-chain", cdr=None)
    assert d.ended_at == at(1795867174)
    assert d.operator_interface == "name:agent1"  # no CDR to turn the name into a device
    assert d.caller_name == ""
    (a,) = run("a-answered", cdr=None)
    assert a.ended_at == at(1795867067)
    assert run("c2-noagents-joinempty", cdr=None) == []  # JOINEMPTY: invisible in queue_log


def test_queue_log_call_without_its_cdr_waits_for_it() -> None:
    """With a CDR source, a queue call whose CDR is not written yet may still be up (the
    survey, a talk with an employee after a transfer): finished only ``cdr_grace`` later."""
    soon = at(1795867067) + timedelta(minutes=5)
    assert run("a-answered", cdr=(), until=soon) != []  # with its CDR: finished
    no_cdr: tuple[CdrRow, ...] = ()
    entries = reconcile(
        queue_log_lines=queue_log_lines("a-answered"),
        cdr_rows=no_cdr,
        since=SINCE,
        until=soon,
        dialplan=CAPTURES_DIALPLAN,
    )
    assert entries == []
    later = reconcile(
        queue_log_lines=queue_log_lines("a-answered"),
        cdr_rows=no_cdr,
        since=SINCE,
        until=at(1795867067) + timedelta(hours=2),
        dialplan=CAPTURES_DIALPLAN,
    )
    assert [entry.ended_at for entry in later] == [at(1795867067)]
    transferred = reconcile(
        queue_log_lines=queue_log_lines("d-blind-transfer-chain"),
        cdr_rows=no_cdr,
        since=SINCE,
        until=at(1795867174) + timedelta(hours=2),
        dialplan=CAPTURES_DIALPLAN,
    )
    assert [entry.ended_at for entry in transferred] == [at(1795867174)]


def test_queue_log_cut_before_the_end_is_finished_by_the_cdr() -> None:
    # COMPLETEAGENT never reached the file; the CDR shows the inbound channel hung up
    (a,) = run("a-answered", queue_log=queue_log_lines("a-answered")[:-1])
    assert a.queue_exit is QueueExit.CONNECTED
    assert a.answered_at == at(1795867061)
    assert a.ended_at == at(1795867067)
    assert a.talk_s == 6.0
    # ABANDON missing: the caller was still in the queue when the channel hung up
    (b,) = run("b-abandoned", queue_log=queue_log_lines("b-abandoned")[:-1])
    assert b.queue_exit is QueueExit.ABANDONED
    assert b.hangup_side is HangupSide.CALLER
    assert b.ended_at == at(1795867093)
    assert b.queue_wait_s == 8.0


def test_cdr_alone_for_a_queue_call() -> None:
    # queue_log rotated away: the CDR still tells answered from abandoned
    (a,) = run("a-answered", queue_log=[])
    assert a.source is EntrySource.CDR
    assert a.queue_exit is QueueExit.CONNECTED
    assert a.operator_interface == "Local/agent1@harness-agents"
    (b,) = run("b-abandoned", queue_log=[])
    assert b.queue_exit is QueueExit.ABANDONED


# ---------------------------------------------------------------- files and the real store

CAPTURE_DAY = date(2026, 11, 28)  # a Saturday; made a working day where C13 is under test


def write_files(tmp_path: Path, names: list[str] = NAMES) -> tuple[Path, Path]:
    """One queue_log and one Master.csv holding the given captures, in order."""
    queue_log = tmp_path / "queue_log"
    cdr = tmp_path / "Master.csv"
    queue_log.write_text("".join(line for n in names for line in queue_log_lines(n)), "utf-8")
    cdr.write_text("".join(line for n in names for line in cdr_lines(n)), "utf-8")
    return queue_log, cdr


def store_for(
    engine: Engine, queue_log: Path, *, working_day: bool
) -> tuple[CallLogStore, Settings]:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        queue_log_path=queue_log,
        timezone="UTC",  # the captures' clock and CDR wall-clock times
        cdr_timezone="UTC",
    )
    if working_day:
        with session_scope(engine) as session:
            set_override(
                session=session,
                day=CAPTURE_DAY,
                working=True,
                hours=(time(9, 0), time(18, 0)),
                reason="test: the captures were recorded on a Saturday",
                actor="test",
                now=SINCE,
            )
    add_employee(engine, "2101", "Local/agent1@harness-agents")
    add_employee(engine, "2102", "Local/employee1@harness-agents")
    add_employee(engine, "2002", "Local/employee2@harness-agents")
    return CallLogStore(engine, settings), settings


def run_files(
    store: CallLogStore, settings: Settings, cdr: Path | None, *, now: datetime = UNTIL
) -> ReconcileSummary:
    with_cdr = settings.model_copy(update={"cdr_path": cdr})
    return reconcile_files(with_cdr, store, SINCE, now, dialplan=CAPTURES_DIALPLAN)


def snapshot(engine: Engine) -> dict[str, list[dict[str, object]]]:
    with Session(engine) as session:
        return {
            "calls": [
                row.model_dump() for row in session.exec(select(Call).order_by(col(Call.id)))
            ],
            "transfers": [
                row.model_dump()
                for row in session.exec(select(CallTransfer).order_by(col(CallTransfer.id)))
            ],
            "callbacks": [
                row.model_dump()
                for row in session.exec(select(CallbackTask).order_by(col(CallbackTask.id)))
            ],
        }


def calls_by_linkedid(engine: Engine) -> dict[str, Call]:
    with Session(engine) as session:
        return {call.linkedid: call for call in session.exec(select(Call)).all()}


def test_reconciling_twice_changes_nothing(db_engine: Engine, tmp_path: Path) -> None:
    queue_log, cdr = write_files(tmp_path)
    store, settings = store_for(db_engine, queue_log, working_day=True)
    first = run_files(store, settings, cdr)
    assert first == ReconcileSummary(read=13, finished=13, unchanged=0, skipped_lines=0)
    after_first = snapshot(db_engine)
    second = run_files(store, settings, cdr)
    assert second == ReconcileSummary(read=13, finished=0, unchanged=13, skipped_lines=0)
    assert snapshot(db_engine) == after_first

    calls = calls_by_linkedid(db_engine)
    verdicts = {
        name: (
            calls[f"{EXPECTED[name][5]}.0"].outcome,
            calls[f"{EXPECTED[name][5]}.0"].missed_reason,
        )
        for name in NAMES
    }
    assert verdicts["a-answered"] == (CallOutcome.ANSWERED, None)
    assert verdicts["b-abandoned"] == (CallOutcome.MISSED, MissedReason.ABANDONED_IN_QUEUE)
    # C13: JOINEMPTY left no queue_log line; the CDR alone makes it a "no operators" miss
    assert verdicts["c2-noagents-joinempty"] == (CallOutcome.MISSED, MissedReason.NO_OPERATORS)
    assert verdicts["f-agi-caller-hangup"] == (CallOutcome.MISSED, MissedReason.ABANDONED_IN_IVR)
    assert verdicts["d-blind-transfer-chain"] == (CallOutcome.ANSWERED, None)
    a = calls["1795867058.0"]
    assert a.operator_id is not None  # the member's device from the CDR, in the directory
    assert calls["1795867163.0"].transfer_count == 2  # C10
    assert calls["1795867227.0"].transfer_count == 1
    # C13: one open callback task for the number, every missed call attached to it
    tasks = snapshot(db_engine)["callbacks"]
    assert len(tasks) == 1
    missed = [call for call in calls.values() if call.outcome is CallOutcome.MISSED]
    assert len(missed) == 7
    assert {call.callback_task_id for call in missed} == {tasks[0]["id"]}


def test_outside_working_hours_nothing_is_missed(db_engine: Engine, tmp_path: Path) -> None:
    queue_log, cdr = write_files(tmp_path)
    store, settings = store_for(db_engine, queue_log, working_day=False)  # a Saturday
    assert run_files(store, settings, cdr).finished == 13
    outcomes = {call.outcome for call in calls_by_linkedid(db_engine).values()}
    assert outcomes == {CallOutcome.ANSWERED, CallOutcome.AFTER_HOURS}
    assert snapshot(db_engine)["callbacks"] == []


def test_window_of_the_files(db_engine: Engine, tmp_path: Path) -> None:
    queue_log, cdr = write_files(tmp_path)
    store, settings = store_for(db_engine, queue_log, working_day=True)
    # calls that ended before 11:58:00: ivr-dtmf (11:57:33) and a-answered (11:57:47)
    summary = run_files(store, settings, cdr, now=datetime(2026, 11, 28, 11, 58, tzinfo=UTC))
    assert (summary.read, summary.finished) == (2, 2)
    assert set(calls_by_linkedid(db_engine)) == {"1795867038.0", "1795867058.0"}
    # the next window picks up the rest, and leaves those two alone
    assert run_files(store, settings, cdr) == ReconcileSummary(13, 11, 2, 0)


def test_missing_queue_log(
    db_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _queue_log, cdr = write_files(tmp_path)
    store, settings = store_for(db_engine, tmp_path / "absent", working_day=True)
    with caplog.at_level(logging.WARNING, logger="ami.reconcile"):
        summary = run_files(store, settings, cdr)
    assert summary == ReconcileSummary()
    assert summary.sources[0].state is SourceState.MISSING
    assert "не найден" in caplog.text
    assert snapshot(db_engine)["calls"] == []


def test_missing_cdr_uses_the_queue_log_alone(
    db_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue_log, _cdr = write_files(tmp_path)
    store, settings = store_for(db_engine, queue_log, working_day=True)
    with caplog.at_level(logging.WARNING, logger="ami.reconcile"):
        summary = run_files(store, settings, tmp_path / "absent.csv")
    assert "не найден" in caplog.text
    assert [source.state for source in summary.sources] == [
        SourceState.OK,
        SourceState.MISSING,
    ]
    # the seven queue calls; the six that never reached a queue need the CDR
    assert summary == ReconcileSummary(read=7, finished=7, unchanged=0, skipped_lines=0)
    d = calls_by_linkedid(db_engine)["1795867163.0"]
    assert d.ended_at == at(1795867174)  # ends at the last transfer: no CDR to say more
    assert run_files(store, settings, None) == ReconcileSummary(7, 0, 7, 0)


def test_garbled_and_partial_lines_in_the_files(db_engine: Engine, tmp_path: Path) -> None:
    queue_log, cdr = write_files(tmp_path)
    with queue_log.open("a", encoding="utf-8") as file:
        file.write("garbage\n1795867300|x|consult|NONE|CONNECT|bad|1|2\n")
        file.write("1795867301|1795867301.0|consult|NONE|ENTERQ")  # still being written
    with cdr.open("ab") as file:
        file.write(b'"only","three","columns"\n\xff\xfe broken bytes\n')
    store, settings = store_for(db_engine, queue_log, working_day=True)
    summary = run_files(store, settings, cdr)
    assert summary == ReconcileSummary(read=13, finished=13, unchanged=0, skipped_lines=4)


def test_requeued_after_a_transfer_and_cut_before_the_abandon() -> None:
    # answered, blind transfer refused, back in the queue, the caller hangs up there; the
    # ABANDON line is missing but the CDR shows the channel hung up
    queue_log = [
        "1795867058|1795867058.0|consult|agent1|CONNECT|3|1795867058.2|3\n",
        "1795867061|1795867058.0|consult|agent1|BLINDTRANSFER|2005|harness-transfer|3|3|1\n",
        "1795867062|1795867058.0|consult|NONE|ENTERQUEUE||79281234567|1\n",
    ]
    (entry,) = run("a-answered", queue_log=queue_log)
    assert entry.queue_exit is QueueExit.CONNECTED  # an operator was reached before
    assert entry.talk_s == 3.0  # no double counting of the first conversation
    assert entry.hangup_side is HangupSide.CALLER
    assert entry.ended_at == at(1795867067)


# ------------------------------------------------------------- only the line's calls (C13)


def cdr_edited(lines: list[str], **values: str) -> list[str]:
    """The recordings' CDR lines (18 columns) with the named columns set on every row."""
    index = {name: number for number, name in enumerate(CAPTURES_LAYOUT.columns)}
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for fields in csv.reader(lines):
        for name, value in values.items():
            fields[index[name]] = value
        writer.writerow(fields)
    return out.getvalue().splitlines(keepends=True)


def other_calls_on_the_pbx() -> tuple[list[str], list[str]]:
    """queue_log and CDR lines of calls on the same PBX that are not the line's, made from
    recorded ones: operator 201 calling operator 202, a caller hanging up in another
    department's menu, and a call answered in another department's queue."""
    operators = cdr_edited(
        moved_lines("c-afterhours", Kind.CDR, 600)[:1],  # one row: the caller's phone
        src="201",
        dst="202",
        dcontext="consult-line-operators",
        clid='"Оператор" <201>',
        channel="PJSIP/201-00000010",
        dstchannel="PJSIP/202-00000011",
        lastapp="Dial",
        lastdata="PJSIP/202,20",
    )
    other_menu = cdr_edited(
        moved_lines("f-agi-caller-hangup", Kind.CDR, 700),
        src="79280000001",
        clid='"" <79280000001>',
        dst="78722671234",
        dcontext="other-department-ivr",
    )
    other_queue_log = [
        line.replace("|consult|", "|sales|")
        for line in moved_lines("a-answered", Kind.QUEUE_LOG, 800)
    ]
    other_queue = cdr_edited(
        moved_lines("a-answered", Kind.CDR, 800),
        dcontext="sales-inbound",
        lastdata="sales,tc,,,120",
    )
    return other_queue_log, operators + other_menu + other_queue


def append(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.writelines(lines)


def test_only_the_lines_calls_are_reconciled(db_engine: Engine, tmp_path: Path) -> None:
    """C13 is about the line's callers: an operator calling another, another department's
    caller hanging up in its menu (with a full number: a callback task before), a call of
    another queue are not the line's missed calls, at any login or night."""
    queue_log, cdr = write_files(tmp_path)
    other_queue_log, other_cdr = other_calls_on_the_pbx()
    append(queue_log, other_queue_log)
    append(cdr, other_cdr)
    store, settings = store_for(db_engine, queue_log, working_day=True)
    assert run_files(store, settings, cdr) == ReconcileSummary(13, 13, 0, 0)
    assert set(calls_by_linkedid(db_engine)) == {f"{EXPECTED[n][5]}.0" for n in NAMES}
    tasks = snapshot(db_engine)["callbacks"]
    assert [task["phone_e164"] for task in tasks] == ["+79281234567"]
    # the queue_log alone: the other queue's call is not the line's either
    entries = reconcile(
        queue_log_lines=queue_log_lines("a-answered") + other_queue_log,
        cdr_rows=None,
        since=SINCE,
        until=UNTIL,
        dialplan=CAPTURES_DIALPLAN,
    )
    assert [entry.linkedid for entry in entries] == ["1795867058.0"]


# ------------------------------------------------------------- runs one after another


@pytest.fixture
def reconciler_for(tmp_path: Path) -> Iterator[Callable[[Settings], Reconciler]]:
    """``Reconciler``s with the captures' dialplan, closed after the test."""
    made: list[Reconciler] = []

    def make(settings: Settings) -> Reconciler:
        made.append(Reconciler(settings, dialplan=CAPTURES_DIALPLAN))
        return made[-1]

    yield make
    for reconciler in made:
        reconciler.close()


def test_a_call_waiting_for_its_cdr_is_finished_by_the_next_run(
    db_engine: Engine, tmp_path: Path, reconciler_for: Callable[[Settings], Reconciler]
) -> None:
    """C13, cdr.conf ``batch = yes``: the CDR rows of a queue call, and of a call that hung up
    in the menu, are written after the run that saw the queue call end in the queue_log; the
    next run's window starts after both ended. Both are finished by that run, with the CDR's
    end (after the survey), and only once."""
    survey, ivr = "x-full-flow-ivr-queue-survey", "f-agi-caller-hangup"
    queue_log, cdr = tmp_path / "queue_log", tmp_path / "Master.csv"
    append(queue_log, queue_log_lines(survey) + queue_log_lines(ivr))
    append(cdr, [])
    store, settings = store_for(db_engine, queue_log, working_day=True)
    reconciler = reconciler_for(settings.model_copy(update={"cdr_path": cdr}))
    first_now = at(1795867303) + timedelta(minutes=1)
    first = reconciler.run(store, SINCE, first_now)
    assert (first.read, first.waiting) == (0, 1)  # the survey call waits for its CDR
    append(cdr, cdr_lines(survey) + cdr_lines(ivr))
    second_now = first_now + timedelta(minutes=5)
    second = reconciler.run(store, first_now, second_now)
    third = reconciler.run(store, second_now, second_now + timedelta(minutes=5))
    assert (second.read, second.finished, second.waiting) == (2, 2, 0)
    assert (third.read, third.waiting) == (0, 0)
    calls = calls_by_linkedid(db_engine)
    assert calls["1795867285.0"].outcome is CallOutcome.ANSWERED
    assert calls["1795867285.0"].ended_at == at(1795867303)  # the CDR's end, not 1795867296
    assert (calls["1795867248.0"].outcome, calls["1795867248.0"].missed_reason) == (
        CallOutcome.MISSED,
        MissedReason.ABANDONED_IN_IVR,
    )


def test_a_call_split_by_a_rotation_of_the_queue_log_is_seen_whole(
    db_engine: Engine, tmp_path: Path, reconciler_for: Callable[[Settings], Reconciler]
) -> None:
    """The lines a run read stay with the reconciler: after ``logger rotate`` the call's
    ENTERQUEUE (the caller's number) is in the old file, its end in the new one."""
    queue_log = tmp_path / "queue_log"
    lines = queue_log_lines("a-answered")
    append(queue_log, lines[:-1])  # joined and answered: still talking
    store, settings = store_for(db_engine, queue_log, working_day=True)
    reconciler = reconciler_for(settings)  # no CDR: the queue_log alone
    first_now = at(1795867063)
    assert reconciler.run(store, SINCE, first_now).read == 0
    queue_log.rename(tmp_path / "queue_log.1")
    append(queue_log, lines[-1:])
    assert reconciler.run(store, first_now, UNTIL).read == 1
    call = calls_by_linkedid(db_engine)["1795867058.0"]
    assert call.caller_number == "79281234567"  # from the ENTERQUEUE before the rotation
    assert call.queue_joined_at == at(1795867058)
    assert call.ended_at == at(1795867067)


def test_a_file_grown_by_days_is_read_on_and_only_from_where_it_stopped(
    db_engine: Engine, tmp_path: Path, reconciler_for: Callable[[Settings], Reconciler]
) -> None:
    """The link was down for two days: the next run reads the two days appended since the
    last run, every call in them, and nothing it had read before (a line scribbled over at
    the start of the file is not read again)."""
    queue_log, cdr = write_files(tmp_path)
    store, settings = store_for(db_engine, queue_log, working_day=False)
    reconciler = reconciler_for(settings.model_copy(update={"cdr_path": cdr}))
    first_now = at(1795867303) + timedelta(minutes=1)
    assert reconciler.run(store, SINCE, first_now).read == len(NAMES)
    for path in (queue_log, cdr):
        with path.open("r+b") as file:
            file.write(b"#" * (len(file.readline()) - 1))  # the first line, garbled
    hours = 48
    for hour in range(1, hours + 1):
        append(queue_log, moved_lines("b-abandoned", Kind.QUEUE_LOG, 3600 * hour))
        append(cdr, moved_lines("b-abandoned", Kind.CDR, 3600 * hour))
    later = first_now + timedelta(hours=hours, minutes=5)
    summary = reconciler.run(store, first_now, later)
    assert summary == ReconcileSummary(read=hours, finished=hours, unchanged=0, skipped_lines=0)
    assert len(calls_by_linkedid(db_engine)) == len(NAMES) + hours
