"""The outage test (issue 4, "Nothing is lost when we are down"; C13, C10).

For each capture, the real AMI stream is replayed through the decoder, the event parser, the
projector and the call-log store twice:

* **A**: the whole stream, into a fresh database (the call logged live);
* **B**: only the stream up to a cut in the middle of the call, into a second fresh
  database; the link drops (``connection_lost``, ``resync`` with no channel left: the call
  ended while we were away), then ``reconcile_files`` reads the capture's queue_log and CDR.

A and B must hold the same call on every field both sources know: outcome and missed reason
(C13), answered or not, the operator, the transfers (count, kind, outcome, transferring
operator; the blind transfer's extension) (C10), queue join and wait, talk time with queue
members, arrival, answer and end (within a second: queue_log and CDR keep whole seconds).

What queue_log + CDR cannot restore, so B may differ (or be empty) there when the cut came
before AMI told it: the hang-up cause and its text (never in either file), who hung up after
a transfer or a queue exit other than COMPLETECALLER/COMPLETEAGENT/ABANDON (the CDR's last
application is only a guess), the DID and the IVR's facts (path, topic, language: the IVR
writes those itself), the extension of an attended transfer (queue_log names the bridge,
not the number), transfers made by a leg outside any queue (a Dial target such as d2's
employee2, absent from queue_log), and sub-second times. Asserted equal: everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.cdr import CAPTURES_DIALPLAN
from ami.events import AmiEvent, Hangup
from ami.projector import CallFinished, CallLogProjector, CallLost, CallUpdated
from ami.reconcile import ReconcileSummary, reconcile_files
from models.calendar_store import set_override
from models.call_log_store import CallLogStore
from models.db import session_scope
from models.rules.missed import CallOutcome, MissedReason
from models.settings import Settings
from models.tables import Call, CallTransfer
from models.tables.calls import TransferKind
from tests.ami.captures import HARNESS_CONTEXTS, capture_events
from tests.asterisk_captures import Kind, capture_path
from tests.conftest import EngineFactory
from tests.factories import add_employee

CAPTURE_DAY = date(2026, 11, 28)  # a Saturday: made a working day, so C13 applies
SECOND = timedelta(seconds=1)

# Outage scenarios: answered, abandoned (C13), blind transfer chain and attended (C10).
OUTAGE_CAPTURES = (
    "a-answered",
    "b-abandoned",
    "d-blind-transfer-chain",
    "e-attended-transfer",
)
# Where the link drops: a fraction of the call's events before its inbound Hangup (0.0: the
# link was already down when the call arrived; the reconciliation alone makes the row).
CUTS = (0.0, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class CallRow:
    call: Call
    transfers: tuple[CallTransfer, ...]


def settings_for(engine: Engine, name: str) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        queue_log_path=capture_path(name, Kind.QUEUE_LOG),
        cdr_path=capture_path(name, Kind.CDR),
        timezone="UTC",  # the captures' machine clock
        cdr_timezone="UTC",  # and the zone its CDR was written in
    )


def make_store(engine: Engine, name: str) -> tuple[CallLogStore, Settings]:
    """A store on a fresh database: the capture day made a working day, the staff directory."""
    settings = settings_for(engine, name)
    with session_scope(engine) as session:
        set_override(
            session=session,
            day=CAPTURE_DAY,
            working=True,
            hours=(time(9, 0), time(18, 0)),
            reason="outage test: the captures were recorded on a Saturday",
            actor="test",
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
    # The harness's member devices; employee2 is internal number 2002 (a transfer target).
    add_employee(engine, "2101", "Local/agent1@harness-agents")
    add_employee(engine, "2102", "Local/employee1@harness-agents")
    add_employee(engine, "2002", "Local/employee2@harness-agents")
    return CallLogStore(engine, settings), settings


def feed(
    projector: CallLogProjector, store: CallLogStore, events: Iterable[AmiEvent], now: datetime
) -> list[CallLost]:
    """What the AMI bridge does with the projector's outputs."""
    lost: list[CallLost] = []
    for event in events:
        for output in projector.apply(event):
            if isinstance(output, CallUpdated):
                store.record_progress(output.entry)
            elif isinstance(output, CallFinished):
                store.record_finished(output.entry, now)
            else:
                lost.append(output)
    return lost


def rows(engine: Engine) -> dict[str, CallRow]:
    with Session(engine) as session:
        calls = session.exec(select(Call).order_by(col(Call.linkedid))).all()
        out: dict[str, CallRow] = {}
        for call in calls:
            transfers = session.exec(
                select(CallTransfer)
                .where(CallTransfer.call_id == call.id)
                .order_by(col(CallTransfer.seq))
            ).all()
            out[call.linkedid] = CallRow(call, tuple(transfers))
        return out


def close(left: datetime | None, right: datetime | None) -> bool:
    if left is None or right is None:
        return left is right
    return abs(left - right) < SECOND


def close_s(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is right
    return abs(left - right) < 1.0


def assert_same_call(a: CallRow, b: CallRow) -> None:
    x, y = a.call, b.call
    assert x.linkedid == y.linkedid
    # C13: the verdict and what it rests on
    assert (x.outcome, x.missed_reason, x.in_working_hours) == (
        y.outcome,
        y.missed_reason,
        y.in_working_hours,
    )
    assert (x.answered_at is None) == (y.answered_at is None)
    assert (x.callback_task_id is None) == (y.callback_task_id is None)  # C13 callback
    assert x.operator_id == y.operator_id
    assert (x.caller_number, x.caller_e164, x.caller_name, x.client_id) == (
        y.caller_number,
        y.caller_e164,
        y.caller_name,
        y.client_id,
    )
    assert close_s(x.queue_wait_s, y.queue_wait_s), (x.queue_wait_s, y.queue_wait_s)
    assert close_s(x.talk_s, y.talk_s), (x.talk_s, y.talk_s)
    for field in ("arrived_at", "queue_joined_at", "answered_at", "ended_at"):
        assert close(getattr(x, field), getattr(y, field)), field
    # C10: transfers
    assert x.transfer_count == y.transfer_count
    assert len(a.transfers) == len(b.transfers)
    for s, t in zip(a.transfers, b.transfers, strict=True):
        assert (s.seq, s.kind, s.outcome, s.from_employee_id) == (
            t.seq,
            t.kind,
            t.outcome,
            t.from_employee_id,
        )
        assert close(s.at, t.at)
        if s.kind is TransferKind.BLIND:
            assert (s.to_extension, s.to_employee_id) == (t.to_extension, t.to_employee_id)


def inbound_hangup_index(events: list[AmiEvent]) -> int:
    for index, event in enumerate(events):
        if isinstance(event, Hangup) and event.uniqueid == event.linkedid:
            return index
    raise AssertionError("no Hangup of the inbound channel")


def reconcile(
    store: CallLogStore, settings: Settings, name: str, events: list[AmiEvent]
) -> ReconcileSummary:
    """After the re-login: from before the call to a minute after the capture's end."""
    return reconcile_files(
        settings,
        store,
        events[0].at - timedelta(minutes=5),
        events[-1].at + timedelta(minutes=1),
        dialplan=CAPTURES_DIALPLAN,
    )


def live_database(
    engine_factory: EngineFactory, name: str
) -> tuple[Engine, CallLogStore, Settings]:
    """Database A: the whole stream, logged live."""
    engine = engine_factory()
    store, settings = make_store(engine, name)
    events = capture_events(name)
    projector = CallLogProjector(line_contexts=HARNESS_CONTEXTS)
    assert feed(projector, store, events, events[-1].at) == []
    assert projector.tracked == 0
    return engine, store, settings


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("name", OUTAGE_CAPTURES)
def test_cut_stream_plus_reconciliation_equals_the_uncut_stream(
    engine_factory: EngineFactory, name: str, cut: float
) -> None:
    events = capture_events(name)
    engine_a, _store_a, _settings_a = live_database(engine_factory, name)
    rows_a = rows(engine_a)
    assert len(rows_a) == 1

    engine_b = engine_factory()
    store_b, settings_b = make_store(engine_b, name)
    projector = CallLogProjector(line_contexts=HARNESS_CONTEXTS)
    stop = int(inbound_hangup_index(events) * cut)
    assert feed(projector, store_b, events[:stop], events[stop].at) == []
    # The link drops; at the re-login CoreShowChannels lists nothing: the call is gone.
    projector.connection_lost()
    lost = projector.resync([])
    assert projector.tracked == 0
    (linkedid,) = rows_a
    before = rows(engine_b)
    if cut == 0.0:
        assert (lost, before) == ([], {})
    else:  # known live, in progress, left for the reconciliation to finish
        assert [(type(output), output.entry.linkedid) for output in lost] == [(CallLost, linkedid)]
        assert before[linkedid].call.outcome is None
    summary = reconcile(store_b, settings_b, name, events)
    assert summary == ReconcileSummary(read=1, finished=1, unchanged=0, skipped_lines=0)
    rows_b = rows(engine_b)
    assert rows_b.keys() == rows_a.keys()
    assert_same_call(rows_a[linkedid], rows_b[linkedid])
    if name in ("a-answered", "b-abandoned"):
        # COMPLETEAGENT / ABANDON name the side; after a transfer only the CDR guesses it
        assert rows_a[linkedid].call.hangup_side == rows_b[linkedid].call.hangup_side
    # and once more: the call is finished, a second reconciliation changes nothing
    again = reconcile(store_b, settings_b, name, events)
    assert again == ReconcileSummary(read=1, finished=0, unchanged=1)
    assert_identical(rows_b, rows(engine_b))


EXPECTED_VERDICTS = {
    "a-answered": (CallOutcome.ANSWERED, None, 0),
    "b-abandoned": (CallOutcome.MISSED, MissedReason.ABANDONED_IN_QUEUE, 0),
    "d-blind-transfer-chain": (CallOutcome.ANSWERED, None, 2),
    "e-attended-transfer": (CallOutcome.ANSWERED, None, 1),
}


@pytest.mark.parametrize("name", OUTAGE_CAPTURES)
def test_reconciling_a_call_logged_live_changes_nothing(
    engine_factory: EngineFactory, name: str
) -> None:
    engine, store, settings = live_database(engine_factory, name)
    before = rows(engine)
    (row,) = before.values()
    assert (row.call.outcome, row.call.missed_reason, row.call.transfer_count) == (
        EXPECTED_VERDICTS[name]
    )
    if row.call.answered_at is not None:
        assert row.call.operator_id is not None  # agent1's device in the staff directory
    summary = reconcile(store, settings, name, capture_events(name))
    assert summary == ReconcileSummary(read=1, finished=0, unchanged=1)
    assert_identical(before, rows(engine))


def assert_identical(before: dict[str, CallRow], after: dict[str, CallRow]) -> None:
    assert before.keys() == after.keys()
    for linkedid, row in before.items():
        assert row.call.model_dump() == after[linkedid].call.model_dump()
        assert [t.model_dump() for t in row.transfers] == [
            t.model_dump() for t in after[linkedid].transfers
        ]


def test_capture_files_exist() -> None:
    for name in OUTAGE_CAPTURES:
        for kind in (Kind.AMI, Kind.QUEUE_LOG, Kind.CDR):
            assert capture_path(name, kind).is_file()
