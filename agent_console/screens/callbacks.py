"""«Обратные звонки» (C11, ``reports.callbacks``): the form with the owners of the directory,
the terms and attempts, the owners' figures, the tasks of each day kept or missed (a stacked
chart) and the tasks, 200 to a page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from agent_console.deps import Backend
from agent_console.report_pages import ChoiceGroup, Fact, FactGroup, choice_group, table_view
from agent_console.report_screen import Body, Choices, ReportScreen, rows_shown
from models.rules.callbacks import CALLBACK_STATUS_LABELS_RU, CallbackStatus
from models.tables import AttemptResult, CallbackTask, Employee
from models.tables.callbacks import ATTEMPT_RESULT_LABELS_RU
from reports.callbacks import (
    CALLBACKS,
    NO_OWNER,
    NO_OWNER_LABEL_RU,
    OWNER,
    STATUS,
    TERM,
    TERM_LABELS_RU,
    CallbacksReport,
    CallbacksTally,
    Term,
    callbacks_report,
    day_series,
    owner_sheet,
)
from reports.charts import stacked_chart
from reports.inputs import FilterValues
from reports.period import Period
from reports.report import ReportSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbacksScreen(ReportScreen[CallbacksReport]):
    spec: ReportSpec = CALLBACKS
    unit: str = "заявок"

    def choices(self, session: Session) -> Choices:
        """Everyone who owns a task, by internal number, then «without an owner»."""
        owning = select(col(CallbackTask.owner_id)).where(col(CallbackTask.owner_id).is_not(None))
        query = (
            select(col(Employee.internal_number), col(Employee.full_name))
            .where(col(Employee.id).in_(owning.distinct()))
            .order_by(col(Employee.full_name))
        )
        found = {number: f"{name} ({number})" for number, name in session.execute(query)}
        return found | {NO_OWNER: NO_OWNER_LABEL_RU}

    def made(
        self, session: Session, period: Period, values: FilterValues, backend: Backend
    ) -> CallbacksReport:
        report = callbacks_report(period, values, backend.settings.tz)
        return report.prepared(session, backend.clock(), backend.settings)

    def groups(
        self, values: FilterValues, choices: Choices, invalid: str
    ) -> tuple[list[ChoiceGroup], list[ChoiceGroup]]:
        terms = {term.value: TERM_LABELS_RU[term] for term in Term}
        statuses = {status.value: CALLBACK_STATUS_LABELS_RU[status] for status in CallbackStatus}
        return [], [
            choice_group(values, TERM, "Срок", terms, invalid=invalid),
            choice_group(values, STATUS, "Состояние", statuses, invalid=invalid),
            choice_group(values, OWNER, "Ответственный", choices, invalid=invalid),
        ]

    def body(
        self,
        session: Session,
        values: FilterValues,
        query: CallbacksReport,
        number: int,
        choices: Choices,
    ) -> Body:
        period, tz = query.period, query.tz
        tally = query.tally(session)
        shown = rows_shown(values, number, tally.total)
        rows = query.page(session, offset=shown.offset, limit=shown.limit)
        owners = owner_sheet(tally)
        assert query.now is not None
        return Body(
            facts=_facts(tally, f"{query.now.astimezone(tz):%d.%m.%Y %H:%M}"),
            charts=[stacked_chart(day_series(tally, period, tz))],
            breakdowns=[table_view(owners.title, owners.columns, owners.rows)],
            table=table_view(
                f"Заявки на обратный звонок, созданные {period.label()}",
                query.columns,
                [row.cells() for row in rows],
                empty="За этот период с этими фильтрами заявок нет.",
            ),
            total=tally.total,
            page=shown.page,
        )


def _facts(tally: CallbacksTally, now: str) -> list[FactGroup]:
    attempts = [
        Fact("Всего попыток", str(tally.attempts)),
        Fact("В среднем на заявку", f"{tally.average_attempts:.2f}".replace(".", ",")),
        *(Fact(_attempts_label(n), str(tasks)) for n, tasks in sorted(tally.by_attempts.items())),
        *(
            Fact(f"Итог попытки: {ATTEMPT_RESULT_LABELS_RU[r].lower()}", str(tally.results[r]))
            for r in AttemptResult
        ),
    ]
    return [
        FactGroup(
            "Итого",
            [
                Fact("Заявок", str(tally.total)),
                *(Fact(TERM_LABELS_RU[term], str(tally.by_term[term])) for term in Term),
                Fact(f"Просрочены сейчас ({now})", str(tally.overdue)),
            ],
        ),
        FactGroup("Попытки", attempts),
    ]


def _attempts_label(n: int) -> str:
    if n == 0:
        return "Заявок без попыток"
    return f"Заявок с {n} попыт{'кой' if n == 1 else 'ками'}"
