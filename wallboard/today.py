"""Today's figures of the line for the wallboard, with the time passed in.

"Today" is the line's local date (``calendar.tz``, the ``CONSULT_LINE_TIMEZONE``): the calls
whose ``arrived_at`` lies between its local midnights. They are read with one aggregate query
whose only filter is that range on ``arrived_at`` (the index ``ix_calls_arrived_outcome``), so
the cost follows today's calls, not the years kept in the table.

* **arrived in working hours** — calls of today that arrived while the line was open by the
  production calendar (C3; ``in_working_hours``, decided at the arrival, as C13 decides it),
  whether they have ended or not;
* **answered**, **missed** (C13, by reason), **after hours** — today's ended calls by outcome;
  **in progress** — calls of today not ended yet (in the menu, waiting, talking);
* **service level** — the share of calls offered to the operators that were answered within
  ``threshold_s`` seconds in the queue (``queue_wait_s <= threshold_s``; an answered call whose
  wait is unknown does not count as within). Offered: answered plus missed, except the callers
  who hung up in the voice menu before asking for an operator. None while nothing was offered;
* **average wait** — the mean ``queue_wait_s`` of today's answered calls (those with a known
  wait), whole seconds; None while there are none;
* **callbacks** (C11) — active tasks promised for today whose deadline (the close of today's
  working hours) has not passed: **due**; active tasks whose deadline has passed (an earlier
  promised day, or today after closing): **overdue**.

Percentages and seconds are rounded half up, so the page and a person counting by hand agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from models.kb_gaps import local_period
from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.callbacks import ACTIVE_STATUSES, CallbackStatus, is_overdue
from models.rules.missed import MISSED_REASON_LABELS_RU, CallOutcome, MissedReason
from models.tables import Call, CallbackTask

# The query's rows: outcome, reason, working hours, calls, within, wait total, waits counted.
CallsQuery = Select[*tuple[Any, ...]]
# Missed calls that never asked for an operator: not offered to them, outside the service level.
NOT_OFFERED: frozenset[MissedReason] = frozenset({MissedReason.ABANDONED_IN_IVR})


@dataclass(frozen=True, slots=True)
class MissedCount:
    reason: MissedReason
    label: str  # in Russian
    count: int


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    threshold_s: int
    within: int  # answered within the threshold
    offered: int  # answered + missed, except those who hung up in the voice menu
    percent: int | None  # None: nothing offered yet


@dataclass(frozen=True, slots=True)
class TodayCounts:
    day: date  # the line's local date
    working_hours: str  # "09:00–18:00"; "" on a non-working day
    arrived_in_hours: int
    answered: int
    missed: int
    missed_by_reason: list[MissedCount]  # every reason, in the order of MissedReason
    after_hours: int
    in_progress: int
    service_level: ServiceLevel
    average_wait_s: int | None
    callbacks_due: int
    callbacks_overdue: int


@dataclass(frozen=True, slots=True)
class _Group:
    """Today's calls of one (outcome, reason, working hours) kind."""

    outcome: CallOutcome | None
    reason: MissedReason | None
    in_hours: bool
    calls: int
    within: int
    wait_total_s: float
    waits: int


def today_counts(
    session: Session, *, now: datetime, calendar: ProductionCalendar, service_level_s: int
) -> TodayCounts:
    """The figures of the line's local day that ``now`` falls on (see the module's doc)."""
    require_aware(now, "now")
    if service_level_s < 1:
        raise ValueError(f"the service level threshold must be at least 1 s: {service_level_s}")
    day = now.astimezone(calendar.tz).date()
    groups = _call_groups(session, calls_query(day, calendar.tz, service_level_s))
    due, overdue = _callbacks(session, day, now, calendar)
    hours = calendar.hours_on(day)
    return _fold(
        groups,
        day=day,
        working_hours=f"{hours.opens:%H:%M}–{hours.closes:%H:%M}" if hours else "",
        threshold_s=service_level_s,
        callbacks=(due, overdue),
    )


def calls_query(day: date, tz: ZoneInfo, threshold_s: int) -> CallsQuery:
    """The one query over the calls of the local ``day``: a range on ``arrived_at`` alone,
    grouped by outcome, missed reason and working hours."""
    start, end = local_period(day, day, tz)
    answered = col(Call.outcome) == CallOutcome.ANSWERED
    answered_wait = case((answered, col(Call.queue_wait_s)))
    within = case((answered & (col(Call.queue_wait_s) <= threshold_s), 1), else_=0)
    return (
        select_columns(
            col(Call.outcome),
            col(Call.missed_reason),
            col(Call.in_working_hours),
            func.count(),
            func.sum(within),
            func.sum(answered_wait),
            func.count(answered_wait),
        )
        .where(col(Call.arrived_at) >= start, col(Call.arrived_at) < end)
        .group_by(col(Call.outcome), col(Call.missed_reason), col(Call.in_working_hours))
    )


def _call_groups(session: Session, query: CallsQuery) -> list[_Group]:
    return [
        _Group(
            outcome=outcome,
            reason=reason,
            in_hours=bool(in_hours),
            calls=int(calls),
            within=int(within or 0),
            wait_total_s=float(wait_total or 0.0),
            waits=int(waits),
        )
        for outcome, reason, in_hours, calls, within, wait_total, waits in session.execute(query)
    ]


def _callbacks(
    session: Session, day: date, now: datetime, calendar: ProductionCalendar
) -> tuple[int, int]:
    """(due today, overdue now) among the active tasks promised for today or earlier."""
    promised = col(CallbackTask.promised_on)
    total, earlier = session.exec(
        select(func.count(), func.sum(case((promised < day, 1), else_=0))).where(
            col(CallbackTask.status).in_(list(ACTIVE_STATUSES)), promised <= day
        )
    ).one()
    earlier = int(earlier or 0)
    for_today = int(total) - earlier
    if is_overdue(day, CallbackStatus.OPEN, now, calendar):  # today's hours are over
        return 0, earlier + for_today
    return for_today, earlier


def _fold(
    groups: list[_Group],
    *,
    day: date,
    working_hours: str,
    threshold_s: int,
    callbacks: tuple[int, int],
) -> TodayCounts:
    def calls(outcome: CallOutcome | None) -> int:
        return sum(g.calls for g in groups if g.outcome is outcome)

    missed = {reason: 0 for reason in MissedReason}
    for group in groups:
        if group.outcome is CallOutcome.MISSED:
            missed[group.reason or MissedReason.UNKNOWN] += group.calls
    answered = [g for g in groups if g.outcome is CallOutcome.ANSWERED]
    waits = sum(g.waits for g in answered)
    wait_total = sum(g.wait_total_s for g in answered)
    offered = calls(CallOutcome.ANSWERED) + sum(
        count for reason, count in missed.items() if reason not in NOT_OFFERED
    )
    within = sum(g.within for g in answered)
    due, overdue = callbacks
    return TodayCounts(
        day=day,
        working_hours=working_hours,
        arrived_in_hours=sum(g.calls for g in groups if g.in_hours),
        answered=calls(CallOutcome.ANSWERED),
        missed=sum(missed.values()),
        missed_by_reason=[
            MissedCount(reason, MISSED_REASON_LABELS_RU[reason], count)
            for reason, count in missed.items()
        ],
        after_hours=calls(CallOutcome.AFTER_HOURS),
        in_progress=calls(None),
        service_level=ServiceLevel(
            threshold_s=threshold_s,
            within=within,
            offered=offered,
            percent=_half_up(within * 100, offered) if offered else None,
        ),
        average_wait_s=_half_up_float(wait_total / waits) if waits else None,
        callbacks_due=due,
        callbacks_overdue=overdue,
    )


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _half_up_float(value: float) -> int:
    return int(value + 0.5)
