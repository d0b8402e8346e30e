"""Transfers (C9, C10): the calls answered in the period by how many transfers they had, the
third transfers the guard refused, where the transfers went (employee, department, outcome),
and every transfer attempt of the period's calls.

The dialplan's guard records every attempt (``call_transfers``, ``models.line_store``): PENDING
while it is under way, then COMPLETED (the employee answered; for an attended transfer, the
caller was handed over) or FAILED (not answered, the consultation cancelled, or an extension
of nobody in the directory), and REFUSED for a third transfer (C10). A call's
``transfer_count`` is its COMPLETED attempts.

Calls are selected by arrival (``ix_calls_arrived_outcome``), attempts through their call
(``call_transfers (call_id, seq)``); the database counts with GROUP BY, rows are read a page or a
batch at a time. The filters (outcome, the target's department) narrow the attempts; the
calls by number of transfers are all the period's answered calls.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from call_card.labels import TRANSFER_OUTCOME_LABELS_RU
from models.exports import BATCH, batches
from models.rules.missed import CallOutcome
from models.rules.transfers import TransferOutcome
from models.settings import Settings
from models.tables import Call, CallTransfer, Department, Employee, TransferKind
from reports.charts import Bar, Series
from reports.inputs import FilterValues, InputError, chosen
from reports.period import Period
from reports.report import ReportSpec
from reports.table import Column, Kind, Row, Sheet

KIND_LABELS_RU: dict[TransferKind, str] = {
    TransferKind.BLIND: "Без консультации",
    TransferKind.ATTENDED: "С консультацией",
}

# The filters' names in the query string and on the command line.
OUTCOME, DEPARTMENT = "outcome", "department"
NO_DEPARTMENT = "none"  # an extension of nobody in the directory
NO_DEPARTMENT_LABEL_RU = "Нет в справочнике"
_DEPARTMENT_WHAT = "отдел"
_CODE_MAX = 32  # models.tables.staff.Department.code

COLUMNS: tuple[Column, ...] = (
    Column("Звонок поступил", Kind.INSTANT, 18),
    Column("Номер", Kind.PHONE, 15),
    Column("№ перевода", Kind.NUMBER, 8),
    Column("Перевод", Kind.INSTANT, 18),
    Column("От кого", Kind.TEXT, 28),
    Column("Кому", Kind.TEXT, 28),
    Column("Внутренний номер", Kind.TEXT, 10),
    Column("Отдел", Kind.TEXT, 28),
    Column("Вид", Kind.TEXT, 17),
    Column("Исход", Kind.TEXT, 26),
)


@dataclass(frozen=True, slots=True)
class TransfersFilters:
    """Empty sets: no filter. Departments by code; ``none``: an extension of nobody."""

    outcomes: frozenset[TransferOutcome] = frozenset()
    departments: frozenset[str] = frozenset()


def transfers_filters(values: FilterValues) -> TransfersFilters:
    departments: set[str] = set()
    for value in values.get(DEPARTMENT, ()):
        text = value.strip()
        if not text:
            continue
        if len(text) > _CODE_MAX:
            raise InputError(_unknown_department(text), DEPARTMENT)
        departments.add(text)
    return TransfersFilters(
        outcomes=chosen(values, OUTCOME, "исход", {o.value: o for o in TransferOutcome}),
        departments=frozenset(departments),
    )


def _unknown_department(text: str) -> str:
    shown = text if len(text) <= 20 else text[:20] + "…"
    return (
        f"Неизвестное значение «{shown}» фильтра «{_DEPARTMENT_WHAT}»; возможные: коды отделов "
        f"из справочника и {NO_DEPARTMENT} (номер не из справочника)."
    )


@dataclass(frozen=True, slots=True)
class TransferRow:
    arrived_at: datetime  # the call's, local
    caller: str
    seq: int
    at: datetime  # the attempt's, local
    from_name: str
    to_name: str
    to_extension: str
    department: str
    kind: str
    outcome: str

    def cells(self) -> Row:
        return (
            self.arrived_at,
            self.caller,
            self.seq,
            self.at,
            self.from_name,
            self.to_name,
            self.to_extension,
            self.department,
            self.kind,
            self.outcome,
        )


@dataclass(frozen=True, slots=True)
class TargetFigures:
    """Where transfers went: one employee (or an unknown extension) and its outcomes."""

    name: str
    department: str
    outcomes: Counter[TransferOutcome]


@dataclass(slots=True)
class TransfersTally:
    answered: int = 0  # calls answered in the period
    by_count: Counter[int] = field(default_factory=Counter)  # transfers made → calls
    attempts: int = 0
    by_outcome: Counter[TransferOutcome] = field(default_factory=Counter)
    refused_calls: int = 0  # calls with a refused (third) transfer
    targets: list[TargetFigures] = field(default_factory=list)
    departments: dict[str, Counter[TransferOutcome]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TransfersReport:
    """The report for one period and filters (a ``reports.report.ReportQuery``)."""

    period: Period
    filters: TransfersFilters
    tz: ZoneInfo
    columns: tuple[Column, ...] = COLUMNS
    department_ids: frozenset[int] = frozenset()  # the departments filter, resolved

    def prepared(self, session: Session, now: datetime, settings: Settings) -> TransfersReport:
        """With the departments looked up; a code of no department is refused."""
        codes = sorted(self.filters.departments - {NO_DEPARTMENT})
        found: dict[str, int] = {}
        if codes:
            query = select(col(Department.code), col(Department.id)).where(
                col(Department.code).in_(codes)
            )
            found = {code: id_ for code, id_ in session.execute(query)}
        for code in codes:
            if code not in found:
                raise InputError(_unknown_department(code), DEPARTMENT)
        return dataclasses.replace(self, department_ids=frozenset(found.values()))

    def tally(self, session: Session) -> TransfersTally:
        return transfers_tally(session, self)

    def page(self, session: Session, *, offset: int, limit: int) -> list[TransferRow]:
        return list(transfer_rows(session, self, offset=offset, limit=limit))

    def rows(self, session: Session) -> Iterator[Row]:
        return (row.cells() for row in transfer_rows(session, self))

    def sheets(self, session: Session) -> list[Sheet]:
        return tally_sheets(self.tally(session))

    def describe(self) -> str:
        f = self.filters
        parts = [f"since={self.period.since} until={self.period.until}"]
        for name, chosen_values in (
            (OUTCOME, [o.value for o in f.outcomes]),
            (DEPARTMENT, list(f.departments)),
        ):
            if chosen_values:
                parts.append(f"{name}={','.join(sorted(chosen_values))}")
        return " ".join(parts)


def transfers_report(period: Period, values: FilterValues, tz: ZoneInfo) -> TransfersReport:
    return TransfersReport(period, transfers_filters(values), tz)


TRANSFERS = ReportSpec(
    name="transfers",
    title="Переводы звонков",
    file_stem="transfers",
    filters=(OUTCOME, DEPARTMENT),
    query=transfers_report,
)


# --------------------------------------------------------------------------- queries


def _arrived(report: TransfersReport) -> list[ColumnElement[bool]]:
    start, end = report.period.bounds(report.tz)
    return [col(Call.arrived_at) >= start, col(Call.arrived_at) < end]


def _attempt_conditions(report: TransfersReport) -> list[ColumnElement[bool]]:
    f = report.filters
    found = _arrived(report)
    if f.outcomes:
        found.append(col(CallTransfer.outcome).in_(sorted(f.outcomes)))
    if f.departments:
        either: list[ColumnElement[bool]] = []
        if report.department_ids:
            either.append(col(Employee.department_id).in_(sorted(report.department_ids)))
        if NO_DEPARTMENT in f.departments:
            either.append(col(CallTransfer.to_employee_id).is_(None))
        found.append(or_(*either))
    return found


def transfers_tally(session: Session, report: TransfersReport) -> TransfersTally:
    """The answered calls by transfers made; the attempts by target and outcome."""
    tally = TransfersTally()
    by_count = (
        select(col(Call.transfer_count), func.count())
        .where(*_arrived(report), col(Call.outcome) == CallOutcome.ANSWERED)
        .group_by(col(Call.transfer_count))
    )
    for transfers, count in session.execute(by_count):
        tally.answered += count
        tally.by_count[transfers] += count
    conditions = _attempt_conditions(report)
    by_target = (
        select(
            col(CallTransfer.to_employee_id),
            col(CallTransfer.to_extension),
            col(CallTransfer.outcome),
            func.count(),
        )
        .select_from(CallTransfer)
        .join(Call, col(Call.id) == col(CallTransfer.call_id))
        .outerjoin(Employee, col(Employee.id) == col(CallTransfer.to_employee_id))
        .where(*conditions)
        .group_by(
            col(CallTransfer.to_employee_id),
            col(CallTransfer.to_extension),
            col(CallTransfer.outcome),
        )
    )
    grouped: dict[tuple[int | None, str], Counter[TransferOutcome]] = {}
    for employee_id, extension, outcome, count in session.execute(by_target):
        # An employee is one target whatever extension was dialled; unknown ones by extension.
        key = (employee_id, "" if employee_id is not None else extension)
        grouped.setdefault(key, Counter())[outcome] += count
        tally.attempts += count
        tally.by_outcome[outcome] += count
    people = _people(session, [key[0] for key in grouped if key[0] is not None])
    for (employee_id, extension), outcomes in grouped.items():
        if employee_id is not None:
            name, department = people.get(employee_id, ("", ""))
        else:
            name, department = f"Номер {extension} (нет в справочнике)", NO_DEPARTMENT_LABEL_RU
        tally.targets.append(TargetFigures(name, department, outcomes))
        tally.departments.setdefault(department, Counter()).update(outcomes)
    tally.targets.sort(key=lambda t: (-sum(t.outcomes.values()), t.name))
    tally.departments = dict(sorted(tally.departments.items()))
    refused = (
        select(func.count(distinct(col(CallTransfer.call_id))))
        .select_from(CallTransfer)
        .join(Call, col(Call.id) == col(CallTransfer.call_id))
        .outerjoin(Employee, col(Employee.id) == col(CallTransfer.to_employee_id))
        .where(*conditions, col(CallTransfer.outcome) == TransferOutcome.REFUSED)
    )
    tally.refused_calls = session.execute(refused).scalar_one()
    return tally


def _people(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Employee id → (name, department's name)."""
    if not ids:
        return {}
    query = (
        select(col(Employee.id), col(Employee.full_name), col(Department.name))
        .outerjoin(Department, col(Department.id) == col(Employee.department_id))
        .where(col(Employee.id).in_(sorted(set(ids))))
    )
    return {id_: (name, department or "") for id_, name, department in session.execute(query)}


def transfer_rows(
    session: Session, report: TransfersReport, *, offset: int = 0, limit: int | None = None
) -> Iterator[TransferRow]:
    """The attempts by the calls' arrival, then their order in the call."""
    target = aliased(Department)
    query = (
        select(
            col(Call.id),
            col(Call.arrived_at),
            col(Call.caller_e164),
            col(Call.caller_number),
            col(Call.operator_id),
            col(CallTransfer.seq),
            col(CallTransfer.at),
            col(CallTransfer.from_employee_id),
            col(CallTransfer.to_employee_id),
            col(Employee.full_name),
            col(CallTransfer.to_extension),
            col(target.name),
            col(CallTransfer.kind),
            col(CallTransfer.outcome),
        )
        .select_from(CallTransfer)
        .join(Call, col(Call.id) == col(CallTransfer.call_id))
        .outerjoin(Employee, col(Employee.id) == col(CallTransfer.to_employee_id))
        .outerjoin(target, col(target.id) == col(Employee.department_id))
        .where(*_attempt_conditions(report))
        .order_by(col(Call.arrived_at), col(Call.id), col(CallTransfer.seq))
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    tz = report.tz
    for batch in batches(session.execute(query)):
        handed = _completed_targets(session, sorted({row[0] for row in batch}))
        senders = {row[7] for row in batch} | {row[4] for row in batch}
        senders |= {to for targets in handed.values() for _, to in targets}
        names = {
            id_: name for id_, (name, _) in _people(session, [s for s in senders if s]).items()
        }
        for (
            call_id,
            arrived_at,
            caller_e164,
            caller_number,
            operator_id,
            seq,
            at,
            from_id,
            to_id,
            to_name,
            to_extension,
            department,
            kind,
            outcome,
        ) in batch:
            sender = from_id or _holder(handed.get(call_id, []), seq) or operator_id
            yield TransferRow(
                arrived_at=arrived_at.astimezone(tz),
                caller=caller_e164 or caller_number,
                seq=seq,
                at=at.astimezone(tz),
                from_name=names.get(sender, "") if sender else "",
                to_name=to_name or "",
                to_extension=to_extension,
                department=department or ("" if to_id else NO_DEPARTMENT_LABEL_RU),
                kind=KIND_LABELS_RU[kind],
                outcome=TRANSFER_OUTCOME_LABELS_RU[outcome],
            )


def _completed_targets(session: Session, call_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Per call, (seq, employee) of its completed transfers, in order."""
    query = (
        select(col(CallTransfer.call_id), col(CallTransfer.seq), col(CallTransfer.to_employee_id))
        .where(
            col(CallTransfer.call_id).in_(call_ids),
            col(CallTransfer.outcome) == TransferOutcome.COMPLETED,
            col(CallTransfer.to_employee_id).is_not(None),
        )
        .order_by(col(CallTransfer.call_id), col(CallTransfer.seq))
    )
    found: dict[int, list[tuple[int, int]]] = {}
    for call_id, seq, employee_id in session.execute(query):
        found.setdefault(call_id, []).append((seq, employee_id))
    return found


def _holder(completed: list[tuple[int, int]], seq: int) -> int | None:
    """Who had the caller when attempt ``seq`` was made: the last completed transfer's target
    before it (None: still the operator who answered)."""
    earlier = [employee for done_seq, employee in completed if done_seq < seq]
    return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- totals


def count_label(transfers: int) -> str:
    if transfers == 0:
        return "Без переводов"
    if transfers == 1:
        return "1 перевод"
    return f"{transfers} перевода" if transfers < 5 else f"{transfers} переводов"


def count_series(tally: TransfersTally, period: Period) -> Series:
    """The answered calls by transfers made: 0, 1 and 2 always, more if the data has them."""
    top = max([2, *tally.by_count])
    bars = tuple(
        Bar(label=str(n), name=count_label(n), value=tally.by_count[n]) for n in range(top + 1)
    )
    return Series("by-transfers", f"Принятые звонки по числу переводов, {period.label()}", bars)


def _outcome_columns() -> tuple[Column, ...]:
    return (
        *(Column(TRANSFER_OUTCOME_LABELS_RU[o], Kind.NUMBER, 14) for o in TransferOutcome),
        Column("Всего", Kind.NUMBER, 10),
    )


def target_sheet(tally: TransfersTally) -> Sheet:
    """Where the transfers went: each employee (or unknown extension), by outcome."""
    rows: list[Row] = [
        (t.name, t.department, *(t.outcomes[o] for o in TransferOutcome), t.outcomes.total())
        for t in tally.targets
    ]
    columns = (Column("Сотрудник", Kind.TEXT, 36), Column("Отдел", Kind.TEXT, 30))
    return Sheet("Кому переводили", (*columns, *_outcome_columns()), rows)


def department_sheet(tally: TransfersTally) -> Sheet:
    rows: list[Row] = [
        (name, *(outcomes[o] for o in TransferOutcome), outcomes.total())
        for name, outcomes in tally.departments.items()
    ]
    return Sheet("По отделам", (Column("Отдел", Kind.TEXT, 30), *_outcome_columns()), rows)


def tally_sheets(tally: TransfersTally) -> list[Sheet]:
    top = max([2, *tally.by_count])
    calls: list[Row] = [(count_label(n), tally.by_count[n]) for n in range(top + 1)]
    totals: list[Row] = [
        ("Принято звонков", tally.answered),
        ("Попыток перевода", tally.attempts),
        *((TRANSFER_OUTCOME_LABELS_RU[o], tally.by_outcome[o]) for o in TransferOutcome),
        ("Звонков с отклонённым третьим переводом", tally.refused_calls),
    ]
    return [
        Sheet(
            "По числу переводов",
            (Column("Переводов", Kind.TEXT, 16), Column("Звонков", Kind.NUMBER, 10)),
            calls,
        ),
        target_sheet(tally),
        department_sheet(tally),
        Sheet(
            "Итоги",
            (Column("Показатель", Kind.TEXT, 44), Column("Значение", Kind.NUMBER, 12)),
            totals,
        ),
    ]
