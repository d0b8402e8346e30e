"""Asterisk's ``queue_log`` file: a pure parser and the fold of one call's lines (C13).

Line format (``app_queue.c`` ``ast_queue_log``, file mode)::

    epoch|callid|queue|agent|EVENT|data1|data2|...

* ``epoch`` is ``time(NULL)``: whole seconds, truncated (the AMI ``Timestamp`` of the same
  moment is up to a second later).
* ``callid`` is the caller channel's Uniqueid. In our dialplan the caller is the inbound
  channel, so callid = the call's Linkedid = the call-log key. Member and system lines carry
  ``NONE`` (or ``REALTIME``, ``MANAGER``, ``CLI``) there.
* ``agent`` is the queue member's **MemberName** on every call event (CONNECT, COMPLETE*,
  transfers, RINGNOANSWER, ...), whatever ``log_membername_as_agent`` says: that option only
  switches ADDMEMBER/REMOVEMEMBER between name and interface. The member's device (its
  ``Interface``, e.g. ``PJSIP/201``) is in the file only when the deployment names members by
  their interface (``member => PJSIP/201,0,PJSIP/201,...`` as in the sample queues.conf, or
  QueueAdd without MemberName). Otherwise the log knows a name only: see ``member_operator``.
* The CONNECT line also names the member channel's Uniqueid (data2); the CDR can turn it
  into a device (``ami.cdr``).

Nothing here reads files or the clock. Garbled and blank lines are skipped and counted; a
last line without its line end is a line Asterisk is still writing and is skipped too (the
next read sees it whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ami.call_record import CallLogEntry, EntrySource, TransferEntry
from ami.channels import uniqueid_time
from ami.line_files import LineScan
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind

# Prefix of CallLogEntry.operator_interface when the queue_log knows only a member name.
MEMBER_NAME_PREFIX = "name:"

# Callid values that are not calls.
_NOT_A_CALL = frozenset({"", "NONE", "REALTIME", "MANAGER", "CLI"})


class QueueLogEvent(StrEnum):
    # a caller in a queue (C13)
    ENTERQUEUE = "ENTERQUEUE"
    CONNECT = "CONNECT"
    COMPLETECALLER = "COMPLETECALLER"
    COMPLETEAGENT = "COMPLETEAGENT"
    ABANDON = "ABANDON"
    EXITWITHTIMEOUT = "EXITWITHTIMEOUT"
    EXITEMPTY = "EXITEMPTY"
    EXITWITHKEY = "EXITWITHKEY"
    WITHDRAW = "WITHDRAW"
    BLINDTRANSFER = "BLINDTRANSFER"
    ATTENDEDTRANSFER = "ATTENDEDTRANSFER"
    TRANSFER = "TRANSFER"  # before Asterisk 12; the same fields as BLINDTRANSFER
    RINGNOANSWER = "RINGNOANSWER"
    RINGCANCELED = "RINGCANCELED"
    AGENTDUMP = "AGENTDUMP"
    SYSCOMPAT = "SYSCOMPAT"
    # queue members: not about calls
    ADDMEMBER = "ADDMEMBER"
    REMOVEMEMBER = "REMOVEMEMBER"
    PAUSE = "PAUSE"
    UNPAUSE = "UNPAUSE"
    PAUSEALL = "PAUSEALL"
    UNPAUSEALL = "UNPAUSEALL"
    PENALTY = "PENALTY"
    RINGINUSE = "RINGINUSE"
    AGENTLOGIN = "AGENTLOGIN"
    AGENTLOGOFF = "AGENTLOGOFF"
    AGENTCALLBACKLOGIN = "AGENTCALLBACKLOGIN"
    AGENTCALLBACKLOGOFF = "AGENTCALLBACKLOGOFF"
    # the queue system itself
    QUEUESTART = "QUEUESTART"
    CONFIGRELOAD = "CONFIGRELOAD"


MEMBER_EVENTS = frozenset(
    {
        QueueLogEvent.ADDMEMBER,
        QueueLogEvent.REMOVEMEMBER,
        QueueLogEvent.PAUSE,
        QueueLogEvent.UNPAUSE,
        QueueLogEvent.PAUSEALL,
        QueueLogEvent.UNPAUSEALL,
        QueueLogEvent.PENALTY,
        QueueLogEvent.RINGINUSE,
        QueueLogEvent.AGENTLOGIN,
        QueueLogEvent.AGENTLOGOFF,
        QueueLogEvent.AGENTCALLBACKLOGIN,
        QueueLogEvent.AGENTCALLBACKLOGOFF,
    }
)
SYSTEM_EVENTS = frozenset({QueueLogEvent.QUEUESTART, QueueLogEvent.CONFIGRELOAD})

# The caller left the queue without an operator: the exit for the missed-call rule (C13).
# WITHDRAW (AMI QueueWithdrawCaller; our line never sends it) takes the caller elsewhere in
# the dialplan on request, which is closest to leaving by key.
EXIT_BY_EVENT: dict[QueueLogEvent, QueueExit] = {
    QueueLogEvent.ABANDON: QueueExit.ABANDONED,
    QueueLogEvent.EXITWITHTIMEOUT: QueueExit.TIMEOUT,
    QueueLogEvent.EXITEMPTY: QueueExit.EMPTY,
    QueueLogEvent.EXITWITHKEY: QueueExit.KEY,
    QueueLogEvent.WITHDRAW: QueueExit.KEY,
}


# --------------------------------------------------------------------------------------------
# Parsed lines: a common head and a typed detail per event family.


@dataclass(frozen=True, slots=True)
class EnterQueue:
    url: str
    caller_number: str
    position: int
    caller_name: str  # only when Asterisk logs it (newer versions); "" otherwise


@dataclass(frozen=True, slots=True)
class Connect:
    holdtime_s: int  # seconds from ENTERQUEUE to the answer
    member_uniqueid: str  # the member channel's Uniqueid
    ringtime_s: int | None


@dataclass(frozen=True, slots=True)
class Complete:
    hangup_side: HangupSide  # COMPLETECALLER -> caller, COMPLETEAGENT -> operator
    holdtime_s: int
    calltime_s: int
    origposition: int | None


@dataclass(frozen=True, slots=True)
class LeftQueue:
    """ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY, WITHDRAW: left without an operator."""

    exit: QueueExit
    position: int | None
    origposition: int | None
    waittime_s: int | None  # absent in EXITWITHKEY of old versions
    key: str = ""  # EXITWITHKEY
    info: str = ""  # WITHDRAW


@dataclass(frozen=True, slots=True)
class Transferred:
    """BLINDTRANSFER / TRANSFER (exten, context) or ATTENDEDTRANSFER (method, data)."""

    kind: TransferKind
    exten: str  # blind only; "" for attended
    context: str  # blind only
    method: str  # attended: BRIDGE, APP, LINK
    method_data: str  # attended: bridge id, app name, or "chan1|chan2"
    holdtime_s: int
    calltime_s: int
    origposition: int | None


@dataclass(frozen=True, slots=True)
class Ring:
    """RINGNOANSWER / RINGCANCELED: one member rang and did not take the call."""

    canceled: bool
    ringtime_ms: int | None


@dataclass(frozen=True, slots=True)
class Dropped:
    """AGENTDUMP / SYSCOMPAT: the member was dropped; the caller stays in the queue."""


@dataclass(frozen=True, slots=True)
class Other:
    """Member, system and unknown events (``data`` holds the raw fields)."""


Detail = EnterQueue | Connect | Complete | LeftQueue | Transferred | Ring | Dropped | Other


@dataclass(frozen=True, slots=True)
class QueueLogLine:
    at: datetime  # aware, UTC
    callid: str
    queue: str
    agent: str  # the member name on call events, "NONE" when there is none
    event: str  # as written; a QueueLogEvent value for the known ones
    data: tuple[str, ...]
    detail: Detail
    line_no: int = 0  # 1-based position in the input, for messages

    @property
    def is_call_event(self) -> bool:
        return self.callid not in _NOT_A_CALL and not isinstance(self.detail, Other)


@dataclass(frozen=True, slots=True)
class QueueLogParse:
    lines: tuple[QueueLogLine, ...]
    blank: int = 0
    garbled: int = 0
    garbled_line_nos: tuple[int, ...] = ()
    partial_tail: bool = False  # the last line had no line end: still being written


class QueueLogLineError(ValueError):
    pass


def line_time(text: str) -> datetime | None:
    """The time of one line (its first field); None when it has none."""
    try:
        seconds = float(text.split("|", 1)[0])
    except ValueError:
        return None
    return datetime.fromtimestamp(seconds, UTC) if 0 < seconds < 2**33 else None


def parse_line(text: str, line_no: int = 0) -> QueueLogLine:
    """One line without its line end. Raises QueueLogLineError on anything garbled."""
    if "\x00" in text:
        raise QueueLogLineError("NUL byte in line")
    fields = text.split("|")
    if len(fields) < 5:
        raise QueueLogLineError(f"{len(fields)} fields, at least 5 expected")
    epoch, callid, queue, agent, event = (value.strip() for value in fields[:5])
    data = tuple(fields[5:])
    if not event or not re.fullmatch(r"[A-Za-z0-9_-]+", event):
        raise QueueLogLineError(f"bad event name {event!r}")
    try:
        seconds = float(epoch)
    except ValueError as exc:
        raise QueueLogLineError(f"bad time {epoch!r}") from exc
    if not 0 < seconds < 2**33:
        raise QueueLogLineError(f"time out of range {epoch!r}")
    at = datetime.fromtimestamp(seconds, UTC)
    try:
        detail = _detail(event, data)
    except (ValueError, IndexError) as exc:
        raise QueueLogLineError(f"bad data for {event}: {'|'.join(data)!r}") from exc
    return QueueLogLine(at, callid, queue, agent, event, data, detail, line_no)


def parse_queue_log(
    lines: Iterable[str], *, not_before: datetime | None = None, first_line_no: int = 1
) -> QueueLogParse:
    """Lines as iterating a text file yields them (line ends kept).

    A final line without a line end is a partially written line: skipped, ``partial_tail``.
    Lines older than ``not_before`` are parsed (and counted if garbled) but not kept.
    ``first_line_no``: the number of the first line (the lines appended since a read).
    """
    parsed: list[QueueLogLine] = []
    garbled: list[int] = []
    scan = LineScan()
    for line_no, text in scan.complete(lines, first_line_no):
        try:
            line = parse_line(text, line_no)
        except QueueLogLineError:
            garbled.append(line_no)
            continue
        if not_before is None or line.at >= not_before:
            parsed.append(line)
    return QueueLogParse(tuple(parsed), scan.blank, len(garbled), tuple(garbled), scan.partial)


def _int(value: str) -> int:
    text = value.strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"not an integer: {value!r}")
    return int(text)


def _opt_int(data: tuple[str, ...], index: int) -> int | None:
    if index >= len(data) or not data[index].strip():
        return None
    return _int(data[index])


def _detail(event: str, data: tuple[str, ...]) -> Detail:
    try:
        known = QueueLogEvent(event)
    except ValueError:
        return Other()
    if known is QueueLogEvent.ENTERQUEUE:
        position = _opt_int(data, 2)
        return EnterQueue(
            url=data[0] if data else "",
            caller_number=data[1] if len(data) > 1 else "",
            position=position if position is not None else 0,
            caller_name="|".join(data[3:]),
        )
    if known is QueueLogEvent.CONNECT:
        return Connect(_int(data[0]), data[1].strip() if len(data) > 1 else "", _opt_int(data, 2))
    if known in (QueueLogEvent.COMPLETECALLER, QueueLogEvent.COMPLETEAGENT):
        side = HangupSide.CALLER if known is QueueLogEvent.COMPLETECALLER else HangupSide.OPERATOR
        return Complete(side, _int(data[0]), _int(data[1]), _opt_int(data, 2))
    if known in EXIT_BY_EVENT:
        if known is QueueLogEvent.EXITWITHKEY:
            return LeftQueue(
                QueueExit.KEY, _opt_int(data, 1), _opt_int(data, 2), _opt_int(data, 3), key=data[0]
            )
        return LeftQueue(
            EXIT_BY_EVENT[known],
            _opt_int(data, 0),
            _opt_int(data, 1),
            _int(data[2]),
            info="|".join(data[3:]) if known is QueueLogEvent.WITHDRAW else "",
        )
    if known in (QueueLogEvent.BLINDTRANSFER, QueueLogEvent.TRANSFER):
        return Transferred(
            TransferKind.BLIND,
            exten=data[0].strip(),
            context=data[1].strip(),
            method="",
            method_data="",
            holdtime_s=_int(data[2]),
            calltime_s=_int(data[3]),
            origposition=_opt_int(data, 4),
        )
    if known is QueueLogEvent.ATTENDEDTRANSFER:
        # method|method data (one field, or two for LINK)|holdtime|calltime|origposition
        if len(data) < 4:
            raise ValueError("ATTENDEDTRANSFER needs method, holdtime, calltime, origposition")
        return Transferred(
            TransferKind.ATTENDED,
            exten="",
            context="",
            method=data[0].strip(),
            method_data="|".join(data[1:-3]),
            holdtime_s=_int(data[-3]),
            calltime_s=_int(data[-2]),
            origposition=_opt_int(data, len(data) - 1),
        )
    if known in (QueueLogEvent.RINGNOANSWER, QueueLogEvent.RINGCANCELED):
        return Ring(known is QueueLogEvent.RINGCANCELED, _opt_int(data, 0))
    if known in (QueueLogEvent.AGENTDUMP, QueueLogEvent.SYSCOMPAT):
        return Dropped()
    return Other()  # member and system events


# --------------------------------------------------------------------------------------------
# One call's lines folded.


def member_operator(member: str) -> str:
    """The value for CallLogEntry.operator_interface from a queue_log member name.

    A member named by its interface (``PJSIP/201``: a technology, a slash) is a device and
    is used as is; any other name becomes ``"name:<member>"`` so that the store can match the
    staff directory by name as a fallback (or leave the operator unknown).
    """
    name = member.strip()
    if not name or name == "NONE":
        return ""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*/\S+", name):
        return name
    return MEMBER_NAME_PREFIX + name


class QueueEnd(StrEnum):
    OPEN = "open"  # still in a queue, or talking to a member: not finished
    CLOSED = "closed"  # COMPLETE*, ABANDON or EXIT*: the queue part is over
    TRANSFERRED_OUT = "transferred_out"  # the last queue line is a transfer out of the queue


@dataclass(frozen=True, slots=True)
class QueueSegment:
    """One stay in one queue (a call re-queued or transferred to another queue has several)."""

    queue: str
    joined_at: datetime | None  # None when ENTERQUEUE is not in the lines read
    connected_at: datetime | None = None
    member: str = ""  # MemberName from CONNECT
    member_uniqueid: str = ""
    wait_s: float | None = None  # CONNECT holdtime or the exit's waittime
    left_at: datetime | None = None
    exit: QueueExit | None = None  # CONNECTED once answered; None while open
    talk_s: float | None = None  # calltime of COMPLETE* or of the transfer


@dataclass(frozen=True, slots=True)
class QueueCall:
    callid: str
    first_at: datetime
    last_at: datetime
    caller_number: str = ""
    caller_name: str = ""
    segments: tuple[QueueSegment, ...] = ()
    transfers: tuple[TransferEntry, ...] = ()
    end: QueueEnd = QueueEnd.OPEN
    ended_at: datetime | None = None  # the time of the closing line (CLOSED/TRANSFERRED_OUT)
    hangup_side: HangupSide | None = None

    @property
    def answered(self) -> QueueSegment | None:
        """The first segment a member answered."""
        return next((s for s in self.segments if s.connected_at is not None), None)

    @property
    def joined_at(self) -> datetime | None:
        return self.segments[0].joined_at if self.segments else None

    @property
    def queue_exit(self) -> QueueExit | None:
        """CONNECTED if any member answered, else the last segment's exit (None: still in)."""
        if self.answered is not None:
            return QueueExit.CONNECTED
        return self.segments[-1].exit if self.segments else None

    @property
    def queue_wait_s(self) -> float | None:
        """Seconds waiting in queues until a member first answered (every stay before it;
        stays after the answer, e.g. a transfer to a second-line queue, do not count)."""
        waits: list[float] = []
        for segment in self.segments:
            if segment.wait_s is not None:
                waits.append(segment.wait_s)
            if segment.connected_at is not None:
                break
        return float(sum(waits)) if waits else None

    @property
    def talk_s(self) -> float | None:
        """Seconds talked with queue members (transfer targets outside queues not included)."""
        talks = [s.talk_s for s in self.segments if s.talk_s is not None]
        return float(sum(talks)) if talks else None


def fold_calls(lines: Iterable[QueueLogLine]) -> dict[str, QueueCall]:
    """Every call in ``lines`` (file order), by callid; member and system lines ignored."""
    by_call: dict[str, list[QueueLogLine]] = {}
    for line in lines:
        if line.is_call_event:
            by_call.setdefault(line.callid, []).append(line)
    return {callid: fold_call(call_lines) for callid, call_lines in by_call.items()}


@dataclass
class _Folding:
    segments: list[QueueSegment] = field(default_factory=list)
    transfers: list[TransferEntry] = field(default_factory=list)
    caller_number: str = ""
    caller_name: str = ""
    end: QueueEnd = QueueEnd.OPEN
    ended_at: datetime | None = None
    hangup_side: HangupSide | None = None

    def current(self, line: QueueLogLine, joined_at: datetime | None = None) -> QueueSegment:
        """The open segment for ``line``'s queue; a new one if the lines began mid-call."""
        if self.segments and self.segments[-1].exit is None:
            return self.segments[-1]
        self.segments.append(QueueSegment(line.queue, joined_at))
        return self.segments[-1]

    def set_current(self, segment: QueueSegment) -> None:
        self.segments[-1] = segment


def fold_call(lines: Iterable[QueueLogLine]) -> QueueCall:
    """One call's lines, in file order. Raises ValueError when there are none."""
    call_lines = list(lines)
    if not call_lines:
        raise ValueError("a call needs at least one queue_log line")
    callid = call_lines[0].callid
    state = _Folding()
    for line in call_lines:
        if line.callid != callid:
            raise ValueError(f"line {line.line_no} belongs to {line.callid}, not {callid}")
        _apply(state, line)
    return QueueCall(
        callid=callid,
        first_at=min(line.at for line in call_lines),
        last_at=max(line.at for line in call_lines),
        caller_number=state.caller_number,
        caller_name=state.caller_name,
        segments=tuple(state.segments),
        transfers=tuple(state.transfers),
        end=state.end,
        ended_at=state.ended_at,
        hangup_side=state.hangup_side,
    )


def _apply(state: _Folding, line: QueueLogLine) -> None:
    detail = line.detail
    if isinstance(detail, EnterQueue):
        if state.segments and state.segments[-1].exit is None:
            # a new ENTERQUEUE while the previous stay is open: its end is not in the log
            state.set_current(replace(state.segments[-1], left_at=line.at))
        state.segments.append(QueueSegment(line.queue, line.at))
        state.caller_number = state.caller_number or detail.caller_number
        state.caller_name = state.caller_name or detail.caller_name
        state.end, state.ended_at, state.hangup_side = QueueEnd.OPEN, None, None
    elif isinstance(detail, Connect):
        joined = line.at - timedelta(seconds=detail.holdtime_s)
        segment = state.current(line, joined)
        state.set_current(
            replace(
                segment,
                connected_at=line.at,
                member=line.agent,
                member_uniqueid=detail.member_uniqueid,
                wait_s=float(detail.holdtime_s),
            )
        )
    elif isinstance(detail, Complete | Transferred):
        segment = state.current(line)
        if segment.connected_at is None:
            # CONNECT not in the lines read: rebuild it from hold and call time
            connected = line.at - timedelta(seconds=detail.calltime_s)
            segment = replace(
                segment,
                joined_at=segment.joined_at or connected - timedelta(seconds=detail.holdtime_s),
                connected_at=connected,
                member=line.agent,
                wait_s=float(detail.holdtime_s),
            )
        state.set_current(
            replace(
                segment,
                left_at=line.at,
                exit=QueueExit.CONNECTED,
                talk_s=float(detail.calltime_s),
            )
        )
        state.ended_at = line.at
        if isinstance(detail, Complete):
            state.end, state.hangup_side = QueueEnd.CLOSED, detail.hangup_side
        else:
            state.end, state.hangup_side = QueueEnd.TRANSFERRED_OUT, None
            state.transfers.append(
                TransferEntry(
                    at=line.at,
                    kind=detail.kind,
                    to_extension=detail.exten,
                    from_interface=member_operator(line.agent),
                    # queue_log writes the line once the transfer has happened
                    outcome=TransferOutcome.COMPLETED,
                )
            )
    elif isinstance(detail, LeftQueue):
        waited = detail.waittime_s
        segment = state.current(
            line, line.at - timedelta(seconds=waited) if waited is not None else None
        )
        state.set_current(
            replace(
                segment,
                left_at=line.at,
                exit=detail.exit,
                wait_s=float(detail.waittime_s) if detail.waittime_s is not None else None,
            )
        )
        state.end, state.ended_at = QueueEnd.CLOSED, line.at
        state.hangup_side = HangupSide.CALLER if detail.exit is QueueExit.ABANDONED else None
    # Ring and Dropped: the caller stays in the queue; nothing to record for the call.


def queue_call_entry(
    call: QueueCall,
    *,
    accept_transferred_out: bool = False,
    operator_interface: str | None = None,
) -> CallLogEntry:
    """The call-log entry the queue_log alone can give.

    * ``arrived_at``: the creation second in the callid (the inbound channel's Uniqueid), or
      the first line when the Uniqueid has another format.
    * ``ended_at``: the closing line's time; the call may go on after the queue (the survey,
      a message), which only the CDR (or AMI) knows. A call whose last line is a transfer out
      of the queue is finished only with ``accept_transferred_out`` (its end is a lower bound:
      the talk with the employee is not in the queue_log).
    * ``operator_interface``: the device of the member who answered, when the caller knows it
      (from the CDR); else ``member_operator`` of the member name.
    """
    answered = call.answered
    first_joined = call.joined_at
    # queue_wait_s: every stay until the first answer, as the live projector counts it
    arrived = uniqueid_time(call.callid)
    earliest = first_joined or call.first_at
    if arrived is None or arrived > earliest:
        arrived = earliest
    finished = call.end is QueueEnd.CLOSED or (
        call.end is QueueEnd.TRANSFERRED_OUT and accept_transferred_out
    )
    wait = call.queue_wait_s
    operator = ""
    if answered is not None:
        operator = operator_interface or member_operator(answered.member)
    return CallLogEntry(
        linkedid=call.callid,
        source=EntrySource.QUEUE_LOG,
        arrived_at=arrived,
        caller_number=call.caller_number,
        caller_name=call.caller_name,
        queue_joined_at=first_joined,
        queue_wait_s=wait,
        queue_exit=call.queue_exit or QueueExit.NOT_QUEUED,
        answered_at=answered.connected_at if answered is not None else None,
        operator_interface=operator,
        transfers=call.transfers,
        ended_at=call.ended_at if finished else None,
        talk_s=call.talk_s if finished and answered is not None else None,
        hangup_side=call.hangup_side if finished else None,
    )
