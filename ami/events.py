"""AMI events parsed at the edge into frozen dataclasses.

``parse_event(message, received_at)`` turns one AMI message (an :class:`ami.stream.AmiMessage`
or panoramisk's ``Message``: any mapping of header name to value) into a typed event, or
None. Nothing past this module reads raw headers.

* Time: the ``Timestamp`` header (``timestampevents = yes`` in manager.conf; epoch seconds
  with microseconds) is the event's time, parsed exactly; without it, ``received_at``.
* An event we do not use, a ``Response``, a ``VarSet`` of a variable we do not watch, or a
  ``DTMFEnd`` that is no key the caller pressed → None, counted in :attr:`ParseStats.ignored`.
* A malformed event we do use (a key header missing, a number that is not one) → None,
  with the reason counted in :attr:`ParseStats.rejected`. Never an exception: one bad
  event must not stop the stream.

Header names and meanings: ``docs/asterisk.md`` §7 (Asterisk 18–22).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# Channel variables the call log and the console care about (VarSet is the "dialplan" read
# class: the AMI user needs it for these to arrive).
WATCHED_VARIABLES = frozenset(
    {
        "QUEUESTATUS",  # why Queue() returned: TIMEOUT, JOINEMPTY, ..., CONTINUE
        "DIALSTATUS",
        "AGISTATUS",
        "MEMBERINTERFACE",  # the queue member that answered (setinterfacevar = yes)
        "LINE_TOPIC",
        "LINE_LANGUAGE",
        "LINE_ROUTE",
        "LINE_OPEN",
        "TRANSFER_ALLOWED",
        "XFER_LEG",
    }
)

# The keys a DTMFEnd may carry (Asterisk's DTMF digits, main/channel.c).
DTMF_DIGITS = frozenset("0123456789*#ABCD")

_UNKNOWN_IDS = frozenset({"", "<unknown>"})
_TIMESTAMP = re.compile(r"(\d{1,12})(?:\.(\d{1,6}))?")
_DURATION = re.compile(r"(\d+):([0-5]\d):([0-5]\d)")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _MalformedEventError(ValueError):
    """Raised inside the parsers only; parse_event turns it into None and a counted reason."""


@dataclass
class ParseStats:
    """What parse_event could not use; pass one in to count (e.g. one per connection)."""

    ignored: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


# ---------------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class Channel:
    """The standard channel headers of an event (possibly under a prefix such as ``Dest``)."""

    name: str  # e.g. "PJSIP/trunk-0000001a"
    uniqueid: str
    linkedid: str
    state: int | None = None
    caller_num: str = ""  # "" when Asterisk says "<unknown>"
    caller_name: str = ""
    context: str = ""
    exten: str = ""


@dataclass(frozen=True, slots=True)
class AmiEvent:
    at: datetime  # aware, UTC


@dataclass(frozen=True, slots=True)
class ChannelEvent(AmiEvent):
    chan: Channel

    @property
    def uniqueid(self) -> str:
        return self.chan.uniqueid

    @property
    def linkedid(self) -> str:
        return self.chan.linkedid

    @property
    def channel(self) -> str:
        return self.chan.name


# --------------------------------------------------------------------- channel lifecycle


@dataclass(frozen=True, slots=True)
class Newchannel(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class Newstate(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class NewCallerid(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class Newexten(ChannelEvent):
    application: str = ""
    app_data: str = ""


@dataclass(frozen=True, slots=True)
class VarSet(ChannelEvent):
    variable: str  # upper case, inheritance prefix ("__") removed
    value: str


@dataclass(frozen=True, slots=True)
class HangupRequest(ChannelEvent):
    """The far end hung up (a caller's BYE arrives on the inbound channel as this)."""

    cause: int | None = None


@dataclass(frozen=True, slots=True)
class SoftHangupRequest(ChannelEvent):
    """Asterisk itself hangs the channel up: the dialplan's Hangup(), AMI Hangup, a bridge."""

    cause: int | None = None


@dataclass(frozen=True, slots=True)
class Hangup(ChannelEvent):
    cause: int | None  # Q.850 cause; None when Asterisk sent none
    cause_txt: str


# ------------------------------------------------------------------------------ the keypad


@dataclass(frozen=True, slots=True)
class DTMFEnd(ChannelEvent):
    """A key the caller pressed on the channel (read class ``dtmf``), sent when the key is
    released. Only keys Asterisk received from the channel's far end are parsed:
    ``Direction: Sent`` (a key Asterisk passes on towards that phone, from the other side of a
    bridge or an AMI ``PlayDTMF``) and a digit that is no key are ignored."""

    digit: str  # one of DTMF_DIGITS


# ------------------------------------------------------------------------------- dialling


@dataclass(frozen=True, slots=True)
class DialBegin(AmiEvent):
    caller: Channel | None  # absent when the dial was originated (no calling channel)
    dest: Channel
    dial_string: str = ""

    @property
    def linkedid(self) -> str:
        return self.caller.linkedid if self.caller else self.dest.linkedid


@dataclass(frozen=True, slots=True)
class DialEnd(AmiEvent):
    caller: Channel | None
    dest: Channel
    dial_status: str  # ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL, ...
    forward: str = ""

    @property
    def linkedid(self) -> str:
        return self.caller.linkedid if self.caller else self.dest.linkedid


# ---------------------------------------------------------------------------- the queue


@dataclass(frozen=True, slots=True)
class QueueCallerJoin(ChannelEvent):
    queue: str
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class QueueCallerLeave(ChannelEvent):
    """Emitted for every exit, answered calls included (before AgentConnect)."""

    queue: str
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class QueueCallerAbandon(ChannelEvent):
    queue: str
    position: int
    original_position: int
    hold_time: int  # seconds


@dataclass(frozen=True, slots=True)
class AgentEvent(ChannelEvent):
    """Queue events about a member: ``chan`` is the caller, ``member`` the member's leg."""

    member: Channel | None
    queue: str
    interface: str  # the member's device, e.g. "PJSIP/201" ("" if Asterisk sent none)
    member_name: str


@dataclass(frozen=True, slots=True)
class AgentCalled(AgentEvent):
    pass


@dataclass(frozen=True, slots=True)
class AgentRingNoAnswer(AgentEvent):
    ring_time_ms: int = 0


@dataclass(frozen=True, slots=True)
class AgentConnect(AgentEvent):
    hold_time: int = 0  # seconds the caller waited
    ring_time: int = 0


@dataclass(frozen=True, slots=True)
class AgentComplete(AgentEvent):
    hold_time: int = 0
    talk_time: int = 0  # seconds
    reason: str = ""  # "caller", "agent" or "transfer"


@dataclass(frozen=True, slots=True)
class AgentDump(AgentEvent):
    pass


# ------------------------------------------------------------------ bridges and transfers


@dataclass(frozen=True, slots=True)
class BridgeEnter(ChannelEvent):
    bridge_uniqueid: str
    bridge_num_channels: int | None = None
    swap_uniqueid: str = ""


@dataclass(frozen=True, slots=True)
class BridgeLeave(ChannelEvent):
    bridge_uniqueid: str
    bridge_num_channels: int | None = None


@dataclass(frozen=True, slots=True)
class BlindTransfer(AmiEvent):
    result: str  # Success, Fail, Invalid, Not Permitted
    transferer: Channel | None
    transferee: Channel | None
    context: str
    extension: str
    is_external: bool
    bridge_uniqueid: str = ""

    @property
    def linkedid(self) -> str:
        party = self.transferee or self.transferer
        return party.linkedid if party else ""


@dataclass(frozen=True, slots=True)
class AttendedTransfer(AmiEvent):
    result: str
    orig_transferer: Channel | None
    second_transferer: Channel | None
    transferee: Channel | None
    transfer_target: Channel | None
    dest_type: str  # Bridge, App, Link, Threeway, Fail
    dest_bridge_uniqueid: str = ""
    dest_app: str = ""
    is_external: bool = False

    @property
    def linkedid(self) -> str:
        party = self.transferee or self.orig_transferer
        return party.linkedid if party else ""


# --------------------------------------------------------------- console: queue members


@dataclass(frozen=True, slots=True)
class MemberEvent(AmiEvent):
    queue: str
    interface: str
    member_name: str
    state_interface: str = ""
    status: int | None = None  # AST_DEVICE_*: 1 not in use, 2 in use, 5 unavailable, 6 ringing
    paused: bool = False
    paused_reason: str = ""
    in_call: bool = False
    calls_taken: int = 0
    last_call: int = 0  # epoch seconds, 0 = never
    login_time: int = 0
    membership: str = ""
    penalty: int = 0
    wrapup_time: int = 0


@dataclass(frozen=True, slots=True)
class QueueMemberStatus(MemberEvent):
    pass


@dataclass(frozen=True, slots=True)
class QueueMemberPause(MemberEvent):
    pass


@dataclass(frozen=True, slots=True)
class QueueMemberAdded(MemberEvent):
    pass


@dataclass(frozen=True, slots=True)
class QueueMemberRemoved(MemberEvent):
    pass


@dataclass(frozen=True, slots=True)
class QueueMember(MemberEvent):
    """One member in a QueueStatus reply (``Name``/``Location`` instead of
    ``MemberName``/``Interface``)."""


@dataclass(frozen=True, slots=True)
class QueueEntry(AmiEvent):
    """One waiting caller in a QueueStatus reply."""

    queue: str
    position: int
    channel: str
    uniqueid: str
    caller_num: str
    caller_name: str
    wait_s: int
    linkedid: str = ""  # not sent by Asterisk 22; kept for forward compatibility


@dataclass(frozen=True, slots=True)
class QueueParams(AmiEvent):
    queue: str
    max: int
    strategy: str
    calls: int
    holdtime: int
    talktime: int
    completed: int
    abandoned: int


@dataclass(frozen=True, slots=True)
class CoreShowChannel(ChannelEvent):
    """One live channel in a CoreShowChannels reply."""

    application: str = ""
    application_data: str = ""
    duration_s: int = 0
    bridge_id: str = ""


# ---------------------------------------------------------------------------- the link


@dataclass(frozen=True, slots=True)
class FullyBooted(AmiEvent):
    status: str = ""


@dataclass(frozen=True, slots=True)
class OriginateResponse(AmiEvent):
    action_id: str
    response: str  # "Success" or "Failure"
    channel: str
    # AST_CONTROL_*: 4 answered, 1 hung up, 3 ringing timeout, 5 busy, 8 congestion
    reason: int | None
    uniqueid: str
    context: str = ""
    exten: str = ""
    caller_num: str = ""
    caller_name: str = ""

    @property
    def success(self) -> bool:
        return self.response.lower() == "success"


# ------------------------------------------------------------------------------- parsing


class _Headers:
    """Header access over either message type, with the helpers every parser needs."""

    __slots__ = ("_message",)

    def __init__(self, message: Mapping[str, object]) -> None:
        self._message = message

    def get(self, name: str) -> str | None:
        value = self._message.get(name)
        if value is None:
            return None
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        return value if isinstance(value, str) else None

    def text(self, name: str) -> str:
        return self.get(name) or ""

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise _MalformedEventError(f"missing {name}")
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            if required:
                raise _MalformedEventError(f"missing {name}")
            return None
        try:
            return int(value.strip())
        except ValueError:
            raise _MalformedEventError(f"bad {name}") from None

    def count(self, name: str) -> int:
        """A non-negative integer that defaults to 0 when absent."""
        value = self.integer(name)
        if value is not None and value < 0:
            raise _MalformedEventError(f"bad {name}")
        return value or 0

    def flag(self, name: str) -> bool:
        return self.text(name).strip().lower() in {"1", "yes", "true", "on"}

    def channel(self, prefix: str = "", *, required: bool = True) -> Channel | None:
        name = self.get(f"{prefix}Channel")
        uniqueid = self.get(f"{prefix}Uniqueid")
        linkedid = self.get(f"{prefix}Linkedid")
        if not name or not uniqueid:
            if required:
                raise _MalformedEventError(f"missing {prefix}Channel/{prefix}Uniqueid")
            return None
        return Channel(
            name=name,
            uniqueid=uniqueid,
            # Older Asterisk omits Linkedid on some events: a channel is then its own call.
            linkedid=linkedid or uniqueid,
            state=self.integer(f"{prefix}ChannelState"),
            caller_num=_known(self.text(f"{prefix}CallerIDNum")),
            caller_name=_known(self.text(f"{prefix}CallerIDName")),
            context=self.text(f"{prefix}Context"),
            exten=self.text(f"{prefix}Exten"),
        )

    def chan(self) -> Channel:
        channel = self.channel()
        assert channel is not None
        return channel

    def ids_only(self, prefix: str = "") -> Channel | None:
        """A channel known by its ids alone (``{prefix}Uniqueid``, ``{prefix}Linkedid``), for
        an event that lost its ``{prefix}Channel`` header; None without a Uniqueid."""
        uniqueid = self.get(f"{prefix}Uniqueid")
        if not uniqueid:
            return None
        linkedid = self.get(f"{prefix}Linkedid") or uniqueid
        return Channel(name="", uniqueid=uniqueid, linkedid=linkedid)


def _known(value: str) -> str:
    return "" if value in _UNKNOWN_IDS else value


def parse_timestamp(value: str) -> datetime:
    """``1795867058.735585`` → an aware UTC datetime, exact to the microsecond."""
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise _MalformedEventError("bad Timestamp")
    seconds, fraction = match.groups()
    micros = int((fraction or "0").ljust(6, "0"))
    try:
        return _EPOCH + timedelta(seconds=int(seconds), microseconds=micros)
    except OverflowError:
        raise _MalformedEventError("bad Timestamp") from None


def _duration(value: str) -> int:
    """CoreShowChannel's ``Duration`` (``HH:MM:SS``) in seconds."""
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise _MalformedEventError("bad Duration")
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _event_time(headers: _Headers, received_at: datetime) -> datetime:
    value = headers.get("Timestamp")
    if value is None:
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        return received_at.astimezone(UTC)
    return parse_timestamp(value)


def _channel_event(cls: type[ChannelEvent]) -> Callable[[_Headers, datetime], AmiEvent]:
    return lambda h, at: cls(at=at, chan=h.chan())


def _varset(h: _Headers, at: datetime) -> AmiEvent | None:
    variable = h.required("Variable").lstrip("_").upper()
    if variable not in WATCHED_VARIABLES:
        return None
    if h.get("Channel") is None:
        return None  # a global variable
    return VarSet(at=at, chan=h.chan(), variable=variable, value=h.text("Value"))


def _hangup(h: _Headers, at: datetime) -> AmiEvent:
    return Hangup(at=at, chan=h.chan(), cause=h.integer("Cause"), cause_txt=h.text("Cause-txt"))


def _dtmf_end(h: _Headers, at: datetime) -> AmiEvent | None:
    direction = h.required("Direction").strip().lower()
    digit = h.required("Digit").strip().upper()
    if direction not in {"received", "sent"}:
        raise _MalformedEventError("bad Direction")
    if direction == "sent" or digit not in DTMF_DIGITS:
        return None  # not a key the caller pressed
    return DTMFEnd(at=at, chan=h.chan(), digit=digit)


def _dial_begin(h: _Headers, at: datetime) -> AmiEvent:
    dest = h.channel("Dest")
    assert dest is not None
    caller = h.channel(required=False)
    return DialBegin(at=at, caller=caller, dest=dest, dial_string=h.text("DialString"))


def _dial_end(h: _Headers, at: datetime) -> AmiEvent:
    dest = h.channel("Dest")
    assert dest is not None
    return DialEnd(
        at=at,
        caller=h.channel(required=False),
        dest=dest,
        dial_status=h.required("DialStatus").upper(),
        forward=h.text("Forward"),
    )


def _queue_join(h: _Headers, at: datetime) -> AmiEvent:
    return QueueCallerJoin(
        at=at,
        chan=h.chan(),
        queue=h.required("Queue"),
        position=h.count("Position"),
        count=h.count("Count"),
    )


def _queue_leave(h: _Headers, at: datetime) -> AmiEvent:
    return QueueCallerLeave(
        at=at,
        chan=h.chan(),
        queue=h.required("Queue"),
        position=h.count("Position"),
        count=h.count("Count"),
    )


def _queue_abandon(h: _Headers, at: datetime) -> AmiEvent:
    return QueueCallerAbandon(
        at=at,
        chan=h.chan(),
        queue=h.required("Queue"),
        position=h.count("Position"),
        original_position=h.count("OriginalPosition"),
        hold_time=h.count("HoldTime"),
    )


def _agent_fields(
    h: _Headers, at: datetime, *, chan: Channel | None = None, member: Channel | None = None
) -> dict[str, Any]:
    """The fields every Agent* event shares (AgentEvent's), as keyword arguments."""
    return {
        "at": at,
        "chan": chan or h.chan(),
        "member": member or h.channel("Dest", required=False),
        "queue": h.required("Queue"),
        "interface": h.text("Interface"),
        "member_name": h.text("MemberName"),
    }


def _agent(cls: type[AgentCalled | AgentDump]) -> Callable[[_Headers, datetime], AmiEvent]:
    def parse(h: _Headers, at: datetime) -> AmiEvent:
        return cls(**_agent_fields(h, at))

    return parse


def _agent_ring_no_answer(h: _Headers, at: datetime) -> AmiEvent:
    return AgentRingNoAnswer(**_agent_fields(h, at), ring_time_ms=h.count("RingTime"))


def _agent_connect(h: _Headers, at: datetime) -> AmiEvent:
    return AgentConnect(
        **_agent_fields(h, at), hold_time=h.count("HoldTime"), ring_time=h.count("RingTime")
    )


def _agent_complete(h: _Headers, at: datetime) -> AmiEvent:
    # After another AMI client Redirects the caller's channel out of the queue's bridge,
    # app_queue sends AgentComplete without Channel and DestChannel: the ids, the member's
    # Interface, TalkTime and Reason are still there, and the call keys on those.
    chan = h.channel(required=False) or h.ids_only()
    if chan is None:
        raise _MalformedEventError("missing Channel/Uniqueid")
    member = h.channel("Dest", required=False) or h.ids_only("Dest")
    return AgentComplete(
        **_agent_fields(h, at, chan=chan, member=member),
        hold_time=h.count("HoldTime"),
        talk_time=h.count("TalkTime"),
        reason=h.text("Reason").lower(),
    )


def _bridge_enter(h: _Headers, at: datetime) -> AmiEvent:
    return BridgeEnter(
        at=at,
        chan=h.chan(),
        bridge_uniqueid=h.required("BridgeUniqueid"),
        bridge_num_channels=h.integer("BridgeNumChannels"),
        swap_uniqueid=h.text("SwapUniqueid"),
    )


def _bridge_leave(h: _Headers, at: datetime) -> AmiEvent:
    return BridgeLeave(
        at=at,
        chan=h.chan(),
        bridge_uniqueid=h.required("BridgeUniqueid"),
        bridge_num_channels=h.integer("BridgeNumChannels"),
    )


def _blind_transfer(h: _Headers, at: datetime) -> AmiEvent:
    transferer = h.channel("Transferer", required=False)
    transferee = h.channel("Transferee", required=False)
    if transferer is None and transferee is None:
        raise _MalformedEventError("missing TransfererChannel/TransfereeChannel")
    return BlindTransfer(
        at=at,
        result=h.required("Result"),
        transferer=transferer,
        transferee=transferee,
        context=h.text("Context"),
        extension=h.text("Extension"),
        is_external=h.flag("IsExternal"),
        bridge_uniqueid=h.text("BridgeUniqueid"),
    )


def _attended_transfer(h: _Headers, at: datetime) -> AmiEvent:
    orig = h.channel("OrigTransferer", required=False)
    transferee = h.channel("Transferee", required=False)
    if orig is None and transferee is None:
        raise _MalformedEventError("missing OrigTransfererChannel/TransfereeChannel")
    return AttendedTransfer(
        at=at,
        result=h.required("Result"),
        orig_transferer=orig,
        second_transferer=h.channel("SecondTransferer", required=False),
        transferee=transferee,
        transfer_target=h.channel("TransferTarget", required=False),
        dest_type=h.text("DestType"),
        dest_bridge_uniqueid=h.text("DestBridgeUniqueid"),
        dest_app=h.text("DestApp"),
        is_external=h.flag("IsExternal"),
    )


def _member(
    cls: type[MemberEvent], *, name: str = "MemberName", interface: str = "Interface"
) -> Callable[[_Headers, datetime], AmiEvent]:
    def parse(h: _Headers, at: datetime) -> AmiEvent:
        return cls(
            at=at,
            queue=h.required("Queue"),
            interface=h.required(interface),
            member_name=h.text(name),
            state_interface=h.text("StateInterface"),
            status=h.integer("Status"),
            paused=h.flag("Paused"),
            paused_reason=h.text("PausedReason"),
            in_call=h.flag("InCall"),
            calls_taken=h.count("CallsTaken"),
            last_call=h.count("LastCall"),
            login_time=h.count("LoginTime"),
            membership=h.text("Membership"),
            penalty=h.integer("Penalty") or 0,
            wrapup_time=h.count("Wrapuptime"),
        )

    return parse


def _queue_entry(h: _Headers, at: datetime) -> AmiEvent:
    return QueueEntry(
        at=at,
        queue=h.required("Queue"),
        position=h.count("Position"),
        channel=h.required("Channel"),
        uniqueid=h.required("Uniqueid"),
        caller_num=_known(h.text("CallerIDNum")),
        caller_name=_known(h.text("CallerIDName")),
        wait_s=h.count("Wait"),
        linkedid=h.text("Linkedid"),
    )


def _queue_params(h: _Headers, at: datetime) -> AmiEvent:
    return QueueParams(
        at=at,
        queue=h.required("Queue"),
        max=h.count("Max"),
        strategy=h.text("Strategy"),
        calls=h.count("Calls"),
        holdtime=h.count("Holdtime"),
        talktime=h.count("TalkTime"),
        completed=h.count("Completed"),
        abandoned=h.count("Abandoned"),
    )


def _core_show_channel(h: _Headers, at: datetime) -> AmiEvent:
    duration = h.get("Duration")
    return CoreShowChannel(
        at=at,
        chan=h.chan(),
        application=h.text("Application"),
        application_data=h.text("ApplicationData"),
        duration_s=_duration(duration) if duration else 0,
        bridge_id=h.text("BridgeId"),
    )


def _originate_response(h: _Headers, at: datetime) -> AmiEvent:
    return OriginateResponse(
        at=at,
        action_id=h.text("ActionID"),
        response=h.required("Response"),
        channel=h.text("Channel"),
        reason=h.integer("Reason"),
        uniqueid=h.text("Uniqueid"),
        context=h.text("Context"),
        exten=h.text("Exten"),
        caller_num=_known(h.text("CallerIDNum")),
        caller_name=_known(h.text("CallerIDName")),
    )


def _newexten(h: _Headers, at: datetime) -> AmiEvent:
    return Newexten(
        at=at, chan=h.chan(), application=h.text("Application"), app_data=h.text("AppData")
    )


def _soft_hangup_request(h: _Headers, at: datetime) -> AmiEvent:
    return SoftHangupRequest(at=at, chan=h.chan(), cause=h.integer("Cause"))


def _hangup_request(h: _Headers, at: datetime) -> AmiEvent:
    return HangupRequest(at=at, chan=h.chan(), cause=h.integer("Cause"))


_PARSERS: dict[str, Callable[[_Headers, datetime], AmiEvent | None]] = {
    "newchannel": _channel_event(Newchannel),
    "newstate": _channel_event(Newstate),
    "newcallerid": _channel_event(NewCallerid),
    "newexten": _newexten,
    "varset": _varset,
    "hanguprequest": _hangup_request,
    "softhanguprequest": _soft_hangup_request,
    "hangup": _hangup,
    "dtmfend": _dtmf_end,
    "dialbegin": _dial_begin,
    "dialend": _dial_end,
    "queuecallerjoin": _queue_join,
    "queuecallerleave": _queue_leave,
    "queuecallerabandon": _queue_abandon,
    "agentcalled": _agent(AgentCalled),
    "agentringnoanswer": _agent_ring_no_answer,
    "agentconnect": _agent_connect,
    "agentcomplete": _agent_complete,
    "agentdump": _agent(AgentDump),
    "bridgeenter": _bridge_enter,
    "bridgeleave": _bridge_leave,
    "blindtransfer": _blind_transfer,
    "attendedtransfer": _attended_transfer,
    "queuememberstatus": _member(QueueMemberStatus),
    "queuememberpause": _member(QueueMemberPause),
    "queuememberadded": _member(QueueMemberAdded),
    "queuememberremoved": _member(QueueMemberRemoved),
    "queuemember": _member(QueueMember, name="Name", interface="Location"),
    "queueentry": _queue_entry,
    "queueparams": _queue_params,
    "coreshowchannel": _core_show_channel,
    "fullybooted": lambda h, at: FullyBooted(at=at, status=h.text("Status")),
    "originateresponse": _originate_response,
}

EVENT_NAMES = frozenset(_PARSERS)


def parse_event(
    message: Mapping[str, object], received_at: datetime, stats: ParseStats | None = None
) -> AmiEvent | None:
    """The typed event, or None (ignored or malformed; see the module docstring)."""
    headers = _Headers(message)
    name = (headers.get("Event") or "").strip()
    parser = _PARSERS.get(name.lower())
    if parser is None:
        if stats is not None:
            stats.ignored += 1
        return None
    try:
        event = parser(headers, _event_time(headers, received_at))
    except _MalformedEventError as exc:
        if stats is not None:
            stats.rejected[f"{name}: {exc}"] += 1
        return None
    if event is None and stats is not None:
        stats.ignored += 1
    return event
