"""The AMI events the simulated PBX sends, header for header in Asterisk 22's order.

Every shape here is the one the recordings show (``tests/fixtures/asterisk/*.ami.txt``; a
test compares them): the standard channel headers (``ast_manager_build_channel_state_string``),
possibly under a prefix (``Dest``, ``Transferer``, ``LocalOne`` ...), the bridge headers, then
the event's own. The PBX adds ``Timestamp`` after ``Privilege`` when it sends one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from simulator.channels import UNKNOWN, Bridge, SimChannel

Headers = tuple[tuple[str, str], ...]

CALL = "call,all"
DIALPLAN = "dialplan,all"
AGENT = "agent,all"
AGI = "agi,all"
DTMF = "dtmf,all"

CAUSE_TEXT = {0: "Unknown", 16: "Normal Clearing", 17: "User busy", 19: "No user responding"}


@dataclass(frozen=True, slots=True)
class AmiEvent:
    name: str
    privilege: str
    headers: Headers


def _text(value: str) -> str:
    return value or UNKNOWN


def channel(chan: SimChannel, prefix: str = "") -> Headers:
    return (
        (f"{prefix}Channel", chan.name),
        (f"{prefix}ChannelState", str(int(chan.state))),
        (f"{prefix}ChannelStateDesc", chan.state.desc),
        (f"{prefix}CallerIDNum", _text(chan.caller_num)),
        (f"{prefix}CallerIDName", _text(chan.caller_name)),
        (f"{prefix}ConnectedLineNum", _text(chan.connected_num)),
        (f"{prefix}ConnectedLineName", _text(chan.connected_name)),
        (f"{prefix}Language", chan.language),
        (f"{prefix}AccountCode", chan.accountcode),
        (f"{prefix}Context", chan.context),
        (f"{prefix}Exten", chan.exten),
        (f"{prefix}Priority", str(chan.priority)),
        (f"{prefix}Uniqueid", chan.uniqueid),
        (f"{prefix}Linkedid", chan.linkedid),
    )


def bridge(br: Bridge, prefix: str = "") -> Headers:
    return (
        (f"{prefix}BridgeUniqueid", br.uniqueid),
        (f"{prefix}BridgeType", "basic"),
        (f"{prefix}BridgeTechnology", br.technology),
        (f"{prefix}BridgeCreator", UNKNOWN),
        (f"{prefix}BridgeName", UNKNOWN),
        (f"{prefix}BridgeNumChannels", str(len(br.channels))),
        (f"{prefix}BridgeVideoSourceMode", "none"),
    )


def _event(name: str, privilege: str, *parts: Iterable[tuple[str, str]]) -> AmiEvent:
    headers: list[tuple[str, str]] = []
    for part in parts:
        headers.extend(part)
    return AmiEvent(name, privilege, tuple(headers))


# ------------------------------------------------------------------------ channel life


def channel_event(name: str, chan: SimChannel) -> AmiEvent:
    """Newchannel, Newstate, NewConnectedLine, MusicOnHoldStop, Hold, Unhold."""
    return _event(name, CALL, channel(chan))


def new_callerid(chan: SimChannel) -> AmiEvent:
    presentation = (
        "0 (Presentation Allowed, Not Screened)" if chan.caller_num else "67 (Number Unavailable)"
    )
    return _event("NewCallerid", CALL, channel(chan), (("CID-CallingPres", presentation),))


def newexten(chan: SimChannel) -> AmiEvent:
    return _event(
        "Newexten",
        DIALPLAN,
        channel(chan),
        (
            ("Extension", chan.exten),
            ("Application", chan.application),
            ("AppData", chan.app_data),
        ),
    )


def varset(chan: SimChannel, variable: str, value: str) -> AmiEvent:
    return _event("VarSet", DIALPLAN, channel(chan), (("Variable", variable), ("Value", value)))


def hangup_request(name: str, chan: SimChannel, cause: int) -> AmiEvent:
    """HangupRequest (the far end) or SoftHangupRequest (Asterisk itself)."""
    return _event(name, CALL, channel(chan), (("Cause", str(cause)),))


def hangup(chan: SimChannel, cause: int) -> AmiEvent:
    return _event(
        "Hangup",
        CALL,
        channel(chan),
        (("Cause", str(cause)), ("Cause-txt", CAUSE_TEXT.get(cause, "Unknown"))),
    )


def music_on_hold_start(chan: SimChannel) -> AmiEvent:
    return _event("MusicOnHoldStart", CALL, channel(chan), (("Class", "default"),))


def dtmf_begin(chan: SimChannel, digit: str) -> AmiEvent:
    return _event("DTMFBegin", DTMF, channel(chan), (("Digit", digit), ("Direction", "Received")))


def dtmf_end(chan: SimChannel, digit: str, duration_ms: int) -> AmiEvent:
    return _event(
        "DTMFEnd",
        DTMF,
        channel(chan),
        (("Digit", digit), ("DurationMs", str(duration_ms)), ("Direction", "Received")),
    )


def local_bridge(one: SimChannel, two: SimChannel, context: str, exten: str) -> AmiEvent:
    return _event(
        "LocalBridge",
        CALL,
        channel(one, "LocalOne"),
        channel(two, "LocalTwo"),
        (("Context", context), ("Exten", exten), ("LocalOptimization", "Yes")),
    )


# ------------------------------------------------------------------------ dialling


def dial(name: str, caller: SimChannel | None, dest: SimChannel, last: tuple[str, str]) -> AmiEvent:
    """DialBegin (``last`` = DialString), DialState and DialEnd (``last`` = DialStatus)."""
    parts: list[Headers] = [] if caller is None else [channel(caller)]
    return _event(name, CALL, *parts, channel(dest, "Dest"), (last,))


# ------------------------------------------------------------------------ bridges


def bridge_event(name: str, br: Bridge) -> AmiEvent:
    """BridgeCreate, BridgeDestroy."""
    return _event(name, CALL, bridge(br))


def bridge_enter(br: Bridge, chan: SimChannel, swap: SimChannel | None = None) -> AmiEvent:
    extra: Headers = () if swap is None else (("SwapUniqueid", swap.uniqueid),)
    return _event("BridgeEnter", CALL, bridge(br), channel(chan), extra)


def bridge_leave(br: Bridge, chan: SimChannel) -> AmiEvent:
    return _event("BridgeLeave", CALL, bridge(br), channel(chan))


# ------------------------------------------------------------------------ the queue


def queue_caller(
    name: str, chan: SimChannel, queue: str, fields: Sequence[tuple[str, str]]
) -> AmiEvent:
    """QueueCallerJoin/Leave (Position, Count), QueueCallerAbandon (Position,
    OriginalPosition, HoldTime)."""
    return _event(name, AGENT, channel(chan), (("Queue", queue),), fields)


def agent_event(
    name: str,
    caller: SimChannel,
    member: SimChannel,
    queue: str,
    interface: str,
    member_name: str,
    fields: Sequence[tuple[str, str]] = (),
) -> AmiEvent:
    """AgentCalled, AgentRingNoAnswer, AgentConnect, AgentComplete."""
    return _event(
        name,
        AGENT,
        channel(caller),
        channel(member, "Dest"),
        (("Queue", queue), ("Interface", interface), ("MemberName", member_name)),
        fields,
    )


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What app_queue's member blob says of one member."""

    queue: str
    name: str
    interface: str
    state_interface: str
    dynamic: bool
    penalty: int
    calls_taken: int
    last_call: int
    last_pause: int
    login_time: int
    in_call: bool
    status: int
    paused: bool
    paused_reason: str
    wrapup_time: int


def member_fields(member: MemberFacts, *, listing: bool = False) -> Headers:
    """The member blob: as member events send it, or as QueueStatus lists it (``Name`` and
    ``Location`` for ``MemberName`` and ``Interface``, no ``Ringinuse``)."""
    name_key, interface_key = ("Name", "Location") if listing else ("MemberName", "Interface")
    fields = [
        ("Queue", member.queue),
        (name_key, member.name),
        (interface_key, member.interface),
        ("StateInterface", member.state_interface),
        ("Membership", "dynamic" if member.dynamic else "static"),
        ("Penalty", str(member.penalty)),
        ("CallsTaken", str(member.calls_taken)),
        ("LastCall", str(member.last_call)),
        ("LastPause", str(member.last_pause)),
        ("LoginTime", str(member.login_time)),
        ("InCall", str(int(member.in_call))),
        ("Status", str(member.status)),
        ("Paused", str(int(member.paused))),
        ("PausedReason", member.paused_reason),
    ]
    if not listing:
        fields.append(("Ringinuse", "0"))
    fields.append(("Wrapuptime", str(member.wrapup_time)))
    return tuple(fields)


def member_event(name: str, member: MemberFacts) -> AmiEvent:
    """QueueMemberStatus, QueueMemberPause, QueueMemberAdded, QueueMemberRemoved."""
    return _event(name, AGENT, member_fields(member))


# ------------------------------------------------------------------------ transfers


def blind_transfer(
    transferer: SimChannel, transferee: SimChannel, br: Bridge, context: str, exten: str
) -> AmiEvent:
    return _event(
        "BlindTransfer",
        CALL,
        (("Result", "Success"),),
        channel(transferer, "Transferer"),
        channel(transferee, "Transferee"),
        bridge(br),
        (("IsExternal", "Yes"), ("Context", context), ("Extension", exten)),
    )


def attended_transfer(
    transferer: SimChannel,
    orig_bridge: Bridge,
    second_bridge: Bridge,
    transferee: SimChannel,
    target: SimChannel,
) -> AmiEvent:
    return _event(
        "AttendedTransfer",
        CALL,
        (("Result", "Success"),),
        channel(transferer, "OrigTransferer"),
        bridge(orig_bridge, "Orig"),
        channel(transferer, "SecondTransferer"),
        bridge(second_bridge, "Second"),
        channel(transferee, "Transferee"),
        channel(target, "TransferTarget"),
        (
            ("IsExternal", "No"),
            ("DestType", "Bridge"),
            ("DestBridgeUniqueid", orig_bridge.uniqueid),
        ),
    )


# ------------------------------------------------------------------------ FastAGI


def agi_exec_start(chan: SimChannel, command_id: str, command: str) -> AmiEvent:
    return _event(
        "AGIExecStart", AGI, channel(chan), (("CommandId", command_id), ("Command", command))
    )


def agi_exec_end(
    chan: SimChannel, command_id: str, command: str, code: int, result: str
) -> AmiEvent:
    return _event(
        "AGIExecEnd",
        AGI,
        channel(chan),
        (
            ("CommandId", command_id),
            ("Command", command),
            ("ResultCode", str(code)),
            ("Result", result),
        ),
    )


# ------------------------------------------------------------------------ the console's


def originate_response(
    action_id: str,
    response: str,
    chan_name: str,
    context: str,
    exten: str,
    reason: int,
    uniqueid: str,
    caller: tuple[str, str],
) -> AmiEvent:
    return _event(
        "OriginateResponse",
        CALL,
        (
            ("ActionID", action_id),
            ("Response", response),
            ("Channel", chan_name),
            ("Context", context),
            ("Exten", exten),
            ("Reason", str(reason)),
            ("Uniqueid", uniqueid),
            ("CallerIDNum", _text(caller[0])),
            ("CallerIDName", _text(caller[1])),
        ),
    )
