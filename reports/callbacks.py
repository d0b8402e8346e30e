"""Callbacks (C11): every callback task created in the period, whether its promised date was
kept, its attempts, owner and outcome; totals, attempts per task, figures per owner, and the
tasks of each day kept or missed.

The promise (``models.rules.callbacks``): the answer is due by the end of the promised day's
working hours (:func:`~models.rules.callbacks.answer_deadline`). A task's term is

* **kept** — a successful attempt («Дозвонились») by that deadline, or the task closed as done
  by it;
* **missed** — not kept, and the deadline has passed or the task was closed otherwise (failed,
  or done too late);
* **open** — still open or in progress, the deadline not reached yet;
* **cancelled** — cancelled before it was kept (the client called again, a duplicate).

**Overdue now** is :func:`~models.rules.callbacks.is_overdue`: open or in progress while the
deadline has passed, whatever was tried.

Tasks are selected by their creation instant (``ix_callback_tasks_requested_at``). The
deadline of each promised date comes from the line's calendar in Python (a few hundred dates a
year at most) and reaches the database as one ``CASE`` on ``promised_on``, so the terms are
decided and counted by the database with GROUP BY; rows are read a page or a batch at a time.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, null, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models.calendar_store import load_calendar
from models.exports import BATCH, attempts_by_task, batches
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import (
    ACTIVE_STATUSES,
    CALLBACK_STATUS_LABELS_RU,
    CallbackStatus,
    answer_deadline,
)
from models.settings import Settings
from models.tables import AttemptResult, CallbackAttempt, CallbackSource, CallbackTask, Employee
from models.tables.callbacks import ATTEMPT_RESULT_LABELS_RU
from models.tables.clients import Client
from models.types import UtcDateTime
from reports.charts import Stack, StackedSeries
from reports.hours import WEEKDAYS_RU, HourCounts, utc_hour
from reports.inputs import FilterValues, InputError, chosen
from reports.period import Period
from reports.report import ReportSpec
from reports.table import Column, Kind, Row, Sheet


class Term(StrEnum):
    KEPT = "kept"
    MISSED = "missed"
    OPEN = "open"
    CANCELLED = "cancelled"


TERM_LABELS_RU: dict[Term, str] = {
    Term.KEPT: "В срок",
    Term.MISSED: "Срок нарушен",
    Term.OPEN: "Срок не наступил",
    Term.CANCELLED: "Отменена",
}
SOURCE_LABELS_RU: dict[CallbackSource, str] = {
    CallbackSource.MISSED_CALL: "Пропущенный звонок",
    CallbackSource.AFTER_HOURS: "Заявка в голосовом меню",
    CallbackSource.OPERATOR: "Карточка звонка",
    CallbackSource.TRANSFER_CAP: "Вместо третьего перевода",
}

# The filters' names in the query string and on the command line.
OWNER, STATUS, TERM = "owner", "status", "term"
NO_OWNER = "none"  # tasks nobody has taken
NO_OWNER_LABEL_RU = "Без ответственного"
_OWNER_WHAT = "ответственный"
_INTERNAL_NUMBER_MAX = 8  # models.tables.staff.Employee.internal_number

COLUMNS: tuple[Column, ...] = (
    Column("Заявка", Kind.NUMBER, 8),
    Column("Создана", Kind.INSTANT, 18),
    Column("Номер", Kind.PHONE, 15),
    Column("Клиент", Kind.TEXT, 28),
    Column("Источник", Kind.TEXT, 24),
    Column("Обещано на", Kind.DATE, 11),
    Column("Срок", Kind.TEXT, 16),
    Column("Просрочена сейчас", Kind.FLAG, 10),
    Column("Попыток", Kind.NUMBER, 8),
    Column("Попытки", Kind.TEXT, 40),
    Column("Дозвонились", Kind.INSTANT, 18),
    Column("Ответственный", Kind.TEXT, 24),
    Column("Состояние", Kind.TEXT, 13),
    Column("Закрыта", Kind.INSTANT, 18),
    Column("Итог", Kind.TEXT, 30),
)


@dataclass(frozen=True, slots=True)
class CallbacksFilters:
    """Empty sets: no filter. Owners by internal number; ``none``: tasks without an owner."""

    owners: frozenset[str] = frozenset()
    statuses: frozenset[CallbackStatus] = frozenset()
    terms: frozenset[Term] = frozenset()


def callbacks_filters(values: FilterValues) -> CallbacksFilters:
    owners: set[str] = set()
    for value in values.get(OWNER, ()):
        text = value.strip()
        if not text:
            continue
        if text != NO_OWNER and not (text.isdigit() and len(text) <= _INTERNAL_NUMBER_MAX):
            raise InputError(_unknown_owner(text), OWNER)
        owners.add(text)
    return CallbacksFilters(
        owners=frozenset(owners),
        statuses=chosen(values, STATUS, "состояние", {s.value: s for s in CallbackStatus}),
        terms=chosen(values, TERM, "срок", {t.value: t for t in Term}),
    )


def _unknown_owner(text: str) -> str:
    shown = text if len(text) <= 20 else text[:20] + "…"
    return (
        f"Неизвестное значение «{shown}» фильтра «{_OWNER_WHAT}»; возможные: внутренние номера "
        f"сотрудников из справочника и {NO_OWNER} (без ответственного)."
    )


@dataclass(frozen=True, slots=True)
class CallbackRow:
    task_id: int
    requested_at: datetime  # local
    phone: str
    client: str
    source: str
    promised_on: date
    term: str
    overdue: bool
    attempts: int
    tried: str  # "06.10 10:00 не ответил; 06.10 14:00 дозвонились"
    reached_at: datetime | None  # the first successful attempt, local
    owner: str
    status: str
    closed_at: datetime | None
    result_note: str

    def cells(self) -> Row:
        return (
            self.task_id,
            self.requested_at,
            self.phone,
            self.client,
            self.source,
            self.promised_on,
            self.term,
            self.overdue,
            self.attempts,
            self.tried,
            self.reached_at,
            self.owner,
            self.status,
            self.closed_at,
            self.result_note,
        )


@dataclass(slots=True)
class OwnerFigures:
    tasks: int = 0
    kept: int = 0
    missed: int = 0
    attempts: int = 0


@dataclass(slots=True)
class CallbacksTally:
    total: int = 0
    by_term: Counter[Term] = field(default_factory=Counter)
    overdue: int = 0
    attempts: int = 0
    by_attempts: Counter[int] = field(default_factory=Counter)  # attempts made → tasks
    results: Counter[AttemptResult] = field(default_factory=Counter)
    owners: dict[str, OwnerFigures] = field(default_factory=dict)  # by name, "" for none
    days: dict[Term, HourCounts] = field(default_factory=dict)

    @property
    def average_attempts(self) -> float:
        return round(self.attempts / self.total, 2) if self.total else 0.0


@dataclass(frozen=True, slots=True)
class CallbacksReport:
    """The report for one period and filters (a ``reports.report.ReportQuery``); it runs once
    :meth:`prepared` has given it the instant and the line's calendar."""

    period: Period
    filters: CallbacksFilters
    tz: ZoneInfo
    columns: tuple[Column, ...] = COLUMNS
    now: datetime | None = None
    calendar: ProductionCalendar | None = None
    owner_ids: frozenset[int] = frozenset()  # the owners filter, resolved

    def prepared(self, session: Session, now: datetime, settings: Settings) -> CallbacksReport:
        """With the instant, the calendar and the owners looked up; an internal number of
        nobody in the directory is refused."""
        numbers = sorted(self.filters.owners - {NO_OWNER})
        found: dict[str, int] = {}
        if numbers:
            query = select(col(Employee.internal_number), col(Employee.id)).where(
                col(Employee.internal_number).in_(numbers)
            )
            found = {number: id_ for number, id_ in session.execute(query)}
        for number in numbers:
            if number not in found:
                raise InputError(_unknown_owner(number), OWNER)
        return dataclasses.replace(
            self,
            now=now,
            calendar=load_calendar(session=session, settings=settings),
            owner_ids=frozenset(found.values()),
        )

    def tally(self, session: Session) -> CallbacksTally:
        return callbacks_tally(session, self)

    def page(self, session: Session, *, offset: int, limit: int) -> list[CallbackRow]:
        return list(callback_rows(session, self, offset=offset, limit=limit))

    def rows(self, session: Session) -> Iterator[Row]:
        return (row.cells() for row in callback_rows(session, self))

    def sheets(self, session: Session) -> list[Sheet]:
        return tally_sheets(self.tally(session), self.period, self.tz)

    def describe(self) -> str:
        f = self.filters
        parts = [f"since={self.period.since} until={self.period.until}"]
        for name, chosen_values in (
            (OWNER, list(f.owners)),
            (STATUS, [s.value for s in f.statuses]),
            (TERM, [t.value for t in f.terms]),
        ):
            if chosen_values:
                parts.append(f"{name}={','.join(sorted(chosen_values))}")
        return " ".join(parts)


def callbacks_report(period: Period, values: FilterValues, tz: ZoneInfo) -> CallbacksReport:
    return CallbacksReport(period, callbacks_filters(values), tz)


CALLBACKS = ReportSpec(
    name="callbacks",
    title="Обратные звонки",
    file_stem="callbacks",
    filters=(OWNER, STATUS, TERM),
    query=callbacks_report,
)


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class _TaskFacts:
    """Per task, as SQL: its term, whether it is overdue now, attempts and first success; the
    attempts come from ``tried``, grouped by task once (:meth:`joined` adds it)."""

    term: ColumnElement[str]
    overdue: ColumnElement[int]
    attempts: Any
    reached_at: Any
    tried: Any

    def joined(self, query: Any) -> Any:
        return query.outerjoin(self.tried, self.tried.c.task_id == col(CallbackTask.id))


def _in_period(report: CallbacksReport) -> list[ColumnElement[bool]]:
    start, end = report.period.bounds(report.tz)
    return [col(CallbackTask.requested_at) >= start, col(CallbackTask.requested_at) < end]


def _task_facts(session: Session, report: CallbacksReport) -> _TaskFacts:
    if report.now is None or report.calendar is None:
        raise RuntimeError("the callback report runs once prepared (reports.report.prepare)")
    calendar, now = report.calendar, report.now
    promised = session.execute(
        select(col(CallbackTask.promised_on))
        .where(*_in_period(report))
        .group_by(col(CallbackTask.promised_on))
    ).scalars()
    deadlines = {day: literal(answer_deadline(day, calendar), UtcDateTime()) for day in promised}
    deadline: Any = (
        case(deadlines, value=col(CallbackTask.promised_on))
        if deadlines
        else null().cast(UtcDateTime())
    )
    # The promised day's end is later for a later day, so "the deadline has passed" is "the
    # promised day is at most the last day whose end has passed": one comparison of dates.
    today = now.astimezone(calendar.tz).date()
    last_due = today if answer_deadline(today, calendar) <= now else today - timedelta(days=1)
    due = col(CallbackTask.promised_on) <= last_due
    attempt = col(CallbackAttempt.at)
    tried = (
        select(
            col(CallbackAttempt.task_id).label("task_id"),
            func.count().label("attempts"),
            func.min(case((col(CallbackAttempt.result) == AttemptResult.ANSWERED, attempt))).label(
                "reached_at"
            ),
        )
        .join(CallbackTask, col(CallbackTask.id) == col(CallbackAttempt.task_id))
        .where(*_in_period(report))
        .group_by(col(CallbackAttempt.task_id))
        .subquery("tried")
    )
    reached_at = tried.c.reached_at
    status = col(CallbackTask.status)
    active = status.in_(sorted(ACTIVE_STATUSES))
    term = case(
        (reached_at <= deadline, literal(Term.KEPT.value)),
        (
            and_(status == CallbackStatus.DONE, col(CallbackTask.closed_at) <= deadline),
            literal(Term.KEPT.value),
        ),
        (status == CallbackStatus.CANCELLED, literal(Term.CANCELLED.value)),
        (and_(active, ~due), literal(Term.OPEN.value)),
        else_=literal(Term.MISSED.value),
    )
    overdue = case((and_(active, due), 1), else_=0)
    return _TaskFacts(
        term=term,
        overdue=overdue,
        attempts=func.coalesce(tried.c.attempts, 0),
        reached_at=reached_at,
        tried=tried,
    )


def _conditions(report: CallbacksReport, facts: _TaskFacts) -> list[ColumnElement[bool]]:
    f = report.filters
    found = _in_period(report)
    if f.statuses:
        found.append(col(CallbackTask.status).in_(sorted(f.statuses)))
    if f.owners:
        either: list[ColumnElement[bool]] = []
        if report.owner_ids:
            either.append(col(CallbackTask.owner_id).in_(sorted(report.owner_ids)))
        if NO_OWNER in f.owners:
            either.append(col(CallbackTask.owner_id).is_(None))
        found.append(or_(*either))
    if f.terms:
        found.append(facts.term.in_(sorted(t.value for t in f.terms)))
    return found


def callbacks_tally(session: Session, report: CallbacksReport) -> CallbacksTally:
    """Counts of the tasks: by term, overdue now, attempts, per owner, per day; and the
    attempts' results. Each a GROUP BY over one row per task (a subquery)."""
    facts = _task_facts(session, report)
    hour = utc_hour(col(CallbackTask.requested_at), session.get_bind().dialect.name)
    tasks = (
        facts.joined(
            select(
                col(CallbackTask.id).label("id"),
                facts.term.label("term"),
                facts.overdue.label("overdue"),
                facts.attempts.label("attempts"),
                col(CallbackTask.owner_id).label("owner_id"),
                hour.label("hour"),
            ).select_from(CallbackTask)
        )
        .where(*_conditions(report, facts))
        .subquery()
    )
    grouped = select(
        tasks.c.term, tasks.c.overdue, tasks.c.attempts, tasks.c.owner_id, func.count()
    ).group_by(tasks.c.term, tasks.c.overdue, tasks.c.attempts, tasks.c.owner_id)
    tally = CallbacksTally(days={term: HourCounts() for term in Term})
    by_owner: dict[int | None, OwnerFigures] = {}
    for term_text, overdue, attempts, owner_id, count in session.execute(grouped):
        term = Term(term_text)
        tally.total += count
        tally.by_term[term] += count
        tally.overdue += count if overdue else 0
        tally.attempts += attempts * count
        tally.by_attempts[attempts] += count
        figures = by_owner.setdefault(owner_id, OwnerFigures())
        figures.tasks += count
        figures.kept += count if term is Term.KEPT else 0
        figures.missed += count if term is Term.MISSED else 0
        figures.attempts += attempts * count
    names = _names(session, [owner for owner in by_owner if owner is not None])
    tally.owners = {
        names.get(owner, "") if owner is not None else "": figures
        for owner, figures in sorted(
            by_owner.items(), key=lambda item: (item[0] is None, names.get(item[0] or 0, ""))
        )
    }
    daily = select(tasks.c.hour, tasks.c.term, func.count()).group_by(tasks.c.hour, tasks.c.term)
    for hour_text, term_text, count in session.execute(daily):
        tally.days[Term(term_text)].add(hour_text, count)
    results = (
        select(col(CallbackAttempt.result), func.count())
        .join(tasks, tasks.c.id == col(CallbackAttempt.task_id))
        .group_by(col(CallbackAttempt.result))
    )
    tally.results = Counter({result: count for result, count in session.execute(results)})
    return tally


def _names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(col(Employee.id), col(Employee.full_name)).where(col(Employee.id).in_(ids))
    return {id_: name for id_, name in session.execute(query)}


def callback_rows(
    session: Session, report: CallbacksReport, *, offset: int = 0, limit: int | None = None
) -> Iterator[CallbackRow]:
    """The tasks in order of creation, from ``offset``, at most ``limit`` (all: None)."""
    facts = _task_facts(session, report)
    query = (
        select(
            col(CallbackTask.id),
            col(CallbackTask.requested_at),
            col(CallbackTask.phone_e164),
            col(Client.full_name),
            col(CallbackTask.source),
            col(CallbackTask.promised_on),
            facts.term,
            facts.overdue,
            facts.reached_at,
            col(Employee.full_name),
            col(CallbackTask.status),
            col(CallbackTask.closed_at),
            col(CallbackTask.result_note),
        )
        .select_from(CallbackTask)
        .outerjoin(facts.tried, facts.tried.c.task_id == col(CallbackTask.id))
        .outerjoin(Client, col(Client.id) == col(CallbackTask.client_id))
        .outerjoin(Employee, col(Employee.id) == col(CallbackTask.owner_id))
        .where(*_conditions(report, facts))
        .order_by(col(CallbackTask.requested_at), col(CallbackTask.id))
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    tz = report.tz
    for batch in batches(session.execute(query)):
        attempts = attempts_by_task(session, [row[0] for row in batch])
        for (
            task_id,
            requested_at,
            phone,
            client,
            source,
            promised_on,
            term,
            overdue,
            reached_at,
            owner,
            status,
            closed_at,
            result_note,
        ) in batch:
            tried = attempts.get(task_id, [])
            yield CallbackRow(
                task_id=task_id,
                requested_at=requested_at.astimezone(tz),
                phone=phone,
                client=client or "",
                source=SOURCE_LABELS_RU[source],
                promised_on=promised_on,
                term=TERM_LABELS_RU[Term(term)],
                overdue=bool(overdue),
                attempts=len(tried),
                tried="; ".join(
                    f"{a.at.astimezone(tz):%d.%m %H:%M} "
                    f"{ATTEMPT_RESULT_LABELS_RU[a.result].lower()}"
                    for a in tried
                ),
                reached_at=reached_at.astimezone(tz) if reached_at else None,
                owner=owner or "",
                status=CALLBACK_STATUS_LABELS_RU[status],
                closed_at=closed_at.astimezone(tz) if closed_at else None,
                result_note=result_note,
            )


# --------------------------------------------------------------------------- totals


def day_series(tally: CallbacksTally, period: Period, tz: ZoneInfo) -> StackedSeries:
    kept = tally.days[Term.KEPT].by_day(period, tz)
    missed = tally.days[Term.MISSED].by_day(period, tz)
    stacks = tuple(
        Stack(
            label=f"{day:%d.%m}",
            name=f"{day:%d.%m.%Y}, {WEEKDAYS_RU[day.weekday()]}",
            values=(k, m),
        )
        for (day, k), (_, m) in zip(kept, missed, strict=True)
    )
    return StackedSeries(
        key="by-day",
        title=f"Заявки по дням создания: в срок и с нарушенным сроком, {period.label()}",
        parts=(("kept", TERM_LABELS_RU[Term.KEPT]), ("missed", TERM_LABELS_RU[Term.MISSED])),
        stacks=stacks,
        noun="Заявок",
    )


TASKS_COLUMN = Column("Заявок", Kind.NUMBER, 10)


def owner_sheet(tally: CallbacksTally) -> Sheet:
    rows: list[Row] = [
        (name or NO_OWNER_LABEL_RU, f.tasks, f.kept, f.missed, f.attempts)
        for name, f in tally.owners.items()
    ]
    columns = (
        Column("Ответственный", Kind.TEXT, 36),
        TASKS_COLUMN,
        Column(TERM_LABELS_RU[Term.KEPT], Kind.NUMBER, 10),
        Column(TERM_LABELS_RU[Term.MISSED], Kind.NUMBER, 14),
        Column("Попыток", Kind.NUMBER, 10),
    )
    return Sheet("По ответственным", columns, rows)


def tally_sheets(tally: CallbacksTally, period: Period, tz: ZoneInfo) -> list[Sheet]:
    """The figures of the page's chart and totals, one sheet each."""
    by_day = {term: dict(tally.days[term].by_day(period, tz)) for term in Term}
    days: list[Row] = [
        (day, *(by_day[term][day] for term in Term), sum(by_day[term][day] for term in Term))
        for day in period.dates()
    ]
    attempts: list[Row] = [(n, tasks) for n, tasks in sorted(tally.by_attempts.items())]
    totals: list[Row] = [("Всего заявок", tally.total)]
    totals += [(TERM_LABELS_RU[term], tally.by_term[term]) for term in Term]
    totals += [
        ("Просрочены сейчас", tally.overdue),
        ("Попыток всего", tally.attempts),
        ("Попыток на заявку в среднем", tally.average_attempts),
    ]
    totals += [
        (f"Попытки: {ATTEMPT_RESULT_LABELS_RU[r].lower()}", tally.results[r]) for r in AttemptResult
    ]
    return [
        Sheet(
            "По дням",
            (
                Column("Дата", Kind.DATE, 12),
                *(Column(TERM_LABELS_RU[term], Kind.NUMBER, 16) for term in Term),
                Column("Всего", Kind.NUMBER, 10),
            ),
            days,
        ),
        owner_sheet(tally),
        Sheet("Попытки", (Column("Попыток", Kind.NUMBER, 10), TASKS_COLUMN), attempts),
        Sheet(
            "Итоги",
            (Column("Показатель", Kind.TEXT, 36), Column("Значение", Kind.NUMBER, 12)),
            totals,
        ),
    ]
