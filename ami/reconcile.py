"""Reconciliation after an AMI outage: calls that ended while we were not listening (C13).

``reconcile`` is pure: queue_log lines and CDR rows in, ``CallLogEntry`` values out, one per
call (keyed by the inbound channel's Linkedid = the queue_log callid = the CDR Linkedid, or
Uniqueid without ``newcdrcolumns``), only calls that **ended** in ``[since, until)``, and only
the line's calls (``ami.line_calls``, the live call log's rule): a queue_log call with a stay
in the line's queue, a CDR call whose inbound channel was in one of the line's dialplan
contexts. Operators calling each other, other departments' numbers and queues on the same
PBX are not the line's missed calls.

Merging, per call:

* queue_log lines and a CDR: the queue facts come from the queue_log (join time, wait, how
  the caller left the queue, who answered and when, transfers made by queue members, who
  hung up on a queue member); the CDR gives what the queue_log cannot: the arrival, the end
  of the whole call (after the survey, after a transfer out of the queue), the caller's name,
  and the device of a member known only by name. Source ``QUEUE_LOG``.
* queue_log lines only (the inbound channel has not hung up yet, or there is no CDR):
  finished when the queue part closed (COMPLETE*, ABANDON, EXIT*). With a CDR source
  present, such a call *waits* for its CDR (written when the channel hangs up; a call still
  talking to an employee after a transfer must not be closed early): ``settle`` returns it
  in ``Settled.waiting``, the next run looks at it again whatever its window, and it is
  finished with the CDR's end once the row shows up (``batch = yes`` writes rows late), or
  from the queue_log alone ``cdr_grace`` after its last line. Source ``QUEUE_LOG``.
* CDR only: the call never reached the queue (after hours, hung up in the IVR, AGI down,
  JOINEMPTY: ``ami.cdr.cdr_call_entry``). Source ``CDR``.

``Reconciler`` is the I/O around it for a running service: it reads ``settings.queue_log_path``
and the CDR ``Master.csv`` (``settings.cdr_path``, its times in ``settings.cdr_tz``) on from
where the previous run stopped (``ami.log_tail``), keeps what the window needs, carries the
waiting calls to the next run, and feeds every entry to ``store.record_finished``
(idempotent: a call already finished live, or by an earlier run, is left as it is).
``reconcile_files`` is one run of a fresh ``Reconciler``. A CDR that
``ami.log_sources.assess_cdr`` refuses (no Uniqueids, or written in another zone) is not
used: the run goes on with the queue_log alone, loudly.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Protocol

from ami.call_record import CallLogEntry
from ami.cdr import (
    PROJECT_DIALPLAN,
    CdrCall,
    CdrDialplan,
    CdrLayout,
    CdrParse,
    CdrRow,
    cdr_call_entry,
    group_calls,
    guess_hangup_side,
    parse_cdr,
    row_end,
)
from ami.log_sources import SourceReport, SourceState, assess_cdr
from ami.log_tail import LogTail, TailStart
from ami.queue_log import (
    MEMBER_NAME_PREFIX,
    QueueCall,
    QueueEnd,
    QueueLogLine,
    fold_calls,
    line_time,
    member_operator,
    parse_queue_log,
    queue_call_entry,
)
from models.call_log_store import FinishedCall
from models.rules.calendar import require_aware
from models.rules.missed import QueueExit
from models.settings import Settings
from models.tables.calls import HangupSide

log = logging.getLogger(__name__)

DEFAULT_CDR_GRACE = timedelta(hours=2)
DEFAULT_LOOKBACK = timedelta(hours=12)


def reconcile(
    *,
    queue_log_lines: Iterable[str],
    cdr_rows: Iterable[CdrRow] | None,
    since: datetime,
    until: datetime,
    dialplan: CdrDialplan = PROJECT_DIALPLAN,
    cdr_grace: timedelta = DEFAULT_CDR_GRACE,
) -> list[CallLogEntry]:
    """Entries for the calls that ended in ``[since, until)``, ordered by end then Linkedid.

    ``queue_log_lines``: the queue_log as iterating the file yields it (line ends kept).
    ``cdr_rows``: parsed CDR rows (``ami.cdr.parse_cdr``), or None when there is no CDR source
    at all (then queue_log calls transferred out of the queue end at the transfer).
    """
    return reconcile_parsed(
        queue_log=parse_queue_log(queue_log_lines).lines,
        cdr_rows=cdr_rows,
        since=since,
        until=until,
        dialplan=dialplan,
        cdr_grace=cdr_grace,
    )


def reconcile_parsed(
    *,
    queue_log: Iterable[QueueLogLine],
    cdr_rows: Iterable[CdrRow] | None,
    since: datetime,
    until: datetime,
    dialplan: CdrDialplan = PROJECT_DIALPLAN,
    cdr_grace: timedelta = DEFAULT_CDR_GRACE,
) -> list[CallLogEntry]:
    """``reconcile`` over queue_log lines already parsed."""
    return settle(
        queue_log=queue_log,
        cdr_rows=cdr_rows,
        since=since,
        until=until,
        dialplan=dialplan,
        cdr_grace=cdr_grace,
    ).entries


@dataclass(frozen=True, slots=True)
class Settled:
    entries: list[CallLogEntry]  # ordered by end, then Linkedid
    # Queue calls whose queue part is over but whose CDR is not written yet: to be looked at
    # again by the next run (``carried``), whatever its window.
    waiting: frozenset[str] = frozenset()


def settle(
    *,
    queue_log: Iterable[QueueLogLine],
    cdr_rows: Iterable[CdrRow] | None,
    since: datetime,
    until: datetime,
    dialplan: CdrDialplan = PROJECT_DIALPLAN,
    cdr_grace: timedelta = DEFAULT_CDR_GRACE,
    carried: Collection[str] = frozenset(),
) -> Settled:
    """The line's calls that ended in ``[since, until)``, and those of ``carried`` (Linkedids
    an earlier run left waiting, or with lines read only now) that ended before ``until``.

    The line's calls only (``dialplan.line``): a queue_log call with a stay in one of the
    line's queues, a CDR call whose inbound channel was in one of the line's contexts
    (``ami.cdr.group_calls``); every other call on the PBX is left alone.
    """
    require_aware(since, "since")
    require_aware(until, "until")
    queue_calls = fold_calls(queue_log)
    cdr_available = cdr_rows is not None
    cdr_calls = group_calls(cdr_rows or (), dialplan=dialplan)
    line_queue_calls = {
        linkedid
        for linkedid, call in queue_calls.items()
        if any(dialplan.line.queue(segment.queue) for segment in call.segments)
    }
    entries: list[CallLogEntry] = []
    waiting: set[str] = set()
    for linkedid in sorted(line_queue_calls | cdr_calls.keys()):
        queue_call = queue_calls.get(linkedid)
        cdr_call = cdr_calls.get(linkedid)
        entry = merge_call(
            queue_call,
            cdr_call,
            dialplan=dialplan,
            cdr_available=cdr_available,
            until=until,
            cdr_grace=cdr_grace,
        )
        ended = entry.ended_at if entry is not None else None
        if entry is None and queue_call is not None and cdr_available:
            ended = queue_call.ended_at  # the queue part is over (None: it is not)
        if ended is None or ended >= until or (ended < since and linkedid not in carried):
            continue
        if entry is not None:
            entries.append(entry)
        else:
            waiting.add(linkedid)  # over in the queue_log; its CDR is not written yet
    entries.sort(key=lambda entry: (entry.ended_at or until, entry.linkedid))
    return Settled(entries, frozenset(waiting))


def merge_call(
    queue_call: QueueCall | None,
    cdr_call: CdrCall | None,
    *,
    dialplan: CdrDialplan,
    cdr_available: bool,
    until: datetime,
    cdr_grace: timedelta = DEFAULT_CDR_GRACE,
) -> CallLogEntry | None:
    """One call from whatever the two sources know; None when neither can say it ended."""
    if queue_call is None:
        return cdr_call_entry(cdr_call, dialplan=dialplan) if cdr_call is not None else None
    if cdr_call is None:
        settled = until - queue_call.last_at >= cdr_grace
        if cdr_available and not settled:
            return None  # its CDR is not written yet: the inbound channel may still be up
        entry = queue_call_entry(queue_call, accept_transferred_out=True)
        return entry if entry.ended_at is not None else None
    return _merge(queue_call, cdr_call, dialplan)


def _merge(queue_call: QueueCall, cdr_call: CdrCall, dialplan: CdrDialplan) -> CallLogEntry:
    answered = queue_call.answered
    operator: str | None = None
    if answered is not None:
        operator = member_operator(answered.member)
        if not operator or operator.startswith(MEMBER_NAME_PREFIX):
            # the queue_log knows a member name only; the CDR shows the device it dialled
            assert answered.connected_at is not None
            device = cdr_call.member_interface_at(
                answered.queue, answered.connected_at, dialplan.queue_apps
            )
            operator = device or operator
    base = queue_call_entry(queue_call, accept_transferred_out=True, operator_interface=operator)
    number, name = cdr_call.caller
    # The CDR of the inbound channel is written when it hangs up: its end is the call's end.
    ended = max(cdr_call.ended_at, base.ended_at or cdr_call.ended_at)
    exit_ = base.queue_exit
    wait = base.queue_wait_s
    talk = queue_call.talk_s if answered is not None else None
    side = base.hangup_side
    if queue_call.end is QueueEnd.OPEN and queue_call.segments:
        # The channel hung up but the queue_log has no closing line for its last stay.
        last = queue_call.segments[-1]
        if last.connected_at is not None:  # talking to a member until the end
            talk = (talk or 0.0) + (ended - last.connected_at).total_seconds()
        else:  # still waiting in the queue: the caller hung up there
            side = HangupSide.CALLER
            if answered is None:
                exit_ = QueueExit.ABANDONED
                if wait is None and last.joined_at is not None and len(queue_call.segments) == 1:
                    wait = (ended - last.joined_at).total_seconds()
    return replace(
        base,
        arrived_at=min(cdr_call.arrived_at, base.arrived_at),
        caller_number=base.caller_number or number,
        caller_name=base.caller_name or name,
        queue_wait_s=wait,
        queue_exit=exit_,
        ended_at=ended,
        talk_s=talk,
        hangup_side=side if side is not None else guess_hangup_side(cdr_call, dialplan.queue_apps),
    )


# --------------------------------------------------------------------------------------------
# Files and the store


class CallLogSink(Protocol):
    """``models.call_log_store.CallLogStore`` as reconciliation uses it."""

    def record_finished(self, entry: CallLogEntry, now: datetime) -> FinishedCall: ...


@dataclass(frozen=True, slots=True)
class ReconcileSummary:
    read: int = 0  # finished calls found in the window
    finished: int = 0  # calls the store finished or filled in
    unchanged: int = 0  # calls already finished (live, or by an earlier run)
    skipped_lines: int = 0  # garbled lines in either file (in what this run read)
    waiting: int = 0  # queue calls over whose CDR is not written yet: the next run finishes them
    # What each source was in this run (queue_log, CDR), for /health.
    sources: tuple[SourceReport, ...] = field(default=(), compare=False)


# How much earlier than the window's oldest line a first read of each file starts (the
# files are only roughly in time order): the queue_log is written as things happen; a CDR
# row is written when its channel hangs up, up to ``lookback`` after the row ended (no call
# lasts longer), and with ``batch = yes`` up to the batch's ``time`` later still.
QUEUE_LOG_SEEK_MARGIN = timedelta(minutes=10)
CDR_BATCH_MARGIN = timedelta(hours=1)


class Reconciler:
    """Reconciliation runs of one process (the AMI bridge holds one).

    Each run reads only what the files gained since the previous run (``ami.log_tail``: the
    offset is remembered; the first run finds its start by time, with a binary search, instead
    of parsing the files from their beginning; rotation and truncation are noticed and
    logged). The lines and rows of the last ``lookback`` are kept in memory, so a call that
    spans two runs is seen whole. Carried from one run to the next, whatever its window:

    * the queue calls whose CDR was not written yet (``Settled.waiting``): finished when it
      shows up (with the CDR's end), or from the queue_log alone ``cdr_grace`` after their
      last line;
    * the calls with lines or rows read only now (a CDR written late, ``batch = yes``).

    Both live in memory. After a restart nothing is carried, and the bridge's first run
    reaches back ``FIRST_RECONCILE_LOOKBACK`` (12 h): the calls waiting at a stop (over at
    most ``cdr_grace``, 2 h, before it) are in that window unless the service was down for
    longer than 10 h, the same limit as for every call that ended meanwhile.

    Windows must move forward (``since`` at or after the previous ``since``). Runs from
    several threads are serialised.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        dialplan: CdrDialplan = PROJECT_DIALPLAN,
        cdr_grace: timedelta = DEFAULT_CDR_GRACE,
        lookback: timedelta = DEFAULT_LOOKBACK,
    ) -> None:
        self._settings = settings
        self._dialplan = dialplan
        self._cdr_grace = cdr_grace
        self._lookback = lookback
        self._queue_log = LogTail(settings.queue_log_path, line_time)
        self._cdr_tz: tzinfo = UTC  # settings.cdr_tz as of the run (it follows the host's)
        self._cdr = (
            None
            if settings.cdr_path is None
            else LogTail(settings.cdr_path, lambda text: row_end(text, self._cdr_tz))
        )
        self._lines: list[QueueLogLine] = []  # the queue_log since the window's lookback
        self._rows: list[CdrRow] = []  # the CDR rows since then
        self._cdr_layouts: Counter[CdrLayout] = Counter()  # of the rows read since the start
        self._cdr_without_uniqueid = 0
        self._waiting: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def run(self, store: CallLogSink, since: datetime, now: datetime) -> ReconcileSummary:
        """Reconcile ``[since, now)``; see ``reconcile_files`` for the sources' rules."""
        require_aware(since, "since")
        require_aware(now, "now")
        with self._lock:
            return self._run(store, since, now)

    def close(self) -> None:
        with self._lock:
            self._queue_log.close()
            if self._cdr is not None:
                self._cdr.close()

    def _run(self, store: CallLogSink, since: datetime, now: datetime) -> ReconcileSummary:
        not_before = since - self._lookback
        path = self._settings.queue_log_path
        try:
            queue_log = self._queue_log.read(
                not_before - QUEUE_LOG_SEEK_MARGIN,
                lambda lines, first: parse_queue_log(
                    lines, not_before=not_before, first_line_no=first
                ),
            )
        except OSError as exc:
            report = _unreadable("queue_log", path, exc)
            log.error("сверка невозможна: %s", report.problem)
            return ReconcileSummary(sources=(report,))
        touched: set[str] = set()
        if _continued(self._queue_log):
            self._lines = [line for line in self._lines if line.at >= not_before]
            touched.update(line.callid for line in queue_log.lines)
        else:
            self._lines = []
        self._lines += queue_log.lines
        skipped = queue_log.garbled
        queue_log_report = SourceReport("queue_log", str(path), SourceState.OK)
        cdr_rows, cdr_report, cdr_garbled = self._read_cdr(not_before, touched)
        skipped += cdr_garbled
        settled = settle(
            queue_log=self._lines,
            cdr_rows=cdr_rows,
            since=since,
            until=now,
            dialplan=self._dialplan,
            cdr_grace=self._cdr_grace,
            carried=self._waiting | touched,
        )
        self._waiting = settled.waiting
        entries = settled.entries
        finished = sum(1 for entry in entries if store.record_finished(entry, now).changed)
        summary = ReconcileSummary(
            len(entries),
            finished,
            len(entries) - finished,
            skipped,
            len(settled.waiting),
            (queue_log_report, cdr_report),
        )
        if skipped:
            log.warning("reconciliation skipped %d garbled line(s)", skipped)
        log.info(
            "reconciled %s..%s: %d call(s), %d finished, %d unchanged, %d waiting for the CDR",
            since.astimezone(UTC).isoformat(),
            now.astimezone(UTC).isoformat(),
            summary.read,
            summary.finished,
            summary.unchanged,
            summary.waiting,
        )
        return summary

    def _read_cdr(
        self, not_before: datetime, touched: set[str]
    ) -> tuple[tuple[CdrRow, ...] | None, SourceReport, int]:
        """The CDR rows to use (None: reconcile from the queue_log alone), what was found, and
        the number of garbled lines read; adds the calls of the rows read on to ``touched``."""
        settings = self._settings
        if self._cdr is None:
            log.info("no CDR file configured: reconciling from the queue_log alone")
            return None, SourceReport("cdr", "", SourceState.NOT_CONFIGURED), 0
        path = self._cdr.path
        tz = self._cdr_tz = settings.cdr_tz
        try:
            cdr = self._cdr.read(
                not_before - self._lookback - CDR_BATCH_MARGIN,
                lambda lines, first: parse_cdr(
                    lines, tz=tz, not_before=not_before, first_line_no=first
                ),
            )
        except OSError as exc:
            report = _unreadable("cdr", path, exc)
            log.warning("CDR не используется, сверка только по queue_log: %s", report.problem)
            return None, report, 0
        if _continued(self._cdr):
            self._rows = [row for row in self._rows if row.end >= not_before]
            touched.update(row.linkedid or row.uniqueid for row in cdr.rows)
        else:
            self._rows, self._cdr_layouts, self._cdr_without_uniqueid = [], Counter(), 0
        self._rows += cdr.rows
        self._cdr_layouts.update(dict(cdr.layouts))
        self._cdr_without_uniqueid += cdr.without_uniqueid
        window = CdrParse(
            tuple(self._rows),
            layouts=tuple(self._cdr_layouts.items()),
            without_uniqueid=self._cdr_without_uniqueid,
        )
        verdict = assess_cdr(window, tz, settings.cdr_timezone)
        if not verdict.usable:
            log.error("CDR не используется, сверка только по queue_log: %s", verdict.problem)
            report = SourceReport(
                "cdr", str(path), SourceState.REFUSED, verdict.detail, verdict.problem
            )
            return None, report, cdr.garbled
        report = SourceReport("cdr", str(path), SourceState.OK, verdict.detail)
        return window.rows, report, cdr.garbled


def _continued(tail: LogTail) -> bool:
    """Whether the last read went on from an earlier one (else it started by time)."""
    return tail.last_read is not None and tail.last_read.start is not TailStart.SOUGHT


def reconcile_files(
    settings: Settings,
    store: CallLogSink,
    since: datetime,
    now: datetime,
    *,
    dialplan: CdrDialplan = PROJECT_DIALPLAN,
    cdr_grace: timedelta = DEFAULT_CDR_GRACE,
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> ReconcileSummary:
    """Reconcile ``[since, now)`` from ``settings.queue_log_path`` and ``settings.cdr_path``,
    once (a ``Reconciler`` of its own: the files' start found by time, nothing carried).

    A missing or unreadable queue_log: an error and an empty summary (the CDR alone would
    misjudge queue calls, and a finished call is stored once). A missing, unreadable or
    refused CDR, or none configured: the queue_log alone is used (calls that never reached
    the queue are then not recovered). ``lookback``: lines and rows older than ``since -
    lookback`` are not kept (no call lasts that long); the files are read line by line.
    """
    reconciler = Reconciler(settings, dialplan=dialplan, cdr_grace=cdr_grace, lookback=lookback)
    try:
        return reconciler.run(store, since, now)
    finally:
        reconciler.close()


def _unreadable(name: str, path: Path, exc: OSError) -> SourceReport:
    if isinstance(exc, FileNotFoundError):
        return SourceReport(name, str(path), SourceState.MISSING, problem=f"файл {path} не найден")
    problem = f"файл {path} не читается: {exc.strerror or exc}"
    return SourceReport(name, str(path), SourceState.UNREADABLE, problem=problem)
