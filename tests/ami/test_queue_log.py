"""queue_log parser and per-call fold, over every real capture and every exit event (C13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ami.call_record import EntrySource
from ami.channels import uniqueid_time
from ami.queue_log import (
    Complete,
    Connect,
    Dropped,
    EnterQueue,
    LeftQueue,
    Other,
    QueueEnd,
    QueueLogEvent,
    QueueLogLineError,
    Ring,
    Transferred,
    fold_call,
    fold_calls,
    member_operator,
    parse_line,
    parse_queue_log,
    queue_call_entry,
)
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind
from tests import asterisk_captures
from tests.asterisk_captures import Kind, capture_names

ALL_QUEUE_LOGS = capture_names(Kind.QUEUE_LOG)


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def capture_lines(name: str) -> list[str]:
    return asterisk_captures.capture_lines(name, Kind.QUEUE_LOG)


def test_every_capture_is_present() -> None:
    assert len(ALL_QUEUE_LOGS) == 13


@pytest.mark.parametrize("name", ALL_QUEUE_LOGS)
def test_every_capture_parses_whole(name: str) -> None:
    parsed = parse_queue_log(capture_lines(name))
    assert parsed.garbled == 0
    assert parsed.blank == 0
    assert not parsed.partial_tail
    # every capture starts with the QUEUESTART line Asterisk writes when app_queue loads
    first = parsed.lines[0]
    assert (first.callid, first.queue, first.agent, first.event) == (
        "NONE",
        "NONE",
        "NONE",
        "QUEUESTART",
    )
    assert not first.is_call_event


# Captures whose call reached a queue -> (callid, queue_exit, member, wait, end, hang-up side,
# number of transfers). The rest have no call line at all: after hours, IVR, AGI down, and
# c2 (JOINEMPTY writes nothing for the call; only the PAUSE/UNPAUSE member lines are there).
QUEUE_CAPTURES = {
    "a-answered": (
        "1795867058.0",
        QueueExit.CONNECTED,
        "agent1",
        3.0,
        QueueEnd.CLOSED,
        HangupSide.OPERATOR,
        0,
    ),
    "a2-answered-caller-hangs-up": (
        "1795867071.0",
        QueueExit.CONNECTED,
        "agent1",
        3.0,
        QueueEnd.CLOSED,
        HangupSide.CALLER,
        0,
    ),
    "b-abandoned": (
        "1795867085.0",
        QueueExit.ABANDONED,
        "",
        8.0,
        QueueEnd.CLOSED,
        HangupSide.CALLER,
        0,
    ),
    "d-blind-transfer-chain": (
        "1795867163.0",
        QueueExit.CONNECTED,
        "agent1",
        3.0,
        QueueEnd.TRANSFERRED_OUT,
        None,
        2,
    ),
    "d2-blind-transfer-third-refused": (
        "1795867185.0",
        QueueExit.CONNECTED,
        "agent1",
        3.0,
        QueueEnd.TRANSFERRED_OUT,
        None,
        2,
    ),
    "e-attended-transfer": (
        "1795867227.0",
        QueueExit.CONNECTED,
        "agent1",
        3.0,
        QueueEnd.TRANSFERRED_OUT,
        None,
        1,
    ),
    "x-full-flow-ivr-queue-survey": (
        "1795867285.0",
        QueueExit.CONNECTED,
        "agent1",
        3.0,
        QueueEnd.CLOSED,
        HangupSide.OPERATOR,
        0,
    ),
}


@pytest.mark.parametrize("name", ALL_QUEUE_LOGS)
def test_capture_calls(name: str) -> None:
    calls = fold_calls(parse_queue_log(capture_lines(name)).lines)
    if name not in QUEUE_CAPTURES:
        assert calls == {}
        return
    callid, exit_, member, wait, end, side, transfers = QUEUE_CAPTURES[name]
    assert list(calls) == [callid]
    call = calls[callid]
    assert call.queue_exit is exit_
    assert (call.answered.member if call.answered else "") == member
    assert call.segments[0].wait_s == wait
    assert call.end is end
    assert call.hangup_side is side
    assert len(call.transfers) == transfers
    assert call.caller_number == "79281234567"


def test_a_answered_by_agent1_after_3_s() -> None:
    call = fold_calls(parse_queue_log(capture_lines("a-answered")).lines)["1795867058.0"]
    entry = queue_call_entry(call)
    assert entry.source is EntrySource.QUEUE_LOG
    assert entry.linkedid == "1795867058.0"
    assert entry.arrived_at == at(1795867058)  # the creation second in the Uniqueid
    assert entry.queue_joined_at == at(1795867058)
    assert entry.queue_wait_s == 3.0  # CONNECT holdtime (AMI AgentConnect HoldTime: 3)
    assert entry.queue_exit is QueueExit.CONNECTED
    assert entry.answered_at == at(1795867061)
    # log_membername_as_agent or not, call lines carry the MemberName: no device known here
    assert entry.operator_interface == "name:agent1"
    assert call.segments[0].member_uniqueid == "1795867058.2"  # the member channel
    assert entry.ended_at == at(1795867067)
    assert entry.talk_s == 6.0
    assert entry.hangup_side is HangupSide.OPERATOR  # COMPLETEAGENT


def test_a2_caller_hangs_up() -> None:
    call = fold_calls(parse_queue_log(capture_lines("a2-answered-caller-hangs-up")).lines)
    entry = queue_call_entry(call["1795867071.0"])
    assert entry.hangup_side is HangupSide.CALLER  # COMPLETECALLER
    assert entry.ended_at == at(1795867080)
    assert entry.talk_s == 6.0


def test_b_abandoned_after_8_s() -> None:
    call = fold_calls(parse_queue_log(capture_lines("b-abandoned")).lines)["1795867085.0"]
    entry = queue_call_entry(call)
    assert entry.queue_exit is QueueExit.ABANDONED
    assert entry.queue_wait_s == 8.0
    assert entry.answered_at is None
    assert entry.operator_interface == ""
    assert entry.ended_at == at(1795867093)
    assert entry.hangup_side is HangupSide.CALLER
    assert entry.talk_s is None


def test_c2_joinempty_leaves_no_call_line() -> None:
    parsed = parse_queue_log(capture_lines("c2-noagents-joinempty"))
    assert [line.event for line in parsed.lines] == ["QUEUESTART", "PAUSE", "UNPAUSE"]
    assert parsed.lines[1].agent == "agent1"
    assert parsed.lines[1].data == ("training-expired",)
    assert fold_calls(parsed.lines) == {}


def test_d_blind_transfer_chain() -> None:
    call = fold_calls(parse_queue_log(capture_lines("d-blind-transfer-chain")).lines)[
        "1795867163.0"
    ]
    assert [(s.queue, s.member, s.wait_s) for s in call.segments] == [
        ("consult", "agent1", 3.0),
        ("consult-2", "employee1", 2.0),
    ]
    first, second = call.transfers
    assert (first.kind, first.to_extension, first.from_interface, first.at) == (
        TransferKind.BLIND,
        "2001",
        "name:agent1",
        at(1795867169),
    )
    assert (second.kind, second.to_extension, second.from_interface, second.at) == (
        TransferKind.BLIND,
        "2002",
        "name:employee1",
        at(1795867174),
    )
    assert {t.outcome for t in call.transfers} == {TransferOutcome.COMPLETED}
    # 2002 is a Dial, not a queue: the queue_log ends at the second transfer
    assert call.end is QueueEnd.TRANSFERRED_OUT
    assert queue_call_entry(call).ended_at is None  # not finished from the queue_log alone
    finished = queue_call_entry(call, accept_transferred_out=True)
    assert finished.ended_at == at(1795867174)
    assert finished.talk_s == 6.0  # 3 s with agent1 + 3 s with employee1 (calltime fields)
    assert finished.hangup_side is None


def test_d2_third_transfer_is_not_in_the_queue_log() -> None:
    # The third BlindTransfer came from employee2, reached by Dial: no queue, no line.
    call = fold_calls(parse_queue_log(capture_lines("d2-blind-transfer-third-refused")).lines)[
        "1795867185.0"
    ]
    assert [t.to_extension for t in call.transfers] == ["2001", "2002"]


def test_e_attended_transfer() -> None:
    parsed = parse_queue_log(capture_lines("e-attended-transfer"))
    line = parsed.lines[-1]
    assert line.detail == Transferred(
        TransferKind.ATTENDED,
        exten="",
        context="",
        method="BRIDGE",
        method_data="89e46464-0c23-478f-8dbd-e22774ef5901",
        holdtime_s=3,
        calltime_s=8,
        origposition=1,
    )
    call = fold_calls(parsed.lines)["1795867227.0"]
    (transfer,) = call.transfers
    assert (transfer.kind, transfer.to_extension, transfer.from_interface) == (
        TransferKind.ATTENDED,
        "",  # the queue_log names the bridge, not the extension dialled
        "name:agent1",
    )
    assert call.end is QueueEnd.TRANSFERRED_OUT


def test_x_arrival_comes_from_the_uniqueid_not_the_queue() -> None:
    call = fold_calls(parse_queue_log(capture_lines("x-full-flow-ivr-queue-survey")).lines)[
        "1795867285.0"
    ]
    entry = queue_call_entry(call)
    assert entry.arrived_at == at(1795867285)  # IVR first
    assert entry.queue_joined_at == at(1795867288)
    assert entry.ended_at == at(1795867296)  # the survey after it is not in the queue_log


# -------------------------------------------------------------------------------- events

CALL = "1795860000.7"


def line(epoch: int, event: str, *data: str, agent: str = "NONE", queue: str = "consult") -> str:
    return "|".join([str(epoch), CALL, queue, agent, event, *data]) + "\n"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("ENTERQUEUE||79281234567|1", EnterQueue("", "79281234567", 1, "")),
        ("ENTERQUEUE||79281234567|2|Иван Петров", EnterQueue("", "79281234567", 2, "Иван Петров")),
        ("CONNECT|3|1795867058.2|3", Connect(3, "1795867058.2", 3)),
        ("CONNECT|12|1795867058.2", Connect(12, "1795867058.2", None)),
        ("COMPLETECALLER|3|6|1", Complete(HangupSide.CALLER, 3, 6, 1)),
        ("COMPLETEAGENT|3|6|1", Complete(HangupSide.OPERATOR, 3, 6, 1)),
        ("ABANDON|1|1|8", LeftQueue(QueueExit.ABANDONED, 1, 1, 8)),
        ("EXITWITHTIMEOUT|2|3|300", LeftQueue(QueueExit.TIMEOUT, 2, 3, 300)),
        ("EXITEMPTY|1|1|40", LeftQueue(QueueExit.EMPTY, 1, 1, 40)),
        ("EXITWITHKEY|5|1|2|17", LeftQueue(QueueExit.KEY, 1, 2, 17, key="5")),
        ("EXITWITHKEY|5|1", LeftQueue(QueueExit.KEY, 1, None, None, key="5")),
        ("WITHDRAW|1|1|9|moved", LeftQueue(QueueExit.KEY, 1, 1, 9, info="moved")),
        (
            "BLINDTRANSFER|2001|consult-line-transfer|3|3|1",
            Transferred(TransferKind.BLIND, "2001", "consult-line-transfer", "", "", 3, 3, 1),
        ),
        (
            "TRANSFER|2001|consult-line-transfer|3|3|1",
            Transferred(TransferKind.BLIND, "2001", "consult-line-transfer", "", "", 3, 3, 1),
        ),
        (
            "ATTENDEDTRANSFER|APP|Playback|3|8|1",
            Transferred(TransferKind.ATTENDED, "", "", "APP", "Playback", 3, 8, 1),
        ),
        (
            "ATTENDEDTRANSFER|LINK|PJSIP/201-0001|Local/2002@x-0002;1|3|8|1",
            Transferred(
                TransferKind.ATTENDED,
                "",
                "",
                "LINK",
                "PJSIP/201-0001|Local/2002@x-0002;1",
                3,
                8,
                1,
            ),
        ),
        ("RINGNOANSWER|15000", Ring(False, 15000)),
        ("RINGCANCELED|8022", Ring(True, 8022)),
        ("AGENTDUMP|", Dropped()),
        ("SYSCOMPAT|", Dropped()),
        ("ADDMEMBER|", Other()),
        ("REMOVEMEMBER|", Other()),
        ("PAUSE|training-expired", Other()),
        ("UNPAUSE|", Other()),
        ("PAUSEALL|lunch", Other()),
        ("UNPAUSEALL|", Other()),
        ("AGENTLOGIN|PJSIP/201-00000001", Other()),
        ("QUEUESTART|", Other()),
        ("CONFIGRELOAD|", Other()),
        ("OUTCALL|ANSWER|12|x", Other()),  # unknown (custom QueueLog) events are kept, not garbled
    ],
)
def test_every_event_parses(text: str, detail: object) -> None:
    parsed = parse_line(f"1795860000|{CALL}|consult|agent1|{text}")
    assert parsed.detail == detail
    assert parsed.event == text.split("|")[0]


def test_known_events_cover_the_brief() -> None:
    names = {event.value for event in QueueLogEvent}
    assert {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "RINGNOANSWER",
        "RINGCANCELED",
        "AGENTDUMP",
        "TRANSFER",
        "SYSCOMPAT",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
    } <= names


@pytest.mark.parametrize(
    ("event", "data", "exit_", "side"),
    [
        ("ABANDON", ("1", "1", "20"), QueueExit.ABANDONED, HangupSide.CALLER),
        ("EXITWITHTIMEOUT", ("1", "1", "20"), QueueExit.TIMEOUT, None),
        ("EXITEMPTY", ("1", "1", "20"), QueueExit.EMPTY, None),
        ("EXITWITHKEY", ("0", "1", "1", "20"), QueueExit.KEY, None),
    ],
)
def test_unanswered_exits(
    event: str, data: tuple[str, ...], exit_: QueueExit, side: HangupSide | None
) -> None:
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860005, "RINGNOANSWER", "5000", agent="PJSIP/201"),
        line(1795860007, "AGENTDUMP", "", agent="PJSIP/202"),
        line(1795860020, event, *data),
    ]
    call = fold_call(parse_queue_log(lines).lines)
    entry = queue_call_entry(call)
    assert entry.queue_exit is exit_
    assert entry.queue_wait_s == 20.0
    assert entry.answered_at is None
    assert entry.ended_at == at(1795860020)
    assert entry.hangup_side is side


def test_abandon_just_before_connect_names_the_member() -> None:
    # app_queue logs ABANDON with the member's name when the caller hangs up as it answers
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860009, "ABANDON", "1", "1", "9", agent="PJSIP/201"),
    ]
    entry = queue_call_entry(fold_call(parse_queue_log(lines).lines))
    assert entry.queue_exit is QueueExit.ABANDONED
    assert entry.operator_interface == ""


def test_member_named_by_interface_is_a_device() -> None:
    # the project's queues.conf: member => PJSIP/201,0,PJSIP/201,...
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860004, "CONNECT", "4", "1795860000.9", "2", agent="PJSIP/201"),
        line(1795860064, "COMPLETECALLER", "4", "60", "1", agent="PJSIP/201"),
    ]
    entry = queue_call_entry(fold_call(parse_queue_log(lines).lines))
    assert entry.operator_interface == "PJSIP/201"
    assert entry.talk_s == 60.0


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("PJSIP/201", "PJSIP/201"),
        ("Local/agent1@harness-agents", "Local/agent1@harness-agents"),
        ("agent1", "name:agent1"),
        ("Иванова Мария", "name:Иванова Мария"),
        ("NONE", ""),
        ("", ""),
    ],
)
def test_member_operator(member: str, expected: str) -> None:
    assert member_operator(member) == expected


def test_requeued_call_counts_the_first_wait_and_last_exit() -> None:
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860010, "CONNECT", "10", "1795860000.3", "2", agent="PJSIP/201"),
        line(1795860040, "BLINDTRANSFER", "2005", "consult-line-transfer", "10", "30", "1",
             agent="PJSIP/201"),
        # the employee did not answer: back to the queue (consult-line-fallback,requeue)
        line(1795860075, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860090, "ABANDON", "1", "1", "15"),
    ]  # fmt: skip
    call = fold_call(parse_queue_log(lines).lines)
    entry = queue_call_entry(call)
    assert entry.queue_exit is QueueExit.CONNECTED  # an operator was reached (C13: not missed)
    assert entry.queue_wait_s == 10.0
    assert entry.answered_at == at(1795860010)
    assert entry.ended_at == at(1795860090)
    assert entry.hangup_side is HangupSide.CALLER
    assert len(entry.transfers) == 1
    assert call.segments[1].exit is QueueExit.ABANDONED


def test_a_call_still_in_the_queue_is_not_finished() -> None:
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860015, "RINGNOANSWER", "15000", agent="PJSIP/201"),
    ]
    call = fold_call(parse_queue_log(lines).lines)
    assert call.end is QueueEnd.OPEN
    assert queue_call_entry(call).ended_at is None


def test_a_call_talking_now_is_not_finished() -> None:
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860004, "CONNECT", "4", "1795860000.9", "2", agent="PJSIP/201"),
    ]
    entry = queue_call_entry(fold_call(parse_queue_log(lines).lines))
    assert entry.answered_at == at(1795860004)
    assert entry.ended_at is None
    assert entry.talk_s is None


def test_lines_read_from_the_middle_of_a_call_rebuild_the_join() -> None:
    # ENTERQUEUE and CONNECT went to the rotated file
    lines = [line(1795860064, "COMPLETEAGENT", "4", "60", "1", agent="PJSIP/201")]
    entry = queue_call_entry(fold_call(parse_queue_log(lines).lines))
    assert entry.answered_at == at(1795860004)
    assert entry.queue_joined_at == at(1795860000)
    assert entry.queue_wait_s == 4.0
    assert entry.operator_interface == "PJSIP/201"
    assert entry.ended_at == at(1795860064)


def test_garbled_blank_and_partial_lines_are_skipped_and_counted() -> None:
    good = capture_lines("a-answered")
    lines = [
        good[0],
        "\n",
        "garbage without pipes\n",
        "1795867058|1795867058.0|consult\n",  # too few fields
        "not-a-time|1795867058.0|consult|NONE|ENTERQUEUE||79281234567|1\n",
        "1795867061|1795867058.0|consult|agent1|CONNECT|three|1795867058.2|3\n",  # bad number
        "1795867061|1795867058.0|consult|agent1||3\n",  # no event
        "1795867061|1795867058.0|consult|agent1|CON\x00NECT|3\n",
        "   \r\n",
        *good[1:],
        "1795867070|1795867058.0|consult|agent1|COMPLETEAG",  # Asterisk still writing it
    ]
    parsed = parse_queue_log(lines)
    assert parsed.garbled == 6
    assert parsed.garbled_line_nos == (3, 4, 5, 6, 7, 8)
    assert parsed.blank == 2
    assert parsed.partial_tail
    assert [p.event for p in parsed.lines] == [
        "QUEUESTART",
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETEAGENT",
    ]
    entry = queue_call_entry(fold_calls(parsed.lines)["1795867058.0"])
    assert entry.hangup_side is HangupSide.OPERATOR


def test_a_truncated_last_line_is_never_half_parsed() -> None:
    # "COMPLETEAGENT|3|6" could be the start of "...|3|60|1": it must wait for the next read
    lines = [
        *capture_lines("a-answered")[:3],
        "1795867067|1795867058.0|consult|agent1|COMPLETEAGENT|3|6",
    ]
    parsed = parse_queue_log(lines)
    assert parsed.partial_tail
    call = fold_calls(parsed.lines)["1795867058.0"]
    assert call.end is QueueEnd.OPEN


def test_crlf_lines() -> None:
    lines = [text.replace("\n", "\r\n") for text in capture_lines("b-abandoned")]
    parsed = parse_queue_log(lines)
    assert parsed.garbled == 0
    assert fold_calls(parsed.lines)["1795867085.0"].queue_exit is QueueExit.ABANDONED


def test_not_before_drops_old_lines() -> None:
    parsed = parse_queue_log(capture_lines("a-answered"), not_before=at(1795867061))
    assert [p.event for p in parsed.lines] == ["CONNECT", "COMPLETEAGENT"]


def test_parse_line_errors() -> None:
    with pytest.raises(QueueLogLineError):
        parse_line("1|2|3")
    with pytest.raises(QueueLogLineError):
        parse_line("-5|x|q|a|ENTERQUEUE|||1")


@pytest.mark.parametrize(
    ("uniqueid", "expected"),
    [
        ("1795867058.0", at(1795867058)),
        ("pbx1-1795867058.12", at(1795867058)),  # systemname set in asterisk.conf
        ("callback-7f3a", None),  # Originate ChannelId
        ("", None),
    ],
)
def test_uniqueid_time(uniqueid: str, expected: datetime | None) -> None:
    assert uniqueid_time(uniqueid) == expected


def test_arrival_falls_back_to_the_first_line() -> None:
    lines = [
        "1795860000|callback-7f3a|consult|NONE|ENTERQUEUE||79281234567|1\n",
        "1795860003|callback-7f3a|consult|NONE|ABANDON|1|1|3\n",
    ]
    entry = queue_call_entry(fold_call(parse_queue_log(lines).lines))
    assert entry.arrived_at == at(1795860000)
    assert entry.ended_at == at(1795860000) + timedelta(seconds=3)


def test_fold_call_refuses_mixed_or_no_lines() -> None:
    with pytest.raises(ValueError, match="at least one"):
        fold_call([])
    lines = parse_queue_log(
        [line(1795860000, "ENTERQUEUE", "", "1", "1"), "1795860001|other|q|NONE|ABANDON|1|1|1\n"]
    ).lines
    with pytest.raises(ValueError, match="belongs to"):
        fold_call(lines)


def test_wait_counts_every_stay_before_the_first_answer() -> None:
    # as the live projector does: stays after the answer (a second-line queue) do not count
    lines = [
        line(1795860000, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860030, "EXITWITHKEY", "1", "1", "1", "30"),
        line(1795860040, "ENTERQUEUE", "", "79281234567", "1"),
        line(1795860045, "CONNECT", "5", "1795860000.4", "2", agent="PJSIP/201"),
        line(1795860050, "BLINDTRANSFER", "2001", "consult-line-transfer", "5", "5", "1",
             agent="PJSIP/201"),
        line(1795860050, "ENTERQUEUE", "", "79281234567", "1", queue="consult-2"),
        line(1795860070, "CONNECT", "20", "1795860000.6", "2", agent="PJSIP/301",
             queue="consult-2"),
        line(1795860100, "COMPLETECALLER", "20", "30", "1", agent="PJSIP/301",
             queue="consult-2"),
    ]  # fmt: skip
    entry = queue_call_entry(fold_call(parse_queue_log(lines).lines))
    assert entry.queue_wait_s == 35.0
    assert entry.queue_joined_at == at(1795860000)
    assert entry.operator_interface == "PJSIP/201"  # the first member who answered
    assert entry.talk_s == 35.0  # 5 s with PJSIP/201, 30 s with PJSIP/301
    assert entry.hangup_side is HangupSide.CALLER
