"""Reconciliation after an AMI outage: calls that ended while we were not listening (C13).

``reconcile`` is pure: queue_log lines and CDR rows in, ``CallLogEntry`` values out, one per
call (keyed by the inbound channel's Linkedid = the queue_log callid = the CDR Linkedid, or
Uniqueid without ``newcdrcolumns``), only calls that **ended** in ``[since, until)``.

Merging, per call:

* queue_log lines and a CDR: the queue facts come from the queue_log (join time, wait, how
  the caller left the queue, who answered and when, transfers made by queue members, who
  hung up on a queue member); the CDR gives what the queue_log cannot: the arrival, the end
  of the whole call (after the survey, after a transfer out of the queue), the caller's name,
  and the device of a member known only by name. Source ``QUEUE_LOG``.
* queue_log lines only (the inbound channel has not hung up yet, or there is no CDR):
  finished when the queue part closed (COMPLETE*, ABANDON, EXIT*). With a CDR source
  present, such a call is finished only ``cdr_grace`` after its last line: its CDR (written
  when the channel hangs up) would have shown up by then, and a call still talking to an
  employee after a transfer must not be closed early. Source ``QUEUE_LOG``.
* CDR only: the call never reached the queue (after hours, hung up in the IVR, AGI down,
  JOINEMPTY: ``ami.cdr.cdr_call_entry``). Source ``CDR``.

``reconcile_files`` is the thin I/O around it: reads ``settings.queue_log_path`` and the CDR
``Master.csv`` (``settings.cdr_path``, its times in ``settings.cdr_tz``) and feeds every entry
to ``store.record_finished`` (idempotent: a call already finished live, or by an earlier run,
is left as it is). A CDR that ``ami.log_sources.assess_cdr`` refuses (no Uniqueids, or
written in another zone) is not used: the run goes on with the queue_log alone, loudly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from ami.call_record import CallLogEntry
from ami.cdr import (
    PROJECT_DIALPLAN,
    CdrCall,
    CdrDialplan,
    CdrRow,
    cdr_call_entry,
    group_calls,
    guess_hangup_side,
    parse_cdr,
)
from ami.log_sources import SourceReport, SourceState, assess_cdr
from ami.queue_log import (
    MEMBER_NAME_PREFIX,
    QueueCall,
    QueueEnd,
    QueueLogLine,
    fold_calls,
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
    require_aware(since, "since")
    require_aware(until, "until")
    queue_calls = fold_calls(queue_log)
    cdr_available = cdr_rows is not None
    cdr_calls = group_calls(cdr_rows or (), dialplan=dialplan)
    entries: list[CallLogEntry] = []
    for linkedid in sorted(queue_calls.keys() | cdr_calls.keys()):
        entry = merge_call(
            queue_calls.get(linkedid),
            cdr_calls.get(linkedid),
            dialplan=dialplan,
            cdr_available=cdr_available,
            until=until,
            cdr_grace=cdr_grace,
        )
        if entry is not None and entry.ended_at is not None and since <= entry.ended_at < until:
            entries.append(entry)
    entries.sort(key=lambda entry: (entry.ended_at or until, entry.linkedid))
    return entries


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
    skipped_lines: int = 0  # garbled lines in either file
    # What each source was in this run (queue_log, CDR), for /health.
    sources: tuple[SourceReport, ...] = field(default=(), compare=False)


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
    """Reconcile ``[since, now)`` from ``settings.queue_log_path`` and ``settings.cdr_path``.

    A missing or unreadable queue_log: an error and an empty summary (the CDR alone would
    misjudge queue calls, and a finished call is stored once). A missing, unreadable or
    refused CDR, or none configured: the queue_log alone is used (calls that never reached
    the queue are then not recovered). ``lookback``: lines and rows older than ``since -
    lookback`` are not kept (no call lasts that long); the files are read line by line.
    """
    require_aware(since, "since")
    require_aware(now, "now")
    not_before = since - lookback
    queue_log_path = settings.queue_log_path
    try:
        with _open_text(queue_log_path) as file:
            queue_log = parse_queue_log(file, not_before=not_before)
    except OSError as exc:
        report = _unreadable("queue_log", queue_log_path, exc)
        log.error("сверка невозможна: %s", report.problem)
        return ReconcileSummary(sources=(report,))
    skipped = queue_log.garbled
    queue_log_report = SourceReport("queue_log", str(queue_log_path), SourceState.OK)
    cdr_rows, cdr_report, cdr_garbled = _read_cdr(settings, not_before)
    skipped += cdr_garbled
    entries = reconcile_parsed(
        queue_log=queue_log.lines,
        cdr_rows=cdr_rows,
        since=since,
        until=now,
        dialplan=dialplan,
        cdr_grace=cdr_grace,
    )
    finished = sum(1 for entry in entries if store.record_finished(entry, now).changed)
    summary = ReconcileSummary(
        len(entries), finished, len(entries) - finished, skipped, (queue_log_report, cdr_report)
    )
    if skipped:
        log.warning("reconciliation skipped %d garbled line(s)", skipped)
    log.info(
        "reconciled %s..%s: %d call(s), %d finished, %d unchanged",
        since.astimezone(UTC).isoformat(),
        now.astimezone(UTC).isoformat(),
        summary.read,
        summary.finished,
        summary.unchanged,
    )
    return summary


def _read_cdr(
    settings: Settings, not_before: datetime
) -> tuple[tuple[CdrRow, ...] | None, SourceReport, int]:
    """The CDR rows to use (None: reconcile from the queue_log alone), what was found, and
    the number of garbled lines."""
    path = settings.cdr_path
    if path is None:
        log.info("no CDR file configured: reconciling from the queue_log alone")
        return None, SourceReport("cdr", "", SourceState.NOT_CONFIGURED), 0
    try:
        with _open_text(path) as file:
            cdr = parse_cdr(file, tz=settings.cdr_tz, not_before=not_before)
    except OSError as exc:
        report = _unreadable("cdr", path, exc)
        log.warning("CDR не используется, сверка только по queue_log: %s", report.problem)
        return None, report, 0
    verdict = assess_cdr(cdr, settings.cdr_tz, settings.cdr_timezone)
    if not verdict.usable:
        log.error("CDR не используется, сверка только по queue_log: %s", verdict.problem)
        report = SourceReport(
            "cdr", str(path), SourceState.REFUSED, verdict.detail, verdict.problem
        )
        return None, report, cdr.garbled
    return cdr.rows, SourceReport("cdr", str(path), SourceState.OK, verdict.detail), cdr.garbled


def _unreadable(name: str, path: Path, exc: OSError) -> SourceReport:
    if isinstance(exc, FileNotFoundError):
        return SourceReport(name, str(path), SourceState.MISSING, problem=f"файл {path} не найден")
    problem = f"файл {path} не читается: {exc.strerror or exc}"
    return SourceReport(name, str(path), SourceState.UNREADABLE, problem=problem)


def _open_text(path: Path) -> TextIO:
    # newline="": line ends kept as written, so a partially written last line shows;
    # a broken byte must not stop the reconciliation.
    return path.open(encoding="utf-8", errors="replace", newline="")
