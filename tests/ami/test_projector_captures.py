"""Every real Asterisk 22 capture replayed through decoder, parser and projector: the call
log rows they must give (tests/fixtures/asterisk/README.md describes each scenario)."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from ami.call_record import CallLogEntry, EntrySource
from ami.events import parse_timestamp
from ami.projector import CallFinished, CallUpdated
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind
from tests.ami.captures import (
    SCENARIOS,
    capture_bytes,
    capture_events,
    chunks,
    decode_chunked,
    events_of,
    final_entry,
    project,
)

AGENT1 = "Local/agent1@harness-agents"
EMPLOYEE1 = "Local/employee1@harness-agents"
EMPLOYEE2 = "Local/employee2@harness-agents"
CALLER_NUMBER = "79281234567"


def _seconds(start: object, end: object) -> float:
    assert start is not None
    assert end is not None
    delta = end - start  # type: ignore[operator]
    assert isinstance(delta, timedelta)
    return delta.total_seconds()


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_capture_logs_one_call_from_the_caller(name: str) -> None:
    entry = final_entry(name)
    assert entry.source is EntrySource.AMI
    assert entry.linkedid.endswith(".0")  # the first channel of a freshly started Asterisk
    assert (entry.caller_number, entry.caller_name) == (CALLER_NUMBER, "Ivan Petrov")
    assert entry.ended_at is not None
    assert entry.ended_at > entry.arrived_at
    assert entry.hangup_cause == 16
    assert entry.hangup_cause_text == "Normal Clearing"


def test_answered_by_agent1_after_about_three_seconds_and_the_agent_hung_up() -> None:
    entry = final_entry("a-answered")
    assert entry.linkedid == "1795867058.0"
    assert entry.arrived_at == parse_timestamp("1795867058.735585")  # the first Newchannel
    assert entry.queue_joined_at == parse_timestamp("1795867058.738498")
    assert entry.queue_wait_s == pytest.approx(3.0, abs=0.05)
    assert entry.queue_exit is QueueExit.CONNECTED
    assert entry.answered_at == parse_timestamp("1795867061.743505")
    assert entry.operator_interface == AGENT1
    assert entry.talk_s == 6.0  # AgentComplete TalkTime
    assert entry.hangup_side is HangupSide.OPERATOR  # AgentComplete Reason: agent
    assert entry.ended_at == parse_timestamp("1795867067.247549")  # the inbound Hangup
    assert entry.transfers == ()


def test_caller_hangs_up_while_talking() -> None:
    entry = final_entry("a2-answered-caller-hangs-up")
    assert entry.operator_interface == AGENT1
    assert entry.queue_exit is QueueExit.CONNECTED
    assert entry.talk_s == 6.0
    assert entry.hangup_side is HangupSide.CALLER


def test_abandoned_after_eight_seconds_in_the_queue() -> None:
    entry = final_entry("b-abandoned")
    assert entry.queue_exit is QueueExit.ABANDONED
    assert entry.queue_wait_s == pytest.approx(8.0, abs=0.05)
    assert not entry.reached_operator
    assert entry.operator_interface == ""  # agent1 only rang
    assert entry.talk_s is None
    assert entry.hangup_side is HangupSide.CALLER


def test_after_hours_message_then_the_pbx_hangs_up() -> None:
    entry = final_entry("c-afterhours")
    assert entry.queue_exit is QueueExit.NOT_QUEUED
    assert entry.queue_joined_at is None
    assert entry.hangup_side is HangupSide.SYSTEM
    assert _seconds(entry.arrived_at, entry.ended_at) == pytest.approx(2.64, abs=0.01)


def test_no_operators_joinempty_is_only_a_varset() -> None:
    entry = final_entry("c2-noagents-joinempty")
    assert entry.queue_exit is QueueExit.EMPTY
    assert entry.queue_joined_at is None
    assert entry.queue_wait_s is None
    assert entry.hangup_side is HangupSide.SYSTEM


def test_two_blind_transfers_then_the_employee_hangs_up() -> None:
    entry = final_entry("d-blind-transfer-chain")
    assert entry.operator_interface == AGENT1  # who answered first
    assert entry.queue_wait_s == pytest.approx(3.0, abs=0.05)  # the second-line queue not added
    assert [(t.kind, t.to_extension, t.from_interface, t.outcome) for t in entry.transfers] == [
        (TransferKind.BLIND, "2001", AGENT1, TransferOutcome.COMPLETED),
        (TransferKind.BLIND, "2002", EMPLOYEE1, TransferOutcome.COMPLETED),
    ]
    assert entry.transfers[0].at == parse_timestamp("1795867169.794736")
    assert entry.talk_s == 6.0  # agent1 3 s + employee1 3 s (queue calls)
    assert entry.hangup_side is HangupSide.OPERATOR  # employee2 hung up
    assert entry.did == ""


def test_third_blind_transfer_refused_by_the_dialplan_is_failed() -> None:
    entry = final_entry("d2-blind-transfer-third-refused")
    assert [(t.to_extension, t.from_interface, t.outcome) for t in entry.transfers] == [
        ("2001", AGENT1, TransferOutcome.COMPLETED),
        ("2002", EMPLOYEE1, TransferOutcome.COMPLETED),
        ("2003", EMPLOYEE2, TransferOutcome.FAILED),  # AMI said Success; nobody was reached
    ]
    assert entry.hangup_side is HangupSide.SYSTEM  # Playback(feature-not-avail-line), Hangup


def test_attended_transfer_to_2002() -> None:
    entry = final_entry("e-attended-transfer")
    [transfer] = entry.transfers
    assert (transfer.kind, transfer.to_extension, transfer.from_interface, transfer.outcome) == (
        TransferKind.ATTENDED,
        "2002",
        AGENT1,
        TransferOutcome.COMPLETED,
    )
    assert transfer.at == parse_timestamp("1795867238.354776")
    assert entry.talk_s == 8.0
    assert entry.hangup_side is HangupSide.OPERATOR  # employee2 hung up on the caller


@pytest.mark.parametrize("name", ["f-agi-caller-hangup", "f3-agi-caller-hangup-nosighup"])
def test_caller_hangs_up_during_the_agi(name: str) -> None:
    entry = final_entry(name)
    assert entry.queue_exit is QueueExit.NOT_QUEUED
    assert entry.hangup_side is HangupSide.CALLER
    # The AGI channel's Hangup comes when the AGI session ends, 0.5 s after the caller left.
    assert _seconds(entry.arrived_at, entry.ended_at) == pytest.approx(3.97, abs=0.01)


@pytest.mark.parametrize("name", ["g-agi-server-down", "ivr-dtmf"])
def test_ivr_only_calls_end_by_the_pbx(name: str) -> None:
    entry = final_entry(name)
    assert entry.queue_exit is QueueExit.NOT_QUEUED
    assert entry.hangup_side is HangupSide.SYSTEM


def test_full_flow_records_the_dialled_number_and_the_operator() -> None:
    entry = final_entry("x-full-flow-ivr-queue-survey")
    assert entry.did == "78722678091"
    assert entry.queue_exit is QueueExit.CONNECTED
    assert entry.operator_interface == AGENT1
    assert entry.talk_s == 5.0
    # The agent ended the conversation; the survey and the PBX's hang-up came after.
    assert entry.hangup_side is HangupSide.OPERATOR


@pytest.mark.parametrize("name", SCENARIOS)
def test_updates_before_the_finish_are_snapshots_without_an_end(name: str) -> None:
    outputs = project(capture_events(name))
    assert isinstance(outputs[-1], CallFinished)
    updates = outputs[:-1]
    assert updates
    assert all(isinstance(out, CallUpdated) for out in updates)
    entries: list[CallLogEntry] = [out.entry for out in updates]
    assert all(entry.ended_at is None and entry.hangup_side is None for entry in entries)
    assert len({entry.linkedid for entry in entries}) == 1
    assert all(a != b for a, b in pairwise(entries))


@pytest.mark.parametrize("name", SCENARIOS)
def test_replay_is_deterministic_however_the_bytes_arrive(name: str) -> None:
    reference = project(capture_events(name))
    assert project(capture_events(name)) == reference
    for seed, max_size in [(11, 1), (12, 5), (13, 700)]:
        pieces = chunks(capture_bytes(name), seed=seed, max_size=max_size)
        assert project(events_of(decode_chunked(pieces))) == reference
