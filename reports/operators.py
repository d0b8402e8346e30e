"""Operators: per employee with the operator role, the calls they answered in the period, their
talk time, the wrap-ups they still owe, and their training today (C4).

* **answered** — calls that arrived in the period and were answered by the operator
  (``calls.operator_id``: the first operator to answer; a call transferred on stays theirs);
* **talk time** — the sum of those calls' ``talk_s`` (time with queue members), in minutes; the
  average is over the answered calls whose talk time is known, in seconds;
* **without a wrap-up** — those calls that have ended with neither a wrap-up nor a dismissal
  (``call_card.wrapups.owes_wrapup``, the card's own definition), as of now;
* **training** — ``reports.training_state``, as of today (not the period's end): who may go
  "ready" today and who is due.

An operator is listed while active, and after that for any period in which they answered. The
database counts the calls (:func:`call_figures`: two queries grouped by operator, over the
arrival index); operators, departments, services and training records are a few hundred rows
at most, read whole.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from call_card.wrapups import owes_wrapup
from models.rules.training import TrainingRecord
from models.settings import Settings
from models.tables import (
    Call,
    Department,
    Employee,
    EmployeeRole,
    Role,
    ServiceIntroduction,
    TrainingEntry,
)
from reports.charts import Bar, Series
from reports.inputs import FilterValues, chosen
from reports.period import Period
from reports.report import ReportSpec
from reports.table import Column, Kind, Row, Sheet
from reports.training_state import (
    TRAINING_STATE_LABELS_RU,
    Service,
    TrainingState,
    TrainingView,
    training_view,
)

# The filters' names in the query string and on the command line.
DEPARTMENT, TRAINING = "department", "training"

COLUMNS: tuple[Column, ...] = (
    Column("Оператор", Kind.TEXT, 34),
    Column("Номер", Kind.TEXT, 8),
    Column("Отдел", Kind.TEXT, 30),
    Column("Принято звонков", Kind.NUMBER, 10),
    Column("Разговор всего, мин", Kind.NUMBER, 11),
    Column("Разговор в среднем, с", Kind.NUMBER, 11),
    Column("Без итога", Kind.NUMBER, 9),
    Column("Обучение", Kind.TEXT, 30),
    Column("Дата обучения: срок", Kind.DATE, 12),
    Column("Новая услуга", Kind.TEXT, 40),
    Column("Последнее обучение", Kind.DATE, 12),
)


@dataclass(frozen=True, slots=True)
class Operator:
    employee_id: int
    full_name: str
    internal_number: str
    department: str
    active: bool


@dataclass(frozen=True, slots=True)
class CallFigures:
    answered: int = 0
    talk_s: float = 0.0
    talk_known: int = 0  # answered calls whose talk time is known
    without_wrapup: int = 0


@dataclass(frozen=True, slots=True)
class OperatorRow:
    operator: Operator
    calls: CallFigures
    training: TrainingView

    @property
    def talk_total_min(self) -> float:
        return round(self.calls.talk_s / 60, 1)

    @property
    def talk_average_s(self) -> float | None:
        known = self.calls.talk_known
        return round(self.calls.talk_s / known, 1) if known else None

    def cells(self) -> Row:
        training, service = self.training, self.training.service
        return (
            self.operator.full_name,
            self.operator.internal_number,
            self.operator.department,
            self.calls.answered,
            self.talk_total_min,
            self.talk_average_s,
            self.calls.without_wrapup,
            TRAINING_STATE_LABELS_RU[training.state],
            training.on,
            service.title if service else "",
            training.last_training_on,
        )


@dataclass(frozen=True, slots=True)
class OperatorsReport:
    """The report for one period and filters (a ``reports.report.ReportQuery``)."""

    period: Period
    departments: frozenset[str]  # codes; empty: every department
    training: frozenset[TrainingState]  # empty: every state
    tz: ZoneInfo
    today: date | None = None  # the line's date the training is stated for, once prepared
    columns: tuple[Column, ...] = COLUMNS

    def prepared(self, session: Session, now: datetime, settings: Settings) -> OperatorsReport:
        """As of the line's date at ``now``."""
        return dataclasses.replace(self, today=now.astimezone(self.tz).date())

    def listing(self, session: Session) -> list[OperatorRow]:
        return operator_rows(session, self)

    def rows(self, session: Session) -> Iterator[Row]:
        return (row.cells() for row in self.listing(session))

    def sheets(self, session: Session) -> list[Sheet]:
        return tally_sheets(self.listing(session))

    def describe(self) -> str:
        parts = [f"since={self.period.since} until={self.period.until}"]
        if self.departments:
            parts.append(f"{DEPARTMENT}={','.join(sorted(self.departments))}")
        if self.training:
            parts.append(f"{TRAINING}={','.join(sorted(s.value for s in self.training))}")
        return " ".join(parts)


def department_names(session: Session) -> dict[str, str]:
    """Every department, code to name, in order of name."""
    found = session.exec(select(Department.code, Department.name).order_by(col(Department.name)))
    return dict(found.all())


def operators_report(
    period: Period, values: FilterValues, tz: ZoneInfo, today: date | None = None
) -> OperatorsReport:
    """The report asked for, as of ``today`` (else of the day :meth:`OperatorsReport.prepared`
    gives it); the department codes are checked by :func:`check_departments`."""
    return OperatorsReport(
        period=period,
        departments=frozenset(v.strip() for v in values.get(DEPARTMENT, ()) if v.strip()),
        training=chosen(values, TRAINING, "обучение", {s.value: s for s in TrainingState}),
        tz=tz,
        today=today,
    )


def check_departments(session: Session, values: FilterValues) -> None:
    """Every department asked for is in the staff directory (``ReportSpec.check``)."""
    chosen(values, DEPARTMENT, "отдел", {code: code for code in department_names(session)})


OPERATORS = ReportSpec(
    name="operators",
    title="Операторы",
    file_stem="operators",
    filters=(DEPARTMENT, TRAINING),
    query=operators_report,
    check=check_departments,
)


# --------------------------------------------------------------------------- queries


def operators(session: Session, departments: frozenset[str] = frozenset()) -> list[Operator]:
    """Employees with the operator role (in these departments), by name."""
    query = (
        select(Employee, col(Department.code), col(Department.name))
        .join(Department, col(Department.id) == col(Employee.department_id))
        .join(EmployeeRole, col(EmployeeRole.employee_id) == col(Employee.id))
        .where(col(EmployeeRole.role) == Role.OPERATOR)
        .order_by(col(Employee.full_name), col(Employee.internal_number))
    )
    if departments:
        query = query.where(col(Department.code).in_(sorted(departments)))
    found = []
    for employee, _code, department in session.exec(query):
        assert employee.id is not None
        found.append(
            Operator(
                employee.id,
                employee.full_name,
                employee.internal_number,
                department,
                employee.active,
            )
        )
    return found


def call_figures(session: Session, period: Period, tz: ZoneInfo) -> dict[int, CallFigures]:
    """The answered calls of the period by operator, counted by the database: one query for
    the calls and talk time, one for the calls owing a wrap-up (the card's own condition in
    WHERE, which PostgreSQL runs as an anti-join rather than two lookups a call)."""
    start, end = period.bounds(tz)
    arrived = (col(Call.arrived_at) >= start, col(Call.arrived_at) < end)
    operator = col(Call.operator_id)
    answered = (
        sql_select(
            operator,
            func.count(),
            func.coalesce(func.sum(col(Call.talk_s)), 0.0),
            func.count(col(Call.talk_s)),
        )
        .where(*arrived, col(Call.answered_at).is_not(None), operator.is_not(None))
        .group_by(operator)
    )
    owed = sql_select(operator, func.count()).where(*arrived, owes_wrapup()).group_by(operator)
    without = {operator_id: int(count) for operator_id, count in session.execute(owed)}
    return {
        operator_id: CallFigures(int(count), float(talk), int(known), without.get(operator_id, 0))
        for operator_id, count, talk, known in session.execute(answered)
    }


def training_views(
    session: Session, employee_ids: Sequence[int], today: date
) -> dict[int, TrainingView]:
    records: defaultdict[int, list[TrainingRecord]] = defaultdict(list)
    entries = session.exec(
        select(TrainingEntry).where(col(TrainingEntry.employee_id).in_(list(employee_ids)))
    )
    for entry in entries:
        records[entry.employee_id].append(TrainingRecord(entry.kind, entry.completed_on))
    services = [
        Service(row.code, row.title, row.introduced_on)
        for row in session.exec(select(ServiceIntroduction))
    ]
    return {
        employee_id: training_view(records[employee_id], services, today)
        for employee_id in employee_ids
    }


def operator_rows(session: Session, report: OperatorsReport) -> list[OperatorRow]:
    listed = operators(session, report.departments)
    figures = call_figures(session, report.period, report.tz)
    if report.today is None:
        raise RuntimeError("the operators report runs once prepared (ReportSpec.made)")
    trainings = training_views(session, [o.employee_id for o in listed], report.today)
    rows = []
    for operator in listed:
        calls = figures.get(operator.employee_id, CallFigures())
        if not operator.active and not calls.answered:
            continue
        training = trainings[operator.employee_id]
        if report.training and training.state not in report.training:
            continue
        rows.append(OperatorRow(operator, calls, training))
    return rows


# --------------------------------------------------------------------------- totals


@dataclass(frozen=True, slots=True)
class OperatorsTally:
    operators: int
    answered: int
    talk_total_min: float
    talk_average_s: float | None
    without_wrapup: int
    by_training: Counter[TrainingState]


def operators_tally(rows: Sequence[OperatorRow]) -> OperatorsTally:
    talk = sum(row.calls.talk_s for row in rows)
    known = sum(row.calls.talk_known for row in rows)
    return OperatorsTally(
        operators=len(rows),
        answered=sum(row.calls.answered for row in rows),
        talk_total_min=round(talk / 60, 1),
        talk_average_s=round(talk / known, 1) if known else None,
        without_wrapup=sum(row.calls.without_wrapup for row in rows),
        by_training=Counter(row.training.state for row in rows),
    )


def answered_series(rows: Sequence[OperatorRow], period: Period) -> Series:
    bars = tuple(
        Bar(
            label=row.operator.internal_number,
            name=f"{row.operator.full_name} ({row.operator.internal_number})",
            value=row.calls.answered,
        )
        for row in rows
    )
    return Series("answered", f"Принятые звонки по операторам, {period.label()}", bars)


def tally_sheets(rows: Sequence[OperatorRow]) -> list[Sheet]:
    tally = operators_tally(rows)
    figure = Column("Значение", Kind.NUMBER, 12)
    totals: list[Row] = [
        ("Операторов", tally.operators),
        ("Принято звонков", tally.answered),
        ("Разговор всего, мин", tally.talk_total_min),
        ("Разговор в среднем, с", tally.talk_average_s),
        ("Без итога", tally.without_wrapup),
    ]
    totals += [
        (f"Обучение: {TRAINING_STATE_LABELS_RU[s]}", tally.by_training[s]) for s in TrainingState
    ]
    return [Sheet("Итоги", (Column("Показатель", Kind.TEXT, 48), figure), totals)]
