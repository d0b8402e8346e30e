"""Calls the live log cannot settle alone, until the reconciliation has (C13).

A call whose events were partly missed (it was in progress while the AMI link was down, or
when the service started) finishes in the projector with ``complete=False``; a call that
ended while the link was down is ``CallLost``. Neither outcome may be decided from the live
events: the queue join, the answer or the end may be among the missing ones. What the bridge
does with every projector output, in one place (:func:`live_writes`):

* ``CallUpdated`` and a complete ``CallFinished``: written as they are (progress, finish).
* ``CallFinished(complete=False)``: what was seen is written as progress (the answer, the
  operator, talk time: the live figures need them now), and the call is listed here.
* ``CallLost``: listed here.

The bridge runs the reconciliation (queue_log and CDR) a few seconds after a call is listed,
when Asterisk has written both (the CDR row when the inbound channel hangs up, queue_log at
once), and again while a listed call is still without an outcome (the reconciler carries a
call whose lines or rows are written after its window: ``ami.reconcile.Reconciler``). After
``max_runs`` runs that did not finish it, a call whose end was seen live is finished from
the live facts (the files do not know it: a queue_log or CDR that is missing or does not
cover the call), so every call has its outcome and every missed number its one callback
task within about a minute; a call lost whole (its end never seen) stays listed, on
``/health``, until a later run (each login, the nightly one) finishes it or ``lookback``
after its arrival. The store applies an outcome once, so whichever source finishes a call
first, there is never a second outcome or a second task.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ami.call_record import CallLogEntry
from ami.projector import CallFinished, CallLost, CallUpdated, ProjectorOutput

DEFAULT_MAX_RUNS = 4
DEFAULT_LOOKBACK = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class LiveWrites:
    """What to do with one projector output."""

    progress: CallLogEntry | None = None  # CallLogStore.record_progress
    finish: CallLogEntry | None = None  # CallLogStore.record_finished
    pending: CallLogEntry | None = None  # PendingCalls.add: the reconciliation decides


def live_writes(output: ProjectorOutput) -> LiveWrites:
    if isinstance(output, CallUpdated):
        return LiveWrites(progress=output.entry)
    if isinstance(output, CallFinished) and output.complete:
        return LiveWrites(finish=output.entry)
    if isinstance(output, CallFinished):
        return LiveWrites(progress=as_progress(output.entry), pending=output.entry)
    assert isinstance(output, CallLost)
    return LiveWrites(pending=output.entry)


def as_progress(entry: CallLogEntry) -> CallLogEntry:
    """The entry without its end: facts of a call whose outcome is not decided here."""
    return replace(entry, ended_at=None, hangup_side=None, hangup_cause=None, hangup_cause_text="")


@dataclass(slots=True)
class _Pending:
    entry: CallLogEntry  # the last live snapshot; ended_at set when the end was seen live
    runs: int = 0  # reconciliation runs since it was listed that did not finish it


class PendingCalls:
    """Pure bookkeeping; the bridge asks the store which calls are finished."""

    def __init__(
        self, *, max_runs: int = DEFAULT_MAX_RUNS, lookback: timedelta = DEFAULT_LOOKBACK
    ) -> None:
        self._max_runs = max_runs
        self._lookback = lookback
        self._calls: dict[str, _Pending] = {}

    def __len__(self) -> int:
        return len(self._calls)

    def __contains__(self, linkedid: object) -> bool:
        return linkedid in self._calls

    def add(self, entry: CallLogEntry) -> None:
        """Lists the call (again: the newer snapshot, the run count starts over)."""
        self._calls[entry.linkedid] = _Pending(entry)

    def linkedids(self) -> list[str]:
        return sorted(self._calls)

    def wants_run(self) -> bool:
        """A listed call has runs left."""
        return any(pending.runs < self._max_runs for pending in self._calls.values())

    def settle(self, unfinished: Collection[str], now: datetime) -> list[CallLogEntry]:
        """After a reconciliation run: ``unfinished`` are the listed calls still without an
        outcome. Drops the others and those older than ``lookback``; returns the calls whose
        runs are used up and whose end was seen live, no longer listed: to be finished from
        the live facts."""
        give_up: list[CallLogEntry] = []
        for linkedid in list(self._calls):
            pending = self._calls[linkedid]
            if linkedid not in unfinished or pending.entry.arrived_at < now - self._lookback:
                del self._calls[linkedid]
                continue
            pending.runs += 1
            if pending.runs >= self._max_runs and pending.entry.ended_at is not None:
                del self._calls[linkedid]
                give_up.append(pending.entry)
        return give_up

    def status(self) -> dict[str, object]:
        calls = list(self._calls.values())  # one step: /health reads it from another thread
        overdue = sum(1 for pending in calls if pending.runs >= self._max_runs)
        return {"calls": len(calls), "overdue": overdue}
