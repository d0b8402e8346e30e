"""The call-log projector on synthetic event sequences: every way out of the queue, the
call-end rule, transfers, hang-up side, memory, and reconnects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ami.call_record import CallLogEntry, EntrySource
from ami.channels import device_of
from ami.events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AmiEvent,
    AttendedTransfer,
    BlindTransfer,
    BridgeEnter,
    BridgeLeave,
    Channel,
    CoreShowChannel,
    Hangup,
    HangupRequest,
    Newchannel,
    Newstate,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
    SoftHangupRequest,
    VarSet,
)
from ami.projector import (
    QUEUE_STATUS_EXITS,
    CallFinished,
    CallLogProjector,
    CallLost,
    CallUpdated,
    ProjectorOutput,
)
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind

T0 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
CALL = "1796000000.10"
CALLER = Channel(
    name="PJSIP/trunk-0000000a",
    uniqueid=CALL,
    linkedid=CALL,
    state=6,
    caller_num="79281234567",
    caller_name="Жанна",
    context="consult-line-inbound",
    exten="78722678091",
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def caller(context: str = "consult-line-queue", exten: str = "s") -> Channel:
    return replace(CALLER, context=context, exten=exten)


def leg(uniqueid: str, name: str = "PJSIP/201-0000000b") -> Channel:
    return Channel(name=name, uniqueid=uniqueid, linkedid=CALL, context="from-internal")


OPERATOR = leg("1796000000.11")
EMPLOYEE = leg("1796000000.12", "PJSIP/301-0000000c")


def arrive() -> list[AmiEvent]:
    return [Newchannel(at=at(0), chan=CALLER)]


def join(second: float = 10) -> AmiEvent:
    return QueueCallerJoin(at=at(second), chan=caller(), queue="consult-line", position=1, count=1)


def leave(second: float) -> AmiEvent:
    return QueueCallerLeave(at=at(second), chan=caller(), queue="consult-line", position=1, count=0)


def status(second: float, value: str) -> AmiEvent:
    return VarSet(at=at(second), chan=caller(), variable="QUEUESTATUS", value=value)


def connect(second: float, member: Channel = OPERATOR, interface: str = "PJSIP/201") -> AmiEvent:
    return AgentConnect(
        at=at(second),
        chan=caller(),
        member=member,
        queue="consult-line",
        interface=interface,
        member_name=interface,
        hold_time=int(second - 10),
    )


def complete(second: float, reason: str, talk: int, member: Channel = OPERATOR) -> AmiEvent:
    return AgentComplete(
        at=at(second),
        chan=caller(),
        member=member,
        queue="consult-line",
        interface=device_of(member.name),
        member_name="",
        talk_time=talk,
        reason=reason,
    )


def bridge(second: float, channel: Channel, bridge_id: str = "b1") -> AmiEvent:
    return BridgeEnter(at=at(second), chan=channel, bridge_uniqueid=bridge_id)


def unbridge(second: float, channel: Channel, bridge_id: str = "b1") -> AmiEvent:
    return BridgeLeave(at=at(second), chan=channel, bridge_uniqueid=bridge_id)


def caller_hangs_up(second: float) -> list[AmiEvent]:
    return [
        HangupRequest(at=at(second), chan=caller(), cause=16),
        Hangup(at=at(second), chan=caller(), cause=16, cause_txt="Normal Clearing"),
    ]


def pbx_hangs_up(second: float) -> list[AmiEvent]:
    return [
        SoftHangupRequest(at=at(second), chan=caller(), cause=16),
        Hangup(at=at(second), chan=caller(), cause=16, cause_txt="Normal Clearing"),
    ]


def run(
    events: Sequence[AmiEvent], projector: CallLogProjector | None = None
) -> list[ProjectorOutput]:
    projector = CallLogProjector() if projector is None else projector
    outputs: list[ProjectorOutput] = []
    for event in events:
        outputs.extend(projector.apply(event))
    return outputs


def finished(events: Sequence[AmiEvent]) -> CallLogEntry:
    outputs = run(events)
    done = [out for out in outputs if isinstance(out, CallFinished)]
    assert len(done) == 1
    assert isinstance(outputs[-1], CallFinished)
    return done[0].entry


# ---------------------------------------------------------------------- every queue exit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TIMEOUT", QueueExit.TIMEOUT),
        ("LEAVEEMPTY", QueueExit.EMPTY),
        ("LEAVEUNAVAIL", QueueExit.EMPTY),
        ("WITHDRAW", QueueExit.KEY),
        ("EXITWITHKEY", QueueExit.KEY),
    ],
)
def test_queue_status_after_waiting_decides_the_exit(value: str, expected: QueueExit) -> None:
    entry = finished([*arrive(), join(10), leave(70), status(70.001, value), *pbx_hangs_up(75)])
    assert entry.queue_exit is expected
    assert entry.queue_joined_at == at(10)
    assert entry.queue_wait_s == pytest.approx(60.0)
    assert entry.answered_at is None
    assert entry.hangup_side is HangupSide.SYSTEM


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("JOINEMPTY", QueueExit.EMPTY),
        ("JOINUNAVAIL", QueueExit.EMPTY),
        # maxlen reached: operators busy, waiting room full — an overload, like a timeout.
        ("FULL", QueueExit.TIMEOUT),
    ],
)
def test_caller_refused_by_the_queue_never_joined(value: str, expected: QueueExit) -> None:
    entry = finished([*arrive(), status(8, value), *pbx_hangs_up(12)])
    assert entry.queue_exit is expected
    assert entry.queue_joined_at is None
    assert entry.queue_wait_s is None


def test_every_queuestatus_asterisk_sets_has_an_exit() -> None:
    # app_queue.c queue_results[] (UNKNOWN is never set as a value).
    asterisk_values = {
        "TIMEOUT",
        "JOINEMPTY",
        "LEAVEEMPTY",
        "JOINUNAVAIL",
        "LEAVEUNAVAIL",
        "FULL",
        "CONTINUE",
        "WITHDRAW",
    }
    assert asterisk_values <= set(QUEUE_STATUS_EXITS)


def test_leaving_without_status_is_a_key_press_when_varsets_are_visible() -> None:
    # Asterisk sets no QUEUESTATUS for EXITWITHKEY; this call's VarSets do arrive.
    agi = VarSet(
        at=at(5), chan=caller("consult-line-inbound"), variable="AGISTATUS", value="SUCCESS"
    )
    entry = finished([*arrive(), agi, join(10), leave(40), *pbx_hangs_up(50)])
    assert entry.queue_exit is QueueExit.KEY
    assert entry.queue_wait_s == pytest.approx(30.0)


def test_leaving_without_status_is_a_timeout_when_varsets_are_not_visible() -> None:
    # An AMI user without the "dialplan" read class never sees QUEUESTATUS.
    entry = finished([*arrive(), join(10), leave(310), *pbx_hangs_up(320)])
    assert entry.queue_exit is QueueExit.TIMEOUT


def test_abandon_in_the_queue() -> None:
    abandon = QueueCallerAbandon(
        at=at(18), chan=caller(), queue="consult-line", position=1, original_position=1, hold_time=8
    )
    entry = finished(
        [
            *arrive(),
            join(10),
            *caller_hangs_up(18)[:1],
            abandon,
            leave(18),
            *caller_hangs_up(18)[1:],
        ]
    )
    assert entry.queue_exit is QueueExit.ABANDONED
    assert entry.queue_wait_s == pytest.approx(8.0)
    assert entry.hangup_side is HangupSide.CALLER


def test_caller_gone_while_still_in_the_queue_is_an_abandon() -> None:
    entry = finished([*arrive(), join(10), *caller_hangs_up(25)])
    assert entry.queue_exit is QueueExit.ABANDONED
    assert entry.queue_wait_s == pytest.approx(15.0)


def test_continue_without_an_answer_is_connected_but_not_answered() -> None:
    entry = finished([*arrive(), join(10), leave(20), status(60, "CONTINUE"), *pbx_hangs_up(61)])
    assert entry.queue_exit is QueueExit.CONNECTED
    assert not entry.reached_operator


def test_unknown_queue_status_is_ignored() -> None:
    # A value a future Asterisk might add changes nothing; the VarSet shows that this call's
    # variables are visible, so leaving without a known status reads as the key exit.
    entry = finished(
        [*arrive(), join(10), leave(20), status(20, "SOMETHING"), *caller_hangs_up(30)]
    )
    assert entry.queue_exit is QueueExit.KEY


def test_never_queued() -> None:
    entry = finished([*arrive(), *caller_hangs_up(6)])
    assert entry.queue_exit is QueueExit.NOT_QUEUED
    assert entry.hangup_side is HangupSide.CALLER
    assert (entry.ended_at, entry.hangup_cause, entry.hangup_cause_text) == (
        at(6),
        16,
        "Normal Clearing",
    )


def test_requeued_caller_sums_the_waits_and_takes_the_last_exit() -> None:
    entry = finished(
        [*arrive(), join(10), leave(20), status(20, "TIMEOUT"), join(30), leave(35),
         connect(35.001), bridge(35.1, OPERATOR), bridge(35.1, caller()),
         complete(95, "agent", 60), *pbx_hangs_up(96)]
    )  # fmt: skip
    assert entry.queue_exit is QueueExit.CONNECTED
    assert entry.queue_joined_at == at(10)
    assert entry.queue_wait_s == pytest.approx(15.0)


# -------------------------------------------------------------------------- the operator


def answered_call(end: Sequence[AmiEvent]) -> list[AmiEvent]:
    return [
        *arrive(),
        join(10),
        AgentCalled(
            at=at(10.1), chan=caller(), member=OPERATOR, queue="consult-line",
            interface="PJSIP/201", member_name="PJSIP/201",
        ),
        Newchannel(at=at(10.1), chan=OPERATOR),
        leave(13),
        connect(13.001),
        bridge(13.01, OPERATOR),
        bridge(13.02, caller()),
        *end,
    ]  # fmt: skip


def test_operator_hangs_up() -> None:
    entry = finished(
        answered_call(
            [
                HangupRequest(at=at(73), chan=OPERATOR, cause=16),
                complete(73.001, "agent", 60),
                unbridge(73.002, OPERATOR),
                Hangup(at=at(73.003), chan=OPERATOR, cause=16, cause_txt="Normal Clearing"),
                status(73.004, "CONTINUE"),  # the survey follows
                *caller_hangs_up(90),
            ]
        )
    )
    assert entry.answered_at == at(13.001)
    assert entry.operator_interface == "PJSIP/201"
    assert entry.queue_wait_s == pytest.approx(3.0)
    assert entry.talk_s == 60.0
    # The conversation ended by the operator; the caller's later hang-up (after the survey)
    # does not change who ended it.
    assert entry.hangup_side is HangupSide.OPERATOR
    assert entry.ended_at == at(90)


def test_caller_hangs_up_while_talking() -> None:
    entry = finished(
        answered_call(
            [
                HangupRequest(at=at(40), chan=caller(), cause=16),
                complete(40.001, "caller", 27),
                Hangup(at=at(40.002), chan=caller(), cause=16, cause_txt="Normal Clearing"),
                Hangup(at=at(40.003), chan=OPERATOR, cause=16, cause_txt="Normal Clearing"),
            ]
        )
    )
    assert entry.hangup_side is HangupSide.CALLER
    assert entry.talk_s == 27.0


def test_agent_complete_after_the_callers_hangup_is_waited_for() -> None:
    # app_queue publishes AgentComplete asynchronously: it may come after the Hangup.
    projector = CallLogProjector()
    early = run(answered_call(caller_hangs_up(40)), projector)
    assert not any(isinstance(out, CallFinished) for out in early)
    late = run([complete(40.01, "caller", 27)], projector)
    assert isinstance(late[-1], CallFinished)
    assert late[-1].entry.talk_s == 27.0
    assert late[-1].entry.ended_at == at(40)
    assert projector.tracked == 0


def test_waiting_for_agent_complete_ends_when_the_last_leg_hangs_up() -> None:
    projector = CallLogProjector()
    run(answered_call(caller_hangs_up(40)), projector)
    outputs = run(
        [Hangup(at=at(41), chan=OPERATOR, cause=16, cause_txt="Normal Clearing")], projector
    )
    assert isinstance(outputs[-1], CallFinished)
    assert outputs[-1].entry.talk_s is None
    assert outputs[-1].entry.hangup_side is HangupSide.CALLER
    assert projector.tracked == 0


def test_interface_falls_back_to_the_member_channel_device() -> None:
    entry = finished(
        [*arrive(), join(10), leave(12), connect(12, interface=""), *caller_hangs_up(20)]
    )
    assert entry.operator_interface == "PJSIP/201"


@pytest.mark.parametrize(
    ("channel", "device"),
    [
        ("PJSIP/201-0000001a", "PJSIP/201"),
        ("Local/agent1@harness-agents-00000001;1", "Local/agent1@harness-agents"),
        ("SIP/operator-7-0a1b2c3d", "SIP/operator-7"),
        ("PJSIP/201", "PJSIP/201"),
    ],
)
def test_device_of_a_channel_name(channel: str, device: str) -> None:
    assert device_of(channel) == device


# ------------------------------------------------------------------------------- transfers


def operator_leaves(second: float) -> list[AmiEvent]:
    """After a transfer: the queue's AgentComplete, the operator's leg leaves and hangs up."""
    return [
        complete(second + 0.01, "transfer", int(second - 13)),
        unbridge(second + 0.02, OPERATOR),
        Hangup(at=at(second + 0.03), chan=OPERATOR, cause=16, cause_txt="Normal Clearing"),
        unbridge(second + 0.04, caller()),
    ]


def test_blind_transfer_counts_once_the_caller_reaches_the_employee() -> None:
    transfer = BlindTransfer(
        at=at(50), result="Success", transferer=OPERATOR, transferee=caller(),
        context="consult-line-transfer", extension="301", is_external=True,
    )  # fmt: skip
    projector = CallLogProjector()
    outputs = run(answered_call([transfer, complete(50.01, "transfer", 37)]), projector)
    update = outputs[-1]
    assert isinstance(update, CallUpdated)
    assert update.entry.transfers[0].outcome is TransferOutcome.COMPLETED  # optimistic
    outputs = run(
        [
            unbridge(50.02, OPERATOR),
            Hangup(at=at(50.03), chan=OPERATOR, cause=16, cause_txt="Normal Clearing"),
            unbridge(50.04, caller()),
            Newchannel(at=at(51), chan=EMPLOYEE),
            bridge(55, EMPLOYEE, "b2"),
            bridge(55.01, caller(), "b2"),
            HangupRequest(at=at(80), chan=EMPLOYEE, cause=16),
            *pbx_hangs_up(80.01),
        ],
        projector,
    )
    entry = outputs[-1]
    assert isinstance(entry, CallFinished)
    [record] = entry.entry.transfers
    assert record.kind is TransferKind.BLIND
    assert record.to_extension == "301"
    assert record.from_interface == "PJSIP/201"  # the member's Interface, not the channel
    assert record.outcome is TransferOutcome.COMPLETED
    assert entry.entry.hangup_side is HangupSide.OPERATOR  # the employee hung up
    assert entry.entry.talk_s == 37.0


def test_blind_transfer_that_reaches_nobody_is_failed() -> None:
    transfer = BlindTransfer(
        at=at(50), result="Success", transferer=OPERATOR, transferee=caller(),
        context="consult-line-transfer", extension="302", is_external=False,
    )  # fmt: skip
    entry = finished(answered_call([transfer, *operator_leaves(50), *caller_hangs_up(70)]))
    assert [t.outcome for t in entry.transfers] == [TransferOutcome.FAILED]
    assert entry.hangup_side is HangupSide.CALLER


@pytest.mark.parametrize("result", ["Fail", "Invalid", "Not Permitted"])
def test_blind_transfer_refused_by_asterisk_is_failed(result: str) -> None:
    transfer = BlindTransfer(
        at=at(50), result=result, transferer=OPERATOR, transferee=caller(),
        context="consult-line-transfer", extension="9", is_external=False,
    )  # fmt: skip
    # The operator keeps the caller; someone joining the bridge later does not revive it.
    entry = finished(
        answered_call(
            [transfer, bridge(51, leg("x.9")), complete(60, "agent", 47), *pbx_hangs_up(61)]
        )
    )
    assert [t.outcome for t in entry.transfers] == [TransferOutcome.FAILED]
    assert entry.hangup_side is HangupSide.OPERATOR


def test_attended_transfer() -> None:
    consult = leg("1796000000.13", "Local/301@consult-line-transfer-00000003;1")
    transfer = AttendedTransfer(
        at=at(60), result="Success", orig_transferer=OPERATOR, second_transferer=OPERATOR,
        transferee=caller(), transfer_target=consult, dest_type="Bridge",
    )  # fmt: skip
    entry = finished(answered_call([transfer, *operator_leaves(60), *caller_hangs_up(90)]))
    [record] = entry.transfers
    assert (record.kind, record.to_extension, record.from_interface, record.outcome) == (
        TransferKind.ATTENDED,
        "",  # the Local channel's exten is not a number here
        "PJSIP/201",
        TransferOutcome.COMPLETED,
    )


def test_attended_transfer_that_failed() -> None:
    transfer = AttendedTransfer(
        at=at(60), result="Fail", orig_transferer=OPERATOR, second_transferer=None,
        transferee=caller(), transfer_target=None, dest_type="Fail",
    )  # fmt: skip
    entry = finished(answered_call([transfer, *operator_leaves(60), *caller_hangs_up(90)]))
    assert [t.outcome for t in entry.transfers] == [TransferOutcome.FAILED]


# ------------------------------------------------------------------------ which calls, when


def test_nothing_is_emitted_before_the_call_enters_the_line() -> None:
    projector = CallLogProjector()
    foreign = Channel(name="PJSIP/201-1", uniqueid="7.0", linkedid="7.0", context="from-internal")
    assert run([Newchannel(at=at(0), chan=foreign)], projector) == []
    assert projector.tracked == 1
    outputs = run(
        [Newstate(at=at(1), chan=replace(foreign, context="consult-line-inbound"))],
        projector,
    )
    assert [type(out) for out in outputs] == [CallUpdated]
    assert outputs[0].entry.arrived_at == at(0)


def test_a_console_callback_is_never_logged() -> None:
    # Originated towards the operator: Uniqueid = Linkedid, but never in a line context.
    operator = Channel(
        name="PJSIP/201-00000020", uniqueid="8.0", linkedid="8.0", context="consult-line-callback"
    )
    projector = CallLogProjector()
    outputs = run(
        [
            Newchannel(at=at(0), chan=operator),
            Hangup(at=at(60), chan=operator, cause=16, cause_txt="Normal Clearing"),
        ],
        projector,
    )
    assert outputs == []
    assert projector.tracked == 0


def test_events_of_unknown_calls_are_ignored() -> None:
    projector = CallLogProjector()
    assert run([join(10), *caller_hangs_up(20)], projector) == []
    assert projector.tracked == 0


def test_leg_hangups_do_not_end_the_call() -> None:
    projector = CallLogProjector()
    outputs = run(
        [*arrive(), Newchannel(at=at(1), chan=OPERATOR),
         Hangup(at=at(2), chan=OPERATOR, cause=16, cause_txt="")],
        projector,
    )  # fmt: skip
    assert not any(isinstance(out, CallFinished) for out in outputs)
    assert projector.tracked == 1


def test_updates_only_when_something_changed() -> None:
    outputs = run(
        [*arrive(), Newstate(at=at(1), chan=CALLER), Newstate(at=at(2), chan=CALLER), join(10)]
    )
    assert [type(out) for out in outputs] == [CallUpdated, CallUpdated]
    first, second = (out.entry for out in outputs)
    assert first.source is EntrySource.AMI
    assert (first.caller_number, first.caller_name, first.did) == (
        "79281234567",
        "Жанна",
        "78722678091",
    )
    assert first.ended_at is None
    assert second.queue_joined_at == at(10)


def test_caller_id_learned_after_arrival() -> None:
    unknown = Channel(
        name=CALLER.name, uniqueid=CALL, linkedid=CALL, context="consult-line-inbound"
    )
    entry = finished([Newchannel(at=at(0), chan=unknown), *caller_hangs_up(5)])
    assert entry.caller_number == "79281234567"


def test_many_calls_are_kept_apart_and_dropped_when_finished() -> None:
    projector = CallLogProjector()
    outputs: list[ProjectorOutput] = []
    for n in range(50):
        chan = Channel(
            name=f"PJSIP/trunk-{n:08x}", uniqueid=f"9.{n}", linkedid=f"9.{n}",
            context="consult-line-inbound", caller_num=f"7928000{n:04d}",
        )  # fmt: skip
        outputs += run([Newchannel(at=at(n), chan=chan)], projector)
    assert projector.tracked == 50
    assert [entry.linkedid for entry in projector.open_calls()][:2] == ["9.0", "9.1"]
    for n in range(50):
        chan = Channel(name=f"PJSIP/trunk-{n:08x}", uniqueid=f"9.{n}", linkedid=f"9.{n}")
        outputs += run([Hangup(at=at(100 + n), chan=chan, cause=16, cause_txt="")], projector)
    done = [out.entry for out in outputs if isinstance(out, CallFinished)]
    assert [entry.caller_number for entry in done] == [f"7928000{n:04d}" for n in range(50)]
    assert projector.tracked == 0


# ------------------------------------------------------------------------------ reconnects


def show(uniqueid: str, linkedid: str, context: str, duration_s: int) -> CoreShowChannel:
    return CoreShowChannel(
        at=at(600),
        chan=Channel(
            name=f"PJSIP/x-{uniqueid}", uniqueid=uniqueid, linkedid=linkedid, context=context,
            caller_num="79280000000",
        ),
        application="Queue",
        duration_s=duration_s,
    )  # fmt: skip


def test_resync_loses_calls_that_ended_while_disconnected_and_adopts_new_ones() -> None:
    projector = CallLogProjector()
    run([*arrive(), join(10)], projector)
    projector.connection_lost()
    outputs = projector.resync([show("5.0", "5.0", "consult-line-queue", 90)])
    lost, adopted = outputs
    assert isinstance(lost, CallLost)
    assert lost.entry.linkedid == CALL
    assert isinstance(adopted, CallUpdated)
    assert adopted.entry.arrived_at == at(510)
    assert [entry.linkedid for entry in projector.open_calls()] == ["5.0"]
    end = run(
        [Hangup(at=at(700), chan=show("5.0", "5.0", "", 0).chan, cause=16, cause_txt="")], projector
    )
    assert isinstance(end[-1], CallFinished)
    assert end[-1].complete is False  # partial events: the reconciliation decides


def test_call_that_lived_through_a_gap_finishes_incomplete() -> None:
    projector = CallLogProjector()
    run([*arrive(), join(10)], projector)
    projector.connection_lost()
    assert projector.resync([show(CALL, CALL, "consult-line-queue", 60)]) == []
    outputs = run(caller_hangs_up(700), projector)
    assert isinstance(outputs[-1], CallFinished)
    assert outputs[-1].complete is False


def test_same_events_give_the_same_outputs() -> None:
    events = answered_call([complete(50, "agent", 37), *pbx_hangs_up(51)])
    assert run(events) == run(events)


def test_an_answer_missed_in_a_gap_is_told_by_the_agent_complete() -> None:
    # Adopted at the resync while talking: the AgentConnect was in the gap, AgentComplete is
    # not (C13 needs "reached an operator"; the live figures need the operator).
    projector = CallLogProjector()
    projector.connection_lost()
    projector.resync([show(CALL, CALL, "consult-line-queue", 30)])
    outputs = run([complete(650, "agent", 37), *pbx_hangs_up(651)], projector)
    assert isinstance(outputs[-1], CallFinished)
    assert outputs[-1].complete is False
    entry = outputs[-1].entry
    assert (entry.answered_at, entry.operator_interface, entry.talk_s, entry.queue_exit) == (
        at(613),
        "PJSIP/201",
        37,
        QueueExit.CONNECTED,
    )
    assert entry.hangup_side is HangupSide.OPERATOR
