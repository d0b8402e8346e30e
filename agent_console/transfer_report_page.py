"""The page of «Переводы звонков» (C10, ``reports.transfers``): the form with the departments
of the directory, the answered calls by transfers made (a chart), the refused third transfers,
where the transfers went, and the attempts, 200 to a page; ``?print=1`` the print view."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from sqlmodel import Session, col
from starlette.responses import Response

from agent_console.deps import Backend
from agent_console.navigation import Link
from agent_console.report_pages import (
    PAGE_ROWS,
    PRINT,
    PRINT_ROWS,
    SINCE,
    UNTIL,
    Fact,
    FactGroup,
    ReportForm,
    ReportPage,
    choice_group,
    href,
    page_number,
    pager,
    pages_of,
    printing,
    query_values,
    table_view,
)
from agent_console.templating import Layout, render
from call_card.labels import TRANSFER_OUTCOME_LABELS_RU
from models.db import session_scope
from models.rules.transfers import TransferOutcome
from models.tables import Department
from models.user_sessions import SignedIn
from reports.charts import bar_chart
from reports.inputs import FilterValues, InputError, single
from reports.period import Period, form_period
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

PATH = f"/reports/{TRANSFERS.name}"


def transfers_page(request: Request, backend: Backend, user: SignedIn) -> Response:
    values = query_values(request)
    layout = Layout.of(backend.settings.line_title, user)
    with session_scope(backend.engine) as session:
        departments = _department_choices(session)
        try:
            period = form_period(
                single(values, SINCE), single(values, UNTIL), today=backend.today()
            )
            report = transfers_report(period, values, backend.settings.tz)
            report = report.prepared(session, backend.clock(), backend.settings)
            number = page_number(values)
        except InputError as refused:
            form = _form(values, departments, invalid=refused.field)
            shown = ReportPage(title=TRANSFERS.title, form=form, error=refused.message)
            return render(
                request, "report.html", layout=layout, title=TRANSFERS.title, page=shown, status=422
            )
        shown = _view(session, values, departments, report, number)
    return render(request, "report.html", layout=layout, title=TRANSFERS.title, page=shown)


def _department_choices(session: Session) -> dict[str, str]:
    query = select(col(Department.code), col(Department.name)).order_by(col(Department.name))
    return {code: name for code, name in session.execute(query)} | {
        NO_DEPARTMENT: NO_DEPARTMENT_LABEL_RU
    }


def _form(
    values: FilterValues,
    departments: dict[str, str],
    *,
    period: Period | None = None,
    invalid: str = "",
) -> ReportForm:
    outcomes = {o.value: TRANSFER_OUTCOME_LABELS_RU[o] for o in TransferOutcome}
    return ReportForm(
        action=PATH,
        since=period.since.isoformat() if period else single(values, SINCE) or "",
        until=period.until.isoformat() if period else single(values, UNTIL) or "",
        radios=[],
        checkboxes=[
            choice_group(values, OUTCOME, "Исход перевода", outcomes, invalid=invalid),
            choice_group(values, DEPARTMENT, "Отдел сотрудника", departments, invalid=invalid),
        ],
        invalid=invalid,
    )


def _view(
    session: Session,
    values: FilterValues,
    departments: dict[str, str],
    report: TransfersReport,
    number: int,
) -> ReportPage:
    period = report.period
    tally = report.tally(session)
    shown_print = printing(values)
    number = min(number, pages_of(tally.attempts))
    if shown_print:
        rows = report.page(session, offset=0, limit=PRINT_ROWS)
    else:
        rows = report.page(session, offset=(number - 1) * PAGE_ROWS, limit=PAGE_ROWS)
    form = _form(values, departments, period=period)
    return ReportPage(
        title=TRANSFERS.title,
        form=form,
        period=period.label(),
        filters=[
            Fact(group.legend, ", ".join(o.label for o in group.options if o.checked) or "Все")
            for group in form.checkboxes
        ],
        facts=_facts(tally),
        charts=[bar_chart(count_series(tally, period))],
        breakdowns=[
            table_view(sheet.title, sheet.columns, sheet.rows)
            for sheet in (target_sheet(tally), department_sheet(tally))
        ],
        table=table_view(
            f"Попытки перевода звонков, поступивших {period.label()}",
            report.columns,
            [row.cells() for row in rows],
            empty="За этот период с этими фильтрами переводов нет.",
        ),
        pager=None if shown_print else pager(PATH, values, number, tally.attempts),
        downloads=[
            Link(href(f"{PATH}.xlsx", values), "Скачать XLSX"),
            Link(href(f"{PATH}.csv", values), "Скачать CSV"),
        ],
        print_href=href(PATH, values, **{PRINT: "1"}),
        back_href=href(PATH, values),
        printing=shown_print,
        note=(
            f"Показаны первые {PRINT_ROWS} попыток из {tally.attempts}; все — в XLSX или CSV."
            if shown_print and tally.attempts > PRINT_ROWS
            else ""
        ),
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
