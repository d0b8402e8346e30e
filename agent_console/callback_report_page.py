"""The page of «Обратные звонки» (C11, ``reports.callbacks``): the form with the owners of the
directory, the terms and attempts, the owners' figures, the tasks of each day kept or missed
(a stacked chart) and the tasks, 200 to a page; ``?print=1`` the print view."""

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
from models.db import session_scope
from models.rules.callbacks import CALLBACK_STATUS_LABELS_RU, CallbackStatus
from models.tables import AttemptResult, CallbackTask, Employee
from models.tables.callbacks import ATTEMPT_RESULT_LABELS_RU
from models.user_sessions import SignedIn
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
from reports.inputs import FilterValues, InputError, single
from reports.period import Period, form_period

PATH = f"/reports/{CALLBACKS.name}"


def callbacks_page(request: Request, backend: Backend, user: SignedIn) -> Response:
    values = query_values(request)
    layout = Layout.of(backend.settings.line_title, user)
    with session_scope(backend.engine) as session:
        owners = _owner_choices(session)
        try:
            period = form_period(
                single(values, SINCE), single(values, UNTIL), today=backend.today()
            )
            report = callbacks_report(period, values, backend.settings.tz)
            report = report.prepared(session, backend.clock(), backend.settings)
            number = page_number(values)
        except InputError as refused:
            form = _form(values, owners, invalid=refused.field)
            shown = ReportPage(title=CALLBACKS.title, form=form, error=refused.message)
            return render(
                request, "report.html", layout=layout, title=CALLBACKS.title, page=shown, status=422
            )
        shown = _view(session, values, owners, report, number)
    return render(request, "report.html", layout=layout, title=CALLBACKS.title, page=shown)


def _owner_choices(session: Session) -> dict[str, str]:
    """Everyone who owns a task, by internal number, then «without an owner»."""
    owning = select(col(CallbackTask.owner_id)).where(col(CallbackTask.owner_id).is_not(None))
    query = (
        select(col(Employee.internal_number), col(Employee.full_name))
        .where(col(Employee.id).in_(owning.distinct()))
        .order_by(col(Employee.full_name))
    )
    found = {number: f"{name} ({number})" for number, name in session.execute(query)}
    return found | {NO_OWNER: NO_OWNER_LABEL_RU}


def _form(
    values: FilterValues, owners: dict[str, str], *, period: Period | None = None, invalid: str = ""
) -> ReportForm:
    terms = {term.value: TERM_LABELS_RU[term] for term in Term}
    statuses = {status.value: CALLBACK_STATUS_LABELS_RU[status] for status in CallbackStatus}
    return ReportForm(
        action=PATH,
        since=period.since.isoformat() if period else single(values, SINCE) or "",
        until=period.until.isoformat() if period else single(values, UNTIL) or "",
        radios=[],
        checkboxes=[
            choice_group(values, TERM, "Срок", terms, invalid=invalid),
            choice_group(values, STATUS, "Состояние", statuses, invalid=invalid),
            choice_group(values, OWNER, "Ответственный", owners, invalid=invalid),
        ],
        invalid=invalid,
    )


def _view(
    session: Session,
    values: FilterValues,
    owners: dict[str, str],
    report: CallbacksReport,
    number: int,
) -> ReportPage:
    period, tz = report.period, report.tz
    tally = report.tally(session)
    shown_print = printing(values)
    number = min(number, pages_of(tally.total))
    if shown_print:
        rows = report.page(session, offset=0, limit=PRINT_ROWS)
    else:
        rows = report.page(session, offset=(number - 1) * PAGE_ROWS, limit=PAGE_ROWS)
    form = _form(values, owners, period=period)
    owners_sheet = owner_sheet(tally)
    assert report.now is not None
    now = report.now.astimezone(tz)
    return ReportPage(
        title=CALLBACKS.title,
        form=form,
        period=period.label(),
        filters=[
            Fact(group.legend, ", ".join(o.label for o in group.options if o.checked) or "Все")
            for group in form.checkboxes
        ],
        facts=_facts(tally, f"{now:%d.%m.%Y %H:%M}"),
        charts=[stacked_chart(day_series(tally, period, tz))],
        breakdowns=[table_view(owners_sheet.title, owners_sheet.columns, owners_sheet.rows)],
        table=table_view(
            f"Заявки на обратный звонок, созданные {period.label()}",
            report.columns,
            [row.cells() for row in rows],
            empty="За этот период с этими фильтрами заявок нет.",
        ),
        pager=None if shown_print else pager(PATH, values, number, tally.total),
        downloads=[
            Link(href(f"{PATH}.xlsx", values), "Скачать XLSX"),
            Link(href(f"{PATH}.csv", values), "Скачать CSV"),
        ],
        print_href=href(PATH, values, **{PRINT: "1"}),
        back_href=href(PATH, values),
        printing=shown_print,
        note=(
            f"Показаны первые {PRINT_ROWS} заявок из {tally.total}; все — в XLSX или CSV."
            if shown_print and tally.total > PRINT_ROWS
            else ""
        ),
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
