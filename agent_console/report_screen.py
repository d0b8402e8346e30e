"""One way every report page is answered: the screen of a report (``agent_console/screens/``)
says what is its own — the form's filters and the options the directory gives them, how its
query is made, its figures, charts and table — and :func:`report_response` does the rest the
same for all: the period, the page number, the frame (what was chosen said in words, the pages
of the table, the downloads, the print view) and a request the report cannot answer (an end
before the start, an unknown filter value), which gets the form with the Russian message and
status 422 instead of the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from fastapi import Request
from sqlmodel import Session
from starlette.responses import Response

from agent_console.deps import Backend
from agent_console.navigation import Link
from agent_console.report_pages import (
    PAGE_ROWS,
    PRINT,
    PRINT_ROWS,
    SINCE,
    UNTIL,
    ChoiceGroup,
    Fact,
    FactGroup,
    ReportForm,
    ReportPage,
    TableView,
    href,
    page_number,
    pager,
    pages_of,
    printing,
    query_values,
)
from agent_console.templating import Layout, render
from models.db import session_scope
from models.user_sessions import SignedIn
from reports.charts import ChartView
from reports.inputs import FilterValues, InputError, single
from reports.period import Period, form_period
from reports.report import ReportQuery, ReportSpec

Choices = Mapping[str, str]  # a filter's options the directory knows: value → label
Q = TypeVar("Q", bound=ReportQuery)


@dataclass(frozen=True, slots=True)
class Rows:
    """The part of the table a page shows: a page of it, or the first rows for paper."""

    page: int
    offset: int
    limit: int


def rows_shown(values: FilterValues, number: int, total: int) -> Rows:
    if printing(values):
        return Rows(page=1, offset=0, limit=PRINT_ROWS)
    page = min(number, pages_of(total))
    return Rows(page=page, offset=(page - 1) * PAGE_ROWS, limit=PAGE_ROWS)


@dataclass(frozen=True, slots=True)
class Body:
    """What a report shows inside the frame every report page has."""

    facts: list[FactGroup]
    table: TableView
    total: int  # rows of the whole table: the pager's and the print note's count
    page: int = 1  # the page of the table shown
    charts: list[ChartView] = field(default_factory=list)
    breakdowns: list[TableView] = field(default_factory=list)
    choices: Choices | None = None  # the form's options, when the figures add to them
    extra: object = None  # the report's own part, for its template
    note: str = ""  # replaces the print view's note on the first rows


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportScreen(Generic[Q]):
    """What a report's page has of its own; each report's screen fills in the methods."""

    spec: ReportSpec
    unit: str  # the table's rows counted in the print note: «звонков», «заявок»
    template: str = "report.html"
    # Values of the query string that are the page's own, not the report's (the chart's
    # step): left out of the downloads' addresses and of the filters said in words.
    page_only: tuple[str, ...] = ()
    # Values that say what a form just did (a training recorded): left out of every link.
    one_time: tuple[str, ...] = ()
    paged: bool = True  # the table comes a page at a time (else it is shown whole)

    def choices(self, session: Session) -> Choices:
        """The options of the form's filter that the directory knows."""
        return {}

    def made(self, session: Session, period: Period, values: FilterValues, backend: Backend) -> Q:
        """The report's query, or ``reports.inputs.InputError``."""
        raise NotImplementedError

    def groups(
        self, values: FilterValues, choices: Choices, invalid: str
    ) -> tuple[list[ChoiceGroup], list[ChoiceGroup]]:
        """The form's radio groups and its (folded) checkbox groups, ticked as sent."""
        raise NotImplementedError

    def body(
        self, session: Session, values: FilterValues, query: Q, number: int, choices: Choices
    ) -> Body:
        """The figures for page ``number`` (``choices``: the form's options, as read), or
        ``reports.inputs.InputError``."""
        raise NotImplementedError


def report_response(
    request: Request,
    backend: Backend,
    user: SignedIn,
    screen: ReportScreen[Q],
    values: FilterValues | None = None,
    *,
    status: int = 200,
) -> Response:
    """The report's page for the request's query string (or for ``values``); ``status`` 422
    when a form under the report was sent wrong."""
    values = query_values(request) if values is None else values
    layout = Layout.of(backend.settings.line_title, user)
    title = screen.spec.title
    with session_scope(backend.engine) as session:
        choices = screen.choices(session)
        try:
            period = request_period(values, backend)
            query = screen.made(session, period, values, backend)
            body = screen.body(session, values, query, page_number(values), choices)
        except InputError as refused:
            form = report_form(screen, values, choices, None, invalid=refused.field)
            shown = ReportPage(title=title, form=form, error=refused.message)
            return render(
                request, screen.template, layout=layout, title=title, page=shown, status=422
            )
    form = report_form(screen, values, body.choices or choices, period)
    shown = framed(screen, values, form, period, body)
    return render(request, screen.template, layout=layout, title=title, page=shown, status=status)


def request_period(values: FilterValues, backend: Backend) -> Period:
    return form_period(single(values, SINCE), single(values, UNTIL), today=backend.today())


def report_path(spec: ReportSpec, extension: str = "") -> str:
    return f"/reports/{spec.name}" + (f".{extension}" if extension else "")


def report_form(
    screen: ReportScreen[Q],
    values: FilterValues,
    choices: Choices,
    period: Period | None,
    *,
    invalid: str = "",
) -> ReportForm:
    """The form as sent (with the period the report covers, once it is understood)."""
    radios, checkboxes = screen.groups(values, choices, invalid)
    return ReportForm(
        action=report_path(screen.spec),
        since=period.since.isoformat() if period else single(values, SINCE) or "",
        until=period.until.isoformat() if period else single(values, UNTIL) or "",
        radios=radios,
        checkboxes=checkboxes,
        invalid=invalid,
    )


def framed(
    screen: ReportScreen[Q], values: FilterValues, form: ReportForm, period: Period, body: Body
) -> ReportPage:
    spec, path = screen.spec, report_path(screen.spec)
    shown_print = printing(values)
    once = dict.fromkeys(screen.one_time, "")
    download = once | dict.fromkeys(screen.page_only, "")
    note = body.note
    if not note and screen.paged and shown_print and body.total > PRINT_ROWS:
        note = f"Показаны первые {PRINT_ROWS} {screen.unit} из {body.total}; все — в XLSX или CSV."
    return ReportPage(
        title=spec.title,
        form=form,
        period=period.label(),
        filters=[
            Fact(group.legend, ", ".join(o.label for o in group.options if o.checked) or "Все")
            for group in form.radios + form.checkboxes
            if group.name not in screen.page_only
        ],
        facts=body.facts,
        charts=body.charts,
        breakdowns=body.breakdowns,
        table=body.table,
        pager=pager(path, values, body.page, body.total)
        if screen.paged and not shown_print
        else None,
        downloads=[
            Link(href(report_path(spec, "xlsx"), values, **download), "Скачать XLSX"),
            Link(href(report_path(spec, "csv"), values, **download), "Скачать CSV"),
        ],
        print_href=href(path, values, **once, **{PRINT: "1"}),
        back_href=href(path, values, **once),
        printing=shown_print,
        note=note,
        extra=body.extra,
    )
