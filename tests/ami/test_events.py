"""Typed AMI events from real Asterisk 22 messages; malformed ones are counted, never raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ami.events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AttendedTransfer,
    BlindTransfer,
    BridgeEnter,
    Channel,
    CoreShowChannel,
    DialEnd,
    DTMFEnd,
    FullyBooted,
    Hangup,
    HangupRequest,
    Newchannel,
    OriginateResponse,
    ParseStats,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
    QueueEntry,
    QueueMember,
    QueueMemberPause,
    QueueMemberStatus,
    QueueParams,
    SoftHangupRequest,
    VarSet,
    parse_event,
    parse_timestamp,
)
from ami.stream import AmiMessage, decode_all
from tests.ami.captures import RECEIVED_AT, SCENARIOS, capture_events, first_message


def _ts(text: str) -> datetime:
    return parse_timestamp(text)


def _parse(message: AmiMessage) -> object:
    stats = ParseStats()
    event = parse_event(message, RECEIVED_AT, stats)
    assert not stats.rejected
    return event


def _message(text: str) -> AmiMessage:
    [message] = decode_all(text.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    return message


def test_timestamp_is_exact_to_the_microsecond() -> None:
    assert _ts("1795867058.735585") == datetime(2026, 11, 28, 11, 57, 38, 735585, tzinfo=UTC)
    assert _ts("1795867058.5") == datetime(2026, 11, 28, 11, 57, 38, 500000, tzinfo=UTC)
    assert _ts("1795867058") == datetime(2026, 11, 28, 11, 57, 38, tzinfo=UTC)


def test_newchannel_of_the_inbound_call_with_unknown_caller_id() -> None:
    event = _parse(first_message("a-answered", "Newchannel"))
    assert event == Newchannel(
        at=_ts("1795867058.735585"),
        chan=Channel(
            name="Local/caller@harness-caller-00000000;1",
            uniqueid="1795867058.0",
            linkedid="1795867058.0",
            state=0,
            caller_num="",  # "<unknown>"
            caller_name="",
            context="harness-caller",
            exten="caller",
        ),
    )
    assert isinstance(event, Newchannel)
    assert (event.uniqueid, event.linkedid, event.channel) == (
        "1795867058.0",
        "1795867058.0",
        "Local/caller@harness-caller-00000000;1",
    )


def test_queue_caller_join_and_leave() -> None:
    join = _parse(first_message("a-answered", "QueueCallerJoin"))
    assert isinstance(join, QueueCallerJoin)
    assert (join.queue, join.position, join.count) == ("consult", 1, 1)
    assert join.chan.caller_num == "79281234567"
    assert join.chan.caller_name == "Ivan Petrov"
    assert join.chan.context == "harness-inbound"
    leave = _parse(first_message("a-answered", "QueueCallerLeave"))
    assert isinstance(leave, QueueCallerLeave)
    assert (leave.queue, leave.count, leave.at) == ("consult", 0, _ts("1795867061.743459"))


def test_agent_called_connect_and_complete_carry_the_member() -> None:
    called = _parse(first_message("a-answered", "AgentCalled"))
    assert isinstance(called, AgentCalled)
    assert called.member is not None
    assert called.member.uniqueid == "1795867058.2"
    connect = _parse(first_message("a-answered", "AgentConnect"))
    assert isinstance(connect, AgentConnect)
    assert (connect.interface, connect.member_name, connect.hold_time, connect.ring_time) == (
        "Local/agent1@harness-agents",
        "agent1",
        3,
        3,
    )
    assert connect.uniqueid == "1795867058.0"  # the caller's channel
    complete = _parse(first_message("a-answered", "AgentComplete"))
    assert isinstance(complete, AgentComplete)
    assert (complete.talk_time, complete.hold_time, complete.reason) == (6, 3, "agent")
    caller_ended = _parse(first_message("a2-answered-caller-hangs-up", "AgentComplete"))
    assert isinstance(caller_ended, AgentComplete)
    assert caller_ended.reason == "caller"


def test_abandon_carries_hold_time() -> None:
    event = _parse(first_message("b-abandoned", "QueueCallerAbandon"))
    assert isinstance(event, QueueCallerAbandon)
    assert (event.queue, event.position, event.original_position, event.hold_time) == (
        "consult",
        1,
        1,
        8,
    )


def test_hangup_and_the_two_hangup_requests() -> None:
    hangup = _parse(first_message("a-answered", "Hangup", Uniqueid="1795867058.0"))
    assert isinstance(hangup, Hangup)
    assert (hangup.cause, hangup.cause_txt) == (16, "Normal Clearing")
    remote = _parse(first_message("b-abandoned", "HangupRequest", Uniqueid="1795867085.0"))
    assert isinstance(remote, HangupRequest)
    assert remote.cause == 16
    local = _parse(first_message("c-afterhours", "SoftHangupRequest"))
    assert isinstance(local, SoftHangupRequest)
    assert local.uniqueid == "1795867123.0"


def test_watched_varset_is_typed_and_others_are_ignored() -> None:
    status = _parse(first_message("c2-noagents-joinempty", "VarSet", Variable="QUEUESTATUS"))
    assert isinstance(status, VarSet)
    assert (status.variable, status.value) == ("QUEUESTATUS", "JOINEMPTY")
    agi = _parse(first_message("g-agi-server-down", "VarSet", Variable="AGISTATUS"))
    assert isinstance(agi, VarSet)
    assert agi.value == "FAILURE"
    stats = ParseStats()
    bridgepeer = first_message("a-answered", "VarSet", Variable="BRIDGEPEER")
    assert parse_event(bridgepeer, RECEIVED_AT, stats) is None
    assert stats.ignored == 1
    assert not stats.rejected


# A key the caller pressed, as Asterisk 22 sends it (read class dtmf): on the caller's inbound
# channel, Direction Received, once the key is released.
DTMF_END = "\n".join(
    (
        "Event: DTMFEnd",
        "Privilege: dtmf,all",
        "Timestamp: 1795867041.053580",
        "Channel: PJSIP/trunk-0000001a",
        "ChannelState: 6",
        "ChannelStateDesc: Up",
        "CallerIDNum: 79281234567",
        "CallerIDName: Ivan Petrov",
        "ConnectedLineNum: <unknown>",
        "ConnectedLineName: <unknown>",
        "Language: ru",
        "AccountCode: ",
        "Context: consult-line-survey",
        "Exten: s",
        "Priority: 5",  # AGI(.../survey)
        "Uniqueid: 1795867285.0",
        "Linkedid: 1795867285.0",
        "Digit: 2",
        "DurationMs: 120",
        "Direction: Received",
    )
)


def test_a_key_received_on_a_channel_is_typed_with_the_channel() -> None:
    event = _parse(_message(DTMF_END))
    assert event == DTMFEnd(
        at=_ts("1795867041.053580"),
        chan=Channel(
            name="PJSIP/trunk-0000001a",
            uniqueid="1795867285.0",
            linkedid="1795867285.0",
            state=6,
            caller_num="79281234567",
            caller_name="Ivan Petrov",
            context="consult-line-survey",
            exten="s",
        ),
        digit="2",
    )


@pytest.mark.parametrize(
    ("change", "digit"),
    [
        (("Digit: 2", "Digit: #"), "#"),
        (("Digit: 2", "Digit: *"), "*"),
        (("Digit: 2", "Digit: d"), "D"),
        (("Direction: Received", "Direction: received"), "2"),
    ],
)
def test_every_key_of_the_keypad_is_taken(change: tuple[str, str], digit: str) -> None:
    event = _parse(_message(DTMF_END.replace(*change)))
    assert isinstance(event, DTMFEnd)
    assert event.digit == digit


@pytest.mark.parametrize(
    "change",
    [
        ("Direction: Received", "Direction: Sent"),  # towards the phone: not the caller's key
        ("Digit: 2", "Digit: X"),  # no key of the keypad
    ],
)
def test_a_key_sent_or_a_digit_that_is_no_key_is_ignored(change: tuple[str, str]) -> None:
    stats = ParseStats()
    assert parse_event(_message(DTMF_END.replace(*change)), RECEIVED_AT, stats) is None
    assert stats.ignored == 1
    assert not stats.rejected


def test_the_keys_of_the_recorded_ivr_call_in_order() -> None:
    # The caller pressed 1, then 555#, then 9 (the last during an idle pause: the AGI lost it,
    # AMI did not); DTMFBegin is not parsed, so each key counts once.
    keys = [e for e in capture_events("ivr-dtmf") if isinstance(e, DTMFEnd)]
    assert "".join(key.digit for key in keys) == "1555#9"
    assert {key.uniqueid for key in keys} == {"1795867038.0"}


def test_dial_end_of_an_originate_has_no_calling_channel() -> None:
    event = _parse(first_message("b-abandoned", "DialEnd"))
    assert isinstance(event, DialEnd)
    assert event.caller is None
    assert event.dest.uniqueid == "1795867085.0"
    assert event.linkedid == "1795867085.0"
    assert event.dial_status == "ANSWER"


def test_bridge_enter() -> None:
    event = _parse(first_message("a-answered", "BridgeEnter"))
    assert isinstance(event, BridgeEnter)
    assert event.bridge_uniqueid == "a277ebdc-66b0-4e86-be35-a71e486058e0"
    assert event.bridge_num_channels == 1
    assert event.swap_uniqueid == ""


def test_blind_transfer_names_both_parties_and_the_destination() -> None:
    event = _parse(first_message("d-blind-transfer-chain", "BlindTransfer"))
    assert isinstance(event, BlindTransfer)
    assert (event.result, event.context, event.extension, event.is_external) == (
        "Success",
        "harness-transfer",
        "2001",
        True,
    )
    assert event.transferer is not None
    assert event.transferer.uniqueid == "1795867163.2"
    assert event.transferee is not None
    assert event.transferee.uniqueid == "1795867163.0"
    assert event.linkedid == "1795867163.0"


def test_attended_transfer_names_the_target() -> None:
    event = _parse(first_message("e-attended-transfer", "AttendedTransfer"))
    assert isinstance(event, AttendedTransfer)
    assert (event.result, event.dest_type, event.is_external) == ("Success", "Bridge", False)
    assert event.transfer_target is not None
    assert event.transfer_target.exten == "2002"
    assert event.orig_transferer is not None
    assert event.orig_transferer.name == "Local/agent1@harness-agents-00000001;1"
    assert event.dest_bridge_uniqueid == "89e46464-0c23-478f-8dbd-e22774ef5901"


def test_console_events_for_members() -> None:
    status = _parse(first_message("a-answered", "QueueMemberStatus"))
    assert isinstance(status, QueueMemberStatus)
    assert (status.queue, status.interface, status.status, status.paused, status.in_call) == (
        "consult",
        "Local/agent1@harness-agents",
        2,
        False,
        False,
    )
    pause = _parse(first_message("c2-noagents-joinempty", "QueueMemberPause"))
    assert isinstance(pause, QueueMemberPause)
    assert (pause.paused, pause.paused_reason, pause.member_name) == (
        True,
        "training-expired",
        "agent1",
    )


def test_fully_booted_has_no_timestamp_and_takes_the_received_time() -> None:
    event = _parse(first_message("a-answered", "FullyBooted"))
    assert event == FullyBooted(at=RECEIVED_AT, status="Fully Booted")


def test_received_time_is_converted_to_utc_and_must_be_aware() -> None:
    message = _message("Event: FullyBooted\nStatus: Fully Booted")
    msk = datetime(2026, 11, 28, 15, 0, tzinfo=timezone(timedelta(hours=3)))
    event = parse_event(message, msk)
    assert event is not None
    assert event.at == datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert event.at.tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        parse_event(message, datetime(2026, 11, 28, 12, 0))  # noqa: DTZ001


def test_originate_response() -> None:
    event = _parse(first_message("a-answered", "OriginateResponse"))
    assert isinstance(event, OriginateResponse)
    assert (event.action_id, event.success, event.reason, event.uniqueid) == (
        "harness-2",
        True,
        4,
        "1795867058.0",
    )


def test_status_list_events() -> None:
    entry = parse_event(
        _message(
            "Event: QueueEntry\nQueue: consult-line\nPosition: 2\n"
            "Channel: PJSIP/trunk-0000002a\nUniqueid: 1795900000.7\nCallerIDNum: 79281234567\n"
            "CallerIDName: Жанна\nWait: 42\nPriority: 0"
        ),
        RECEIVED_AT,
    )
    assert entry == QueueEntry(
        at=RECEIVED_AT,
        queue="consult-line",
        position=2,
        channel="PJSIP/trunk-0000002a",
        uniqueid="1795900000.7",
        caller_num="79281234567",
        caller_name="Жанна",
        wait_s=42,
    )
    member = parse_event(
        _message(
            "Event: QueueMember\nQueue: consult-line\nName: Оператор 1\nLocation: PJSIP/201\n"
            "StateInterface: PJSIP/201\nMembership: dynamic\nPenalty: 0\nCallsTaken: 3\n"
            "LastCall: 1795867067\nLoginTime: 1795860000\nInCall: 1\nStatus: 2\nPaused: 0\n"
            "PausedReason: \nWrapuptime: 10"
        ),
        RECEIVED_AT,
    )
    assert isinstance(member, QueueMember)
    assert (member.interface, member.member_name, member.in_call, member.calls_taken) == (
        "PJSIP/201",
        "Оператор 1",
        True,
        3,
    )
    params = parse_event(
        _message(
            "Event: QueueParams\nQueue: consult-line\nMax: 0\nStrategy: leastrecent\nCalls: 1\n"
            "Holdtime: 12\nTalkTime: 95\nCompleted: 40\nAbandoned: 3\nServiceLevel: 60"
        ),
        RECEIVED_AT,
    )
    assert isinstance(params, QueueParams)
    assert (params.calls, params.completed, params.abandoned) == (1, 40, 3)


def test_core_show_channel_duration() -> None:
    event = parse_event(
        _message(
            "Event: CoreShowChannel\nChannel: PJSIP/trunk-00000003\nChannelState: 6\n"
            "CallerIDNum: 79281234567\nContext: consult-line-queue\nExten: s\n"
            "Uniqueid: 1795867300.4\nLinkedid: 1795867300.4\nApplication: Queue\n"
            "ApplicationData: consult-line,ct,,,300\nDuration: 01:02:03\nBridgeId: "
        ),
        RECEIVED_AT,
    )
    assert isinstance(event, CoreShowChannel)
    assert (event.duration_s, event.application, event.chan.context) == (
        3723,
        "Queue",
        "consult-line-queue",
    )


def test_panoramisk_style_dict_is_accepted() -> None:
    message = {
        "Event": "Hangup",
        "Timestamp": "1795867067.247549",
        "Channel": "PJSIP/trunk-00000001",
        "Uniqueid": "1.0",
        "Linkedid": "1.0",
        "Cause": "17",
        "Cause-txt": "User busy",
        "ChanVariable": ["A=1", "B=2"],
    }
    event = parse_event(message, RECEIVED_AT)
    assert isinstance(event, Hangup)
    assert (event.cause, event.cause_txt, event.at) == (17, "User busy", _ts("1795867067.247549"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Event: Hangup\nChannel: PJSIP/x-1\nLinkedid: 1.0\nCause: 16", "Hangup: missing"),
        ("Event: Hangup\nChannel: PJSIP/x-1\nUniqueid: 1.0\nCause: sixteen", "Hangup: bad Cause"),
        ("Event: Newchannel\nTimestamp: yesterday\nChannel: P/1\nUniqueid: 1.0", "bad Timestamp"),
        ("Event: Newchannel\nTimestamp: 99999999999999.1\nChannel: P/1\nUniqueid: 1", "Timestamp"),
        ("Event: Newstate\nChannel: P/1\nUniqueid: 1.0\nChannelState: up", "bad ChannelState"),
        ("Event: QueueCallerJoin\nChannel: P/1\nUniqueid: 1.0\nPosition: 1", "missing Queue"),
        ("Event: AgentComplete\nChannel: P/1\nUniqueid: 1\nQueue: q\nTalkTime: -5", "TalkTime"),
        ("Event: QueueCallerAbandon\nChannel: P/1\nUniqueid: 1\nQueue: q\nHoldTime: 8s", "Hold"),
        ("Event: BlindTransfer\nResult: Success\nExtension: 201", "missing Transferer"),
        ("Event: DialEnd\nChannel: P/1\nUniqueid: 1\nDialStatus: ANSWER", "missing DestChannel"),
        ("Event: VarSet\nChannel: P/1\nUniqueid: 1\nValue: x", "missing Variable"),
        ("Event: QueueMemberStatus\nQueue: q\nMemberName: a", "missing Interface"),
        ("Event: CoreShowChannel\nChannel: P/1\nUniqueid: 1\nDuration: 5 min", "bad Duration"),
        ("Event: OriginateResponse\nActionID: 7\nReason: four", "missing Response"),
        ("Event: DTMFEnd\nChannel: P/1\nUniqueid: 1\nDigit: 5", "DTMFEnd: missing Direction"),
        ("Event: DTMFEnd\nChannel: P/1\nUniqueid: 1\nDirection: Received", "missing Digit"),
        ("Event: DTMFEnd\nChannel: P/1\nUniqueid: 1\nDigit: 5\nDirection: In", "Direction"),
        ("Event: DTMFEnd\nChannel: P/1\nDigit: 5\nDirection: Received", "missing Channel/Uniq"),
    ],
)
def test_malformed_event_is_none_with_a_counted_reason(text: str, reason: str) -> None:
    stats = ParseStats()
    assert parse_event(_message(text), RECEIVED_AT, stats) is None
    assert sum(stats.rejected.values()) == 1
    [counted] = stats.rejected
    assert reason in counted


def test_unknown_events_and_responses_are_ignored_not_rejected() -> None:
    stats = ParseStats()
    for text in ("Event: DeviceStateChange\nDevice: PJSIP/201", "Response: Success\nPing: Pong"):
        assert parse_event(_message(text), RECEIVED_AT, stats) is None
    assert stats.ignored == 2
    assert not stats.rejected


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_event_of_a_real_capture_is_rejected(name: str) -> None:
    stats = ParseStats()
    events = capture_events(name, stats)
    assert not stats.rejected
    assert events
    assert all(event.at.tzinfo is UTC for event in events)
