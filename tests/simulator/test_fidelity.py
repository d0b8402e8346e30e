"""The training line's quality bar: a recorded call played on the simulator gives the call-log
record the recording gives.

Each recording of ``tests/fixtures/asterisk`` that the simulator can play is played again on
the recordings' PBX (``tests.simulator.harness``: the same dialplan, queues and phones, the
same harness actions at the same instants, all read from the recording), its AMI stream read
from the simulator's socket and fed to the unchanged decoder, parser and projector, exactly
as ``tests/ami/test_projector_captures.py`` feeds the recording itself. Outcome, reason,
operator, transfers and hang-up side must be equal; times within a second.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from ami.call_record import CallLogEntry
from ami.projector import CallFinished
from ami.stream import decode_all
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind
from tests.ami.captures import events_of, final_entry, project
from tests.simulator.replay import PLAYABLE, replay

SECOND = 1.0


async def simulated_entry(name: str) -> CallLogEntry:
    played = await replay(name)
    finished = [
        out
        for out in project(events_of(decode_all(played.stream)))
        if isinstance(out, CallFinished)
    ]
    assert len(finished) == 1, finished
    assert finished[0].complete
    return finished[0].entry


def _close(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) <= SECOND


@pytest.mark.parametrize("name", PLAYABLE)
async def test_the_simulated_call_logs_as_the_recorded_one(name: str) -> None:  # C13, C10
    recorded = final_entry(name)
    simulated = await simulated_entry(name)
    assert simulated.linkedid == recorded.linkedid  # the first channel of a fresh PBX: .0
    assert (simulated.caller_number, simulated.caller_name) == (
        recorded.caller_number,
        recorded.caller_name,
    )
    assert simulated.queue_exit is recorded.queue_exit  # the outcome, and the missed reason
    assert simulated.reached_operator is recorded.reached_operator
    assert simulated.operator_interface == recorded.operator_interface
    assert simulated.hangup_side is recorded.hangup_side
    assert (simulated.hangup_cause, simulated.hangup_cause_text) == (
        recorded.hangup_cause,
        recorded.hangup_cause_text,
    )
    assert [(t.kind, t.to_extension, t.from_interface, t.outcome) for t in simulated.transfers] == [
        (t.kind, t.to_extension, t.from_interface, t.outcome) for t in recorded.transfers
    ]
    for ours, theirs in zip(simulated.transfers, recorded.transfers, strict=True):
        assert _close(ours.at, theirs.at)
    assert _close(simulated.arrived_at, recorded.arrived_at)
    assert _close(simulated.queue_joined_at, recorded.queue_joined_at)
    assert _close(simulated.answered_at, recorded.answered_at)
    assert _close(simulated.ended_at, recorded.ended_at)
    if recorded.queue_wait_s is None:
        assert simulated.queue_wait_s is None
    else:
        assert simulated.queue_wait_s == pytest.approx(recorded.queue_wait_s, abs=SECOND)
    if recorded.talk_s is None:
        assert simulated.talk_s is None
    else:
        assert simulated.talk_s == pytest.approx(recorded.talk_s, abs=SECOND)


async def test_the_third_transfer_refused_by_the_dialplan_is_failed_in_the_log() -> None:  # C10
    # Figures as the recording shows them (test_projector_captures.py): AMI answered all
    # three "Success"; the dialplan refused the third, nobody was reached.
    entry = await simulated_entry("d2-blind-transfer-third-refused")
    assert [(t.kind, t.to_extension, t.outcome) for t in entry.transfers] == [
        (TransferKind.BLIND, "2001", TransferOutcome.COMPLETED),
        (TransferKind.BLIND, "2002", TransferOutcome.COMPLETED),
        (TransferKind.BLIND, "2003", TransferOutcome.FAILED),
    ]
    assert entry.hangup_side is HangupSide.SYSTEM


async def test_an_abandoned_call_waited_the_callers_eight_seconds() -> None:  # C13
    entry = await simulated_entry("b-abandoned")
    assert entry.queue_exit is QueueExit.ABANDONED
    assert entry.queue_wait_s == pytest.approx(8.0, abs=0.01)  # CALLER_SCRIPT w8/h, exact
    assert entry.hangup_side is HangupSide.CALLER


async def test_the_harness_actions_got_asterisks_replies() -> None:
    played = await replay("d2-blind-transfer-third-refused")
    assert [reply.split(b"\r\n")[-3] for reply in played.replies] == [
        b"Message: Transfer succeeded"
    ] * 3  # the third too: the dialplan refuses it only afterwards
    played = await replay("c2-noagents-joinempty")
    assert played.replies == [  # as recorded (harness-2 and harness-4, without ActionID)
        b"Response: Success\r\nMessage: Interface paused successfully\r\n\r\n",
        b"Response: Success\r\nMessage: Interface unpaused successfully\r\n\r\n",
    ]
