"""Missed calls (C13): every call that arrived in working hours and was left unanswered, with
its reason, wait, short-call flag and the state of its callback task; counts by day and by
hour of the day.

Which calls are missed was decided once, when each call ended (``models.rules.missed``), and
stored as ``calls.outcome``; the table selects on it and on the arrival instant, which the
index ``ix_calls_arrived_outcome`` serves, and is read a page or a batch at a time. The counts
(:func:`missed_tally`) are sums of ``missed_counts``, which triggers keep by UTC hour, reason,
short flag, topic and callback status as calls and tasks are written
(``models.tables.report_counts``): a year is a few tens of thousands of counts, not the year's
missed calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models.exports import BATCH, attempts_by_task, batches
from models.rules.callbacks import CALLBACK_STATUS_LABELS_RU, CallbackStatus
from models.rules.missed import MISSED_REASON_LABELS_RU, CallOutcome, MissedReason
from models.tables import CallbackTask, Employee
from models.tables.callbacks import ATTEMPT_RESULT_LABELS_RU
from models.tables.calls import Call
from models.tables.report_counts import NO_VALUE, MissedCount
from models.topics import TOPIC_LABELS_RU, Topic
from reports.hours import HourCounts, hour_text_bounds
from reports.inputs import FilterValues, chosen, one_of
from reports.period import Period
from reports.report import ReportSpec
from reports.table import Column, Kind, Row, Sheet


class CallbackState(StrEnum):
    """The callback task of a missed call: none, or the task's status."""

    NONE = "none"
    OPEN = CallbackStatus.OPEN.value
    IN_PROGRESS = CallbackStatus.IN_PROGRESS.value
    DONE = CallbackStatus.DONE.value
    FAILED = CallbackStatus.FAILED.value
    CANCELLED = CallbackStatus.CANCELLED.value


class ShortCalls(StrEnum):
    ALL = "all"
    ONLY = "only"
    WITHOUT = "without"


NO_TOPIC = "none"
NO_TOPIC_LABEL_RU = "Тема не выбрана"
CALLBACK_STATE_LABELS_RU: dict[CallbackState, str] = {
    CallbackState.NONE: "Нет заявки",
    **{CallbackState(status.value): label for status, label in CALLBACK_STATUS_LABELS_RU.items()},
}
SHORT_CALLS_LABELS_RU: dict[ShortCalls, str] = {
    ShortCalls.ALL: "Все",
    ShortCalls.ONLY: "Только короткие",
    ShortCalls.WITHOUT: "Без коротких",
}
TOPIC_CHOICES: dict[str, Topic | None] = {topic.value: topic for topic in Topic} | {NO_TOPIC: None}
TOPIC_CHOICE_LABELS_RU: dict[str, str] = {
    topic.value: TOPIC_LABELS_RU[topic] for topic in Topic
} | {NO_TOPIC: NO_TOPIC_LABEL_RU}


def topic_condition(topics: frozenset[Topic | None]) -> ColumnElement[bool]:
    """The call's topic is one of ``topics`` (``None``: no topic chosen)."""
    named = sorted(topic for topic in topics if topic is not None)
    either: list[ColumnElement[bool]] = [col(Call.topic).in_(named)] if named else []
    if None in topics:
        either.append(col(Call.topic).is_(None))
    return or_(*either)


# The filters' names in the query string and on the command line.
REASON, TOPIC, CALLBACK, SHORT = "reason", "topic", "callback", "short"

COLUMNS: tuple[Column, ...] = (
    Column("Поступил", Kind.INSTANT, 18),
    Column("Номер", Kind.PHONE, 15),
    Column("Тема", Kind.TEXT, 30),
    Column("Причина", Kind.TEXT, 30),
    Column("В очереди, с", Kind.NUMBER, 11),
    Column("На линии, с", Kind.NUMBER, 10),
    Column("Короткий", Kind.FLAG, 9),
    Column("Обратный звонок", Kind.TEXT, 14),
    Column("Заявка", Kind.NUMBER, 8),
    Column("Ответственный", Kind.TEXT, 24),
    Column("Попыток", Kind.NUMBER, 8),
    Column("Последняя попытка", Kind.INSTANT, 18),
    Column("Итог попытки", Kind.TEXT, 14),
    Column("Закрыта", Kind.INSTANT, 18),
    Column("Итог заявки", Kind.TEXT, 30),
)


@dataclass(frozen=True, slots=True)
class MissedFilters:
    """Empty sets: no filter. ``None`` among the topics: calls without a topic."""

    reasons: frozenset[MissedReason] = frozenset()
    topics: frozenset[Topic | None] = frozenset()
    callbacks: frozenset[CallbackState] = frozenset()
    short: ShortCalls = ShortCalls.ALL


def missed_filters(values: FilterValues) -> MissedFilters:
    return MissedFilters(
        reasons=chosen(values, REASON, "причина", {r.value: r for r in MissedReason}),
        topics=chosen(values, TOPIC, "тема", TOPIC_CHOICES),
        callbacks=chosen(values, CALLBACK, "обратный звонок", {s.value: s for s in CallbackState}),
        short=one_of(values, SHORT, "короткие звонки", ShortCalls, ShortCalls.ALL),
    )


@dataclass(frozen=True, slots=True)
class MissedRow:
    arrived_at: datetime  # local
    caller: str
    topic: str
    reason: str
    queue_wait_s: float | None
    in_line_s: float | None
    short: bool
    callback: str
    task_id: int | None
    owner: str
    attempts: int | None
    last_attempt_at: datetime | None
    last_attempt: str
    closed_at: datetime | None
    result_note: str

    def cells(self) -> Row:
        return (
            self.arrived_at,
            self.caller,
            self.topic,
            self.reason,
            self.queue_wait_s,
            self.in_line_s,
            self.short,
            self.callback,
            self.task_id,
            self.owner,
            self.attempts,
            self.last_attempt_at,
            self.last_attempt,
            self.closed_at,
            self.result_note,
        )


@dataclass(slots=True)
class MissedTally:
    total: int = 0
    short: int = 0
    by_reason: Counter[MissedReason] = field(default_factory=Counter)
    by_callback: Counter[CallbackState] = field(default_factory=Counter)
    hours: HourCounts = field(default_factory=HourCounts)


@dataclass(frozen=True, slots=True)
class MissedReport:
    """The report for one period and filters (a ``reports.report.ReportQuery``)."""

    period: Period
    filters: MissedFilters
    tz: ZoneInfo
    columns: tuple[Column, ...] = COLUMNS

    def tally(self, session: Session) -> MissedTally:
        return missed_tally(session, self)

    def page(self, session: Session, *, offset: int, limit: int) -> list[MissedRow]:
        return list(missed_rows(session, self, offset=offset, limit=limit))

    def rows(self, session: Session) -> Iterator[Row]:
        return (row.cells() for row in missed_rows(session, self))

    def sheets(self, session: Session) -> list[Sheet]:
        return tally_sheets(self.tally(session), self.period, self.tz)

    def describe(self) -> str:
        f = self.filters
        parts = [f"since={self.period.since} until={self.period.until}"]
        for name, chosen_values in (
            (REASON, [r.value for r in f.reasons]),
            (TOPIC, [t.value if t else NO_TOPIC for t in f.topics]),
            (CALLBACK, [s.value for s in f.callbacks]),
        ):
            if chosen_values:
                parts.append(f"{name}={','.join(sorted(chosen_values))}")
        if f.short is not ShortCalls.ALL:
            parts.append(f"{SHORT}={f.short.value}")
        return " ".join(parts)


def missed_report(period: Period, values: FilterValues, tz: ZoneInfo) -> MissedReport:
    return MissedReport(period, missed_filters(values), tz)


MISSED = ReportSpec(
    name="missed",
    title="Пропущенные звонки",
    file_stem="missed-calls",
    filters=(REASON, TOPIC, CALLBACK, SHORT),
    query=missed_report,
)


# --------------------------------------------------------------------------- queries


def _conditions(report: MissedReport) -> list[ColumnElement[bool]]:
    start, end = report.period.bounds(report.tz)
    f = report.filters
    found = [
        col(Call.arrived_at) >= start,
        col(Call.arrived_at) < end,
        col(Call.outcome) == CallOutcome.MISSED,
    ]
    if f.reasons:
        found.append(col(Call.missed_reason).in_(sorted(f.reasons)))
    if f.topics:
        found.append(topic_condition(f.topics))
    if f.short is ShortCalls.ONLY:
        found.append(col(Call.short_call).is_(True))
    elif f.short is ShortCalls.WITHOUT:
        found.append(col(Call.short_call).is_(False))
    if f.callbacks:
        statuses = sorted(
            CallbackStatus(s.value) for s in f.callbacks if s is not CallbackState.NONE
        )
        either: list[ColumnElement[bool]] = (
            [col(CallbackTask.status).in_(statuses)] if statuses else []
        )
        if CallbackState.NONE in f.callbacks:
            # Not "IS NULL": SQLite would then read every call without a task (answered ones
            # too) through ix_calls_callback_task_id instead of the period's arrivals.
            either.append(func.coalesce(col(Call.callback_task_id), 0) == 0)
        found.append(or_(*either))
    return found


def _task_join() -> Any:
    return col(CallbackTask.id) == col(Call.callback_task_id)


def _counted_conditions(report: MissedReport) -> list[ColumnElement[bool]]:
    """The report's period and filters on ``missed_counts`` (every filter is a column)."""
    first, past = hour_text_bounds(report.period, report.tz)
    f = report.filters
    found = [col(MissedCount.hour) >= first, col(MissedCount.hour) < past]
    if f.reasons:
        found.append(col(MissedCount.missed_reason).in_(sorted(f.reasons)))
    if f.topics:
        found.append(
            col(MissedCount.topic).in_(sorted(t.value if t else NO_VALUE for t in f.topics))
        )
    if f.short is not ShortCalls.ALL:
        found.append(col(MissedCount.short_call).is_(f.short is ShortCalls.ONLY))
    if f.callbacks:
        found.append(
            col(MissedCount.callback_status).in_(
                sorted(NO_VALUE if s is CallbackState.NONE else s.value for s in f.callbacks)
            )
        )
    return found


def missed_tally(session: Session, report: MissedReport) -> MissedTally:
    """Counts of the missed calls: in all, short, by reason, by callback state, by hour; summed
    from the counts by hour the database keeps (``models.tables.report_counts``), never the
    calls."""
    conditions = _counted_conditions(report)
    reason, short, status = (
        col(MissedCount.missed_reason),
        col(MissedCount.short_call),
        col(MissedCount.callback_status),
    )
    calls = func.sum(col(MissedCount.calls))
    facets = select(reason, short, status, calls).where(*conditions).group_by(reason, short, status)
    tally = MissedTally()
    for reason_value, short_value, status_value, count in session.execute(facets):
        tally.total += count
        tally.short += count if short_value else 0
        tally.by_reason[MissedReason(reason_value or MissedReason.UNKNOWN)] += count
        tally.by_callback[CallbackState(status_value or CallbackState.NONE)] += count
    hour = col(MissedCount.hour)
    tally.hours = HourCounts.of(
        session.execute(select(hour, calls).where(*conditions).group_by(hour))
    )
    return tally


def missed_rows(
    session: Session, report: MissedReport, *, offset: int = 0, limit: int | None = None
) -> Iterator[MissedRow]:
    """The missed calls in order of arrival, from ``offset``, at most ``limit`` (all: None)."""
    query = (
        select(
            col(Call.arrived_at),
            col(Call.caller_e164),
            col(Call.caller_number),
            col(Call.topic),
            col(Call.missed_reason),
            col(Call.queue_wait_s),
            col(Call.ended_at),
            col(Call.short_call),
            col(Call.callback_task_id),
            col(CallbackTask.status),
            col(CallbackTask.closed_at),
            col(CallbackTask.result_note),
            col(Employee.full_name),
        )
        .select_from(Call)
        .outerjoin(CallbackTask, _task_join())
        .outerjoin(Employee, col(Employee.id) == col(CallbackTask.owner_id))
        .where(*_conditions(report))
        .order_by(col(Call.arrived_at), col(Call.id))
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    tz = report.tz
    for batch in batches(session.execute(query)):
        task_ids = [row[8] for row in batch if row[8] is not None]
        attempts = attempts_by_task(session, task_ids)
        for (
            arrived_at,
            caller_e164,
            caller_number,
            topic,
            reason,
            queue_wait_s,
            ended_at,
            short,
            task_id,
            status,
            closed_at,
            result_note,
            owner,
        ) in batch:
            tried = attempts.get(task_id, []) if task_id is not None else []
            last = tried[-1] if tried else None
            yield MissedRow(
                arrived_at=arrived_at.astimezone(tz),
                caller=caller_e164 or caller_number,
                topic=TOPIC_LABELS_RU[topic] if topic else NO_TOPIC_LABEL_RU,
                reason=MISSED_REASON_LABELS_RU[reason or MissedReason.UNKNOWN],
                queue_wait_s=_seconds(queue_wait_s),
                in_line_s=_seconds((ended_at - arrived_at).total_seconds()) if ended_at else None,
                short=bool(short),
                callback=CALLBACK_STATE_LABELS_RU[
                    CallbackState(status.value) if status else CallbackState.NONE
                ],
                task_id=task_id,
                owner=owner or "",
                attempts=len(tried) if task_id is not None else None,
                last_attempt_at=last.at.astimezone(tz) if last else None,
                last_attempt=ATTEMPT_RESULT_LABELS_RU[last.result] if last else "",
                closed_at=closed_at.astimezone(tz) if closed_at else None,
                result_note=result_note or "",
            )


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --------------------------------------------------------------------------- totals


COUNT_COLUMN = Column("Пропущено", Kind.NUMBER, 12)


def tally_sheets(tally: MissedTally, period: Period, tz: ZoneInfo) -> list[Sheet]:
    """The figures of the page's charts and totals, one sheet each."""
    days: list[Row] = list(tally.hours.by_day(period, tz))
    hours: list[Row] = [
        (f"{hour:02d}:00–{hour + 1:02d}:00", n) for hour, n in tally.hours.by_hour_of_day(tz)
    ]
    totals: list[Row] = [("Всего", tally.total), ("Из них коротких", tally.short)]
    totals += [(MISSED_REASON_LABELS_RU[r], tally.by_reason[r]) for r in MissedReason]
    totals += [
        (f"Обратный звонок: {CALLBACK_STATE_LABELS_RU[s]}", tally.by_callback[s])
        for s in CallbackState
    ]
    return [
        Sheet("По дням", (Column("Дата", Kind.DATE, 12), COUNT_COLUMN), days),
        Sheet("По часам суток", (Column("Час", Kind.TEXT, 14), COUNT_COLUMN), hours),
        Sheet("Итоги", (Column("Показатель", Kind.TEXT, 48), COUNT_COLUMN), totals),
    ]
