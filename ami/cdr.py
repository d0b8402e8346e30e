"""``cdr_csv`` Master.csv: a pure parser, calls grouped by Linkedid, and entries for the calls
that never reached the queue (C13: after-hours, hung up in the IVR, AGI server down, refused
by the queue with JOINEMPTY).

The file has no header. Its columns depend on ``cdr.conf`` [csv] (``cdr/cdr_csv.c``
``build_csv_record``): 16 fixed columns, then ``uniqueid`` (``loguniqueid``), ``userfield``
(``loguserfield``), ``peeraccount, linkedid, sequence`` (``newcdrcolumns``). Both the
default layout (18 columns: ``loguniqueid`` and ``loguserfield``, Asterisk's own sample) and
the project's (21 columns, ``newcdrcolumns = yes`` too) are Asterisk's; every layout with a
Uniqueid is read, detected row by row from the column count and the row's shape
(``layout_of``), so a file whose layout changed after a ``cdr.conf`` edit is read whole. Rows
without a Uniqueid cannot be joined to calls: they are counted (``CdrParse.without_uniqueid``)
and the fix is ``NO_UNIQUEID_FIX``.

* The test recordings (``tests/fixtures/asterisk``) were written with ``loguniqueid`` and
  ``loguserfield`` only (``CAPTURES_LAYOUT``, 18 columns, no Linkedid).
* The project's sample ``asterisk/etc/cdr.conf`` adds ``newcdrcolumns`` (``PROJECT_LAYOUT``,
  21 columns): rows are grouped by Linkedid, the inbound channel's rows being those whose
  Uniqueid is the Linkedid.
* Without Linkedid, rows are grouped by Uniqueid and a group is a call only if its channel is
  no other row's destination channel (a queue member or transfer leg) nor the ``;2`` half of a
  Local pair seen in another row, both while that row lasted.

Times are wall-clock seconds of the zone Asterisk wrote them in: its host's clock with
``usegmtime = no`` (the default), UTC with ``usegmtime = yes``; the caller passes that zone
(``Settings.cdr_tz``) and times are converted to UTC here. ``ami.log_sources`` checks the
zone against the creation time every default Uniqueid carries.

The CDR cannot tell: the IVR path, queue join time and wait, why the caller left a queue,
who hung up (only guessed, below), hang-up cause, transfers, and the exact answer time of a
member (the inbound channel's row shows its own answer). All rows of a channel are written
when it hangs up, so a CDR row for the inbound channel means the call is over.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ami.call_record import CallLogEntry, EntrySource
from ami.channels import device_of
from ami.line_calls import CALLBACK_CONTEXT, EVERY_CALL, LINE, LineCalls
from ami.line_files import LineScan
from models.rules.missed import QueueExit
from models.tables.calls import HangupSide

BASE_COLUMNS: tuple[str, ...] = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)


@dataclass(frozen=True, slots=True)
class CdrLayout:
    """The ``cdr.conf`` [csv] switches that decide the columns."""

    loguniqueid: bool = True
    loguserfield: bool = True
    newcdrcolumns: bool = False

    def __post_init__(self) -> None:
        if not self.loguniqueid:
            raise ValueError("reconciliation needs loguniqueid = yes: calls are keyed by it")

    @property
    def columns(self) -> tuple[str, ...]:
        columns = list(BASE_COLUMNS)
        if self.loguniqueid:
            columns.append("uniqueid")
        if self.loguserfield:
            columns.append("userfield")
        if self.newcdrcolumns:
            columns += ["peeraccount", "linkedid", "sequence"]
        return tuple(columns)

    @property
    def label(self) -> str:
        """How an administrator recognises it: the column count and the cdr.conf switches."""
        switches = [
            name
            for name, on in (
                ("loguniqueid", self.loguniqueid),
                ("loguserfield", self.loguserfield),
                ("newcdrcolumns", self.newcdrcolumns),
            )
            if on
        ]
        return f"{len(self.columns)} столбцов ({', '.join(switches)})"


CAPTURES_LAYOUT = CdrLayout(loguniqueid=True, loguserfield=True, newcdrcolumns=False)
PROJECT_LAYOUT = CdrLayout(loguniqueid=True, loguserfield=True, newcdrcolumns=True)
# Every readable layout, by its column count (17, 18, 20 and 21 are all distinct).
READABLE_LAYOUTS: Mapping[int, CdrLayout] = {
    len(layout.columns): layout
    for layout in (
        CdrLayout(loguserfield=userfield, newcdrcolumns=new)
        for userfield in (False, True)
        for new in (False, True)
    )
}
# Column counts of the layouts without a Uniqueid: 16, 17 (userfield), 19, 20 (userfield).
_NO_UNIQUEID_COUNTS = frozenset({16, 17, 19, 20})
NO_UNIQUEID_FIX = "loguniqueid = yes"  # cdr.conf, section [csv]
_UNIQUEID_SHAPE = re.compile(r"(?:.*-)?\d+\.\d+")


@dataclass(frozen=True, slots=True)
class CdrDialplan:
    """What the CDR reader must know about the dialplan that wrote it.

    ``no_operator_locations``: (context, exten) where a caller ends up when ``Queue()``
    refused to queue them (JOINEMPTY: every operator paused or logged out). JOINEMPTY writes
    no queue_log line and no queue event; the CDR's last location is the only trace, so a call
    ending there without queue_log lines is recorded with ``QueueExit.EMPTY`` (no operators).
    ``outbound_contexts``: contexts of calls the line places itself (callbacks, C11); those
    are not inbound calls. ``line``: which calls are the line's (``ami.line_calls``); the
    others on the same PBX (operators calling each other, other departments) are not read.
    """

    no_operator_locations: frozenset[tuple[str, str]] = frozenset()
    outbound_contexts: frozenset[str] = frozenset()
    queue_apps: frozenset[str] = frozenset({"Queue"})
    line: LineCalls = EVERY_CALL


# dialplan/consult-line.conf: JOINEMPTY -> Goto(consult-line-fallback,no-operators,1).
# (Queue TIMEOUT/LEAVEEMPTY end there too, but those have queue_log lines, which win.)
PROJECT_DIALPLAN = CdrDialplan(
    no_operator_locations=frozenset({("consult-line-fallback", "no-operators")}),
    outbound_contexts=frozenset({CALLBACK_CONTEXT}),
    line=LINE,
)
# The captures' harness (tests/fixtures/asterisk/etc): calls arrive in harness-inbound, where
# Queue(consult) and the "no agents" message both run at exten "queue"; transfers pass
# harness-transfer and harness-xfer-target.
CAPTURES_CONTEXTS: frozenset[str] = frozenset(
    {"harness-inbound", "harness-transfer", "harness-xfer-target"}
)
CAPTURES_DIALPLAN = CdrDialplan(
    no_operator_locations=frozenset({("harness-inbound", "queue")}),
    line=LineCalls(CAPTURES_CONTEXTS, frozenset({"consult"})),
)


@dataclass(frozen=True, slots=True)
class CdrRow:
    accountcode: str
    src: str
    dst: str
    dcontext: str
    clid: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str
    start: datetime  # aware, UTC
    answer: datetime | None
    end: datetime
    duration: int
    billsec: int
    disposition: str  # ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION
    amaflags: str
    uniqueid: str
    userfield: str = ""
    peeraccount: str = ""
    linkedid: str = ""  # "" without newcdrcolumns
    sequence: int | None = None
    line_no: int = 0


@dataclass(frozen=True, slots=True)
class CdrParse:
    rows: tuple[CdrRow, ...]
    blank: int = 0
    garbled: int = 0
    garbled_line_nos: tuple[int, ...] = ()
    partial_tail: bool = False
    # Rows read per layout (the layout detected row by row), in order of first appearance.
    layouts: tuple[tuple[CdrLayout, int], ...] = ()
    # Garbled rows shaped like a layout without a Uniqueid (``loguniqueid = no``).
    without_uniqueid: int = 0


class CdrLineError(ValueError):
    pass


def _time(value: str, tz: tzinfo) -> datetime:
    local = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - zone below
    return local.replace(tzinfo=tz).astimezone(UTC)


def _int(value: str) -> int:
    text = value.strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"not an integer: {value!r}")
    return int(text)


def row_end(text: str, tz: tzinfo) -> datetime | None:
    """The ``end`` of one line (the 12th column in every layout); None when it has none."""
    try:
        fields = next(csv.reader([text], strict=True))
        return _time(fields[11], tz) if len(fields) > 11 else None
    except (csv.Error, ValueError, StopIteration):
        return None


def layout_of(fields: Sequence[str]) -> CdrLayout | None:
    """The readable layout a row was written in, from its column count and its shape; None
    when no readable layout fits (too few or many columns, or no Uniqueid where one belongs:
    17 and 20 columns are also the counts of ``loguserfield`` without ``loguniqueid``)."""
    layout = READABLE_LAYOUTS.get(len(fields))
    if layout is None:
        return None
    values = dict(zip(layout.columns, fields, strict=True))
    if not _UNIQUEID_SHAPE.fullmatch(values["uniqueid"].strip()):
        return None
    if layout.newcdrcolumns and not (
        _UNIQUEID_SHAPE.fullmatch(values["linkedid"].strip())
        and re.fullmatch(r"\d*", values["sequence"].strip())
    ):
        return None
    return layout


def parse_row(fields: list[str], *, layout: CdrLayout, tz: tzinfo, line_no: int = 0) -> CdrRow:
    columns = layout.columns
    if len(fields) != len(columns):
        raise CdrLineError(f"{len(fields)} columns, {len(columns)} expected")
    values = dict(zip(columns, fields, strict=True))
    try:
        sequence = values.get("sequence", "")
        return CdrRow(
            accountcode=values["accountcode"],
            src=values["src"],
            dst=values["dst"],
            dcontext=values["dcontext"],
            clid=values["clid"],
            channel=values["channel"],
            dstchannel=values["dstchannel"],
            lastapp=values["lastapp"],
            lastdata=values["lastdata"],
            start=_time(values["start"], tz),
            answer=_time(values["answer"], tz) if values["answer"].strip() else None,
            end=_time(values["end"], tz),
            duration=_int(values["duration"]),
            billsec=_int(values["billsec"]),
            disposition=values["disposition"],
            amaflags=values["amaflags"],
            uniqueid=values["uniqueid"].strip(),
            userfield=values.get("userfield", ""),
            peeraccount=values.get("peeraccount", ""),
            linkedid=values.get("linkedid", "").strip(),
            sequence=_int(sequence) if sequence.strip() else None,
            line_no=line_no,
        )
    except ValueError as exc:
        raise CdrLineError(str(exc)) from exc


def parse_cdr(
    lines: Iterable[str],
    *,
    tz: tzinfo,
    layout: CdrLayout | None = None,
    not_before: datetime | None = None,
    first_line_no: int = 1,
) -> CdrParse:
    """Lines as iterating a text file yields them (line ends kept).

    ``layout``: None detects each row's layout (``layout_of``); a layout given is the only
    one accepted. Rows that fit no layout, with bad times or numbers, or without a Uniqueid
    are skipped and counted; a final line without its line end is still being written and is
    skipped. Rows that ended before ``not_before`` are not kept. ``first_line_no``: the
    number of the first line (the lines appended since a read).
    """
    rows: list[CdrRow] = []
    garbled: list[int] = []
    layouts: Counter[CdrLayout] = Counter()
    without_uniqueid = 0
    scan = LineScan()
    for line_no, text in scan.complete(lines, first_line_no):
        try:
            if "\x00" in text:
                raise CdrLineError("NUL byte in line")
            fields = next(csv.reader([text], strict=True))
            row_layout = layout or layout_of(fields)
            if row_layout is None:
                if len(fields) in _NO_UNIQUEID_COUNTS:
                    without_uniqueid += 1
                raise CdrLineError(f"{len(fields)} columns: no readable layout")
            row = parse_row(fields, layout=row_layout, tz=tz, line_no=line_no)
            if not row.uniqueid:
                raise CdrLineError("no uniqueid")
        except (csv.Error, CdrLineError):
            garbled.append(line_no)
            continue
        layouts[row_layout] += 1
        if not_before is None or row.end >= not_before:
            rows.append(row)
    return CdrParse(
        tuple(rows),
        scan.blank,
        len(garbled),
        tuple(garbled),
        scan.partial,
        layouts=tuple(layouts.items()),
        without_uniqueid=without_uniqueid,
    )


# --------------------------------------------------------------------------------------------
# Calls


def parse_clid(clid: str) -> tuple[str, str]:
    """``"Ivan Petrov" <79281234567>`` -> (name, number)."""
    match = re.fullmatch(r'\s*(?:"(?P<quoted>.*)"|(?P<bare>[^<]*?))\s*<(?P<num>[^>]*)>\s*', clid)
    if match is None:
        return "", clid.strip()
    name = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
    return (name or "").strip(), match.group("num").strip()


@dataclass(frozen=True, slots=True)
class CdrCall:
    linkedid: str
    rows: tuple[CdrRow, ...]  # the inbound channel's rows, in order of start
    legs: tuple[CdrRow, ...] = ()  # other channels' rows of the call (with Linkedid only)

    @property
    def arrived_at(self) -> datetime:
        return min(row.start for row in self.rows)

    @property
    def ended_at(self) -> datetime:
        return max(row.end for row in self.rows)

    @property
    def last(self) -> CdrRow:
        """The inbound channel's last row: where it was when it hung up."""
        return max(self.rows, key=lambda row: (row.end, row.start, row.line_no))

    @property
    def caller(self) -> tuple[str, str]:
        """(number, name) as the first row shows them."""
        first = self.rows[0]
        name, number = parse_clid(first.clid)
        return first.src or number, name

    def member_rows(self, queue_apps: frozenset[str]) -> tuple[CdrRow, ...]:
        """Inbound rows where a queue member's leg was bridged to the caller."""
        return tuple(
            row
            for row in self.rows
            if row.lastapp in queue_apps and row.dstchannel and row.disposition == "ANSWERED"
        )

    def member_interface_at(self, queue: str, at: datetime, queue_apps: frozenset[str]) -> str:
        """The device of the member of ``queue`` who answered at ``at`` ("" if not found)."""
        candidates = [
            row
            for row in self.member_rows(queue_apps)
            if row.lastdata.split(",", 1)[0] == queue and row.start <= at <= row.end
        ]
        if not candidates:
            return ""
        best = max(candidates, key=lambda row: (row.start, row.line_no))
        return device_of(best.dstchannel)


def group_calls(rows: Iterable[CdrRow], *, dialplan: CdrDialplan) -> dict[str, CdrCall]:
    """The line's inbound calls by Linkedid (= the inbound channel's Uniqueid): a row of the
    inbound channel in one of the line's contexts (``dialplan.line``), none in an outbound
    one."""
    all_rows = sorted(rows, key=lambda row: (row.start, row.line_no))
    # Linkedid only when every row has one (a layout change leaves older rows without it).
    if all_rows and all(row.linkedid for row in all_rows):
        calls = _by_linkedid(all_rows)
    else:
        calls = _by_root_uniqueid(all_rows)
    return {
        linkedid: call
        for linkedid, call in calls.items()
        if not any(row.dcontext in dialplan.outbound_contexts for row in call.rows)
        and any(dialplan.line.context(row.dcontext) for row in call.rows)
    }


def _by_linkedid(rows: list[CdrRow]) -> dict[str, CdrCall]:
    grouped: dict[str, list[CdrRow]] = {}
    for row in rows:
        grouped.setdefault(row.linkedid or row.uniqueid, []).append(row)
    calls: dict[str, CdrCall] = {}
    for linkedid, group in grouped.items():
        inbound = tuple(row for row in group if row.uniqueid == linkedid)
        if inbound:
            legs = tuple(row for row in group if row.uniqueid != linkedid)
            calls[linkedid] = CdrCall(linkedid, inbound, legs)
    return calls


def _by_root_uniqueid(rows: list[CdrRow]) -> dict[str, CdrCall]:
    grouped: dict[str, list[CdrRow]] = {}
    by_channel: dict[str, list[CdrRow]] = {}
    by_destination: dict[str, list[CdrRow]] = {}
    for row in rows:
        grouped.setdefault(row.uniqueid, []).append(row)
        by_channel.setdefault(row.channel, []).append(row)
        if row.dstchannel:
            by_destination.setdefault(row.dstchannel, []).append(row)
    calls: dict[str, CdrCall] = {}
    for uniqueid, group in grouped.items():
        if not _is_child(uniqueid, group, by_channel, by_destination):
            calls[uniqueid] = CdrCall(uniqueid, tuple(group))
    return calls


def _is_child(
    uniqueid: str,
    group: list[CdrRow],
    by_channel: Mapping[str, list[CdrRow]],
    by_destination: Mapping[str, list[CdrRow]],
) -> bool:
    """A leg some other channel created: dialled by it, or the ;2 half of its Local pair,
    while that other channel's row lasted."""
    names = {row.channel for row in group}
    born = group[0].start
    twins = {re.sub(r";2$", ";1", name) for name in names if name.endswith(";2")}
    others = [row for name in names for row in by_destination.get(name, ())]
    for twin in twins:
        others += by_channel.get(twin, ())
        others += by_destination.get(twin, ())
    return any(other.uniqueid != uniqueid and other.start <= born <= other.end for other in others)


def guess_hangup_side(call: CdrCall, queue_apps: frozenset[str]) -> HangupSide | None:
    """From the last application of the inbound channel (a guess; the CDR has no side).

    ``Hangup``: the dialplan hung up (system). A dial or queue with a bridged party: either
    side (unknown). Anything else (Playback, AGI, Wait, Read, ...): the caller hung up while
    the line was talking to them.
    """
    last = call.last
    if last.lastapp == "Hangup":
        return HangupSide.SYSTEM
    if last.lastapp in queue_apps | {"Dial"} and last.disposition == "ANSWERED":
        return None
    if not last.lastapp:
        return None
    return HangupSide.CALLER


def cdr_call_entry(call: CdrCall, *, dialplan: CdrDialplan) -> CallLogEntry:
    """The entry for a call the queue_log does not know (CDR as the only source).

    Answered only if a queue member's leg was answered (the answer time is then the start of
    that row, which is approximate: the inbound channel had been answered by the IVR before).
    A call whose inbound channel hung up inside ``Queue()`` abandoned the queue. A call
    ending at one of ``dialplan.no_operator_locations`` was refused by the queue
    (JOINEMPTY: ``QueueExit.EMPTY``, missed for "no operators"); any other unanswered call
    never reached the queue (``QueueExit.NOT_QUEUED``: missed "in the IVR" in working hours,
    C13). Whether it was in working hours is the store's decision, at arrival.
    """
    number, name = call.caller
    members = call.member_rows(dialplan.queue_apps)
    answered_at: datetime | None = None
    operator = ""
    exit_ = QueueExit.NOT_QUEUED
    talk: float | None = None
    if members:
        first = members[0]
        answered_at = first.start
        operator = device_of(first.dstchannel)
        exit_ = QueueExit.CONNECTED
        talk = float(sum(row.billsec for row in members))
    elif call.last.lastapp in dialplan.queue_apps:
        # hung up while Queue() was still running: abandoned in the queue
        exit_ = QueueExit.ABANDONED
    elif (call.last.dcontext, call.last.dst) in dialplan.no_operator_locations:
        exit_ = QueueExit.EMPTY
    return CallLogEntry(
        linkedid=call.linkedid,
        source=EntrySource.CDR,
        arrived_at=call.arrived_at,
        caller_number=number,
        caller_name=name,
        queue_exit=exit_,
        answered_at=answered_at,
        operator_interface=operator,
        ended_at=call.ended_at,
        talk_s=talk,
        hangup_side=guess_hangup_side(call, dialplan.queue_apps),
    )


def cdr_calls_entries(
    rows: Iterable[CdrRow], *, dialplan: CdrDialplan
) -> Mapping[str, CallLogEntry]:
    return {
        linkedid: cdr_call_entry(call, dialplan=dialplan)
        for linkedid, call in group_calls(rows, dialplan=dialplan).items()
    }
