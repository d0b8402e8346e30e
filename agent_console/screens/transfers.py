"""«Переводы звонков» (C10, ``reports.transfers``): the form with the departments of the
directory, the answered calls by transfers made (a chart), the refused third transfers, where
the transfers went, and the attempts, 200 to a page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from agent_console.deps import Backend
from agent_console.report_pages import ChoiceGroup, Fact, FactGroup, choice_group, table_view
from agent_console.report_screen import Body, Choices, ReportScreen, rows_shown
from call_card.labels import TRANSFER_OUTCOME_LABELS_RU
from models.rules.transfers import TransferOutcome
from models.tables import Department
from reports.charts import bar_chart
from reports.inputs import FilterValues
from reports.period import Period
from reports.report import ReportSpec
from reports.transfers import (
    DEPARTMENT,
    NO_DEPARTMENT,
    NO_DEPARTMENT_LABEL_RU,
    OUTCOME,
    TRANSFERS,
    TransfersReport,
    TransfersTally,
    count_label,
    count_series,
    department_sheet,
    target_sheet,
    transfers_report,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransfersScreen(ReportScreen[TransfersReport]):
    spec: ReportSpec = TRANSFERS
    unit: str = "попыток"

    def choices(self, session: Session) -> Choices:
        query = select(col(Department.code), col(Department.name)).order_by(col(Department.name))
        found = {code: name for code, name in session.execute(query)}
        return found | {NO_DEPARTMENT: NO_DEPARTMENT_LABEL_RU}

    def made(
        self, session: Session, period: Period, values: FilterValues, backend: Backend
    ) -> TransfersReport:
        report = transfers_report(period, values, backend.settings.tz)
        return report.prepared(session, backend.clock(), backend.settings)

    def groups(
        self, values: FilterValues, choices: Choices, invalid: str
    ) -> tuple[list[ChoiceGroup], list[ChoiceGroup]]:
        outcomes = {o.value: TRANSFER_OUTCOME_LABELS_RU[o] for o in TransferOutcome}
        return [], [
            choice_group(values, OUTCOME, "Исход перевода", outcomes, invalid=invalid),
            choice_group(values, DEPARTMENT, "Отдел сотрудника", choices, invalid=invalid),
        ]

    def body(
        self,
        session: Session,
        values: FilterValues,
        query: TransfersReport,
        number: int,
        choices: Choices,
    ) -> Body:
        period = query.period
        tally = query.tally(session)
        shown = rows_shown(values, number, tally.attempts)
        rows = query.page(session, offset=shown.offset, limit=shown.limit)
        return Body(
            facts=_facts(tally),
            charts=[bar_chart(count_series(tally, period))],
            breakdowns=[
                table_view(sheet.title, sheet.columns, sheet.rows)
                for sheet in (target_sheet(tally), department_sheet(tally))
            ],
            table=table_view(
                f"Попытки перевода звонков, поступивших {period.label()}",
                query.columns,
                [row.cells() for row in rows],
                empty="За этот период с этими фильтрами переводов нет.",
            ),
            total=tally.attempts,
            page=shown.page,
        )


def _facts(tally: TransfersTally) -> list[FactGroup]:
    top = max([2, *tally.by_count])
    return [
        FactGroup(
            "Принятые звонки",
            [
                Fact("Принято звонков", str(tally.answered)),
                *(Fact(count_label(n), str(tally.by_count[n])) for n in range(top + 1)),
            ],
        ),
        FactGroup(
            "Попытки перевода",
            [
                Fact("Всего попыток", str(tally.attempts)),
                *(
                    Fact(TRANSFER_OUTCOME_LABELS_RU[o], str(tally.by_outcome[o]))
                    for o in TransferOutcome
                ),
                Fact("Звонков с отклонённым третьим переводом", str(tally.refused_calls)),
            ],
        ),
    ]
