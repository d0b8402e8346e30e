"""Supervisors' reports (``reports``), for supervisors and administrators:

* ``GET /reports/missed`` — «Пропущенные звонки» (C13): period and filters, the counts, a chart
  along the period (by day, or by hour for a week at most) and by hour of the day, the calls
  200 to a page; ``?print=1`` the print view (every row up to 5000, no form);
* ``GET /reports/missed.csv``, ``GET /reports/missed.xlsx`` — the whole table for the same
  query string, as a file named after the period; each download is in the audit log;
* ``GET /reports/survey`` (and ``.csv``, ``.xlsx``) — «Опрос после консультации» (C15): both
  questions per operator and for the line, the response rate, partial answers, the trend.
* ``/reports/callbacks`` (C11) and ``/reports/transfers`` (C10), each with its ``.csv`` and
  ``.xlsx``: the pages are built by ``callback_report_page`` and ``transfer_report_page``.

A query string the report cannot answer (an end before the start, a year on the chart by hour,
an unknown filter value) gets the page with the form and a Russian message, status 422.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from agent_console import callback_report_page, transfer_report_page
from agent_console.auth.refusals import ErrorPage
from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
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
from agent_console.survey_page import operator_labels, survey_form, survey_view
from agent_console.templating import Layout, render
from models.audit_trail import web_actor
from models.db import session_scope
from models.rules.missed import MISSED_REASON_LABELS_RU, MissedReason
from models.user_sessions import SignedIn
from reports.audit import record_report_export
from reports.callbacks import CALLBACKS
from reports.charts import bar_chart
from reports.hours import (
    TIMELINE_LABELS_RU,
    Timeline,
    hour_of_day_series,
    timeline_series,
)
from reports.inputs import FilterValues, InputError, one_of, single
from reports.missed import (
    CALLBACK,
    CALLBACK_STATE_LABELS_RU,
    MISSED,
    REASON,
    SHORT,
    SHORT_CALLS_LABELS_RU,
    TOPIC,
    TOPIC_CHOICE_LABELS_RU,
    CallbackState,
    MissedReport,
    ShortCalls,
    missed_report,
)
from reports.period import Period, check_hourly, form_period
from reports.report import ReportQuery, ReportSpec, export_xlsx, prepare
from reports.survey import SURVEY, survey_report
from reports.table import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_lines
from reports.transfers import TRANSFERS

router = APIRouter(prefix="/reports", tags=["reports"])

CHART = "chart"
CSV_CHUNK_ROWS = 200
XLSX_IN_MEMORY = 16 * 1024 * 1024  # bigger workbooks go to a temporary file
FILE_CHUNK = 64 * 1024
HOURS_WIDTH = 480  # the chart by hour of the day stands beside the one along the period


def _path(spec: ReportSpec, extension: str = "") -> str:
    return f"/reports/{spec.name}" + (f".{extension}" if extension else "")


# --------------------------------------------------------------------------- missed calls


@router.get("/missed", include_in_schema=False)
def missed_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Пропущенные звонки» (C13)."""
    values = query_values(request)
    layout = Layout.of(backend.settings.line_title, user)
    try:
        report = missed_report(_period(values, backend), values, backend.settings.tz)
        timeline = one_of(values, CHART, "график", Timeline, Timeline.DAY)
        if timeline is Timeline.HOUR:
            check_hourly(report.period)
        number = page_number(values)
    except InputError as refused:
        form = _missed_form(values, backend, invalid=refused.field)
        shown = ReportPage(title=MISSED.title, form=form, error=refused.message)
        return render(
            request, "report.html", layout=layout, title=MISSED.title, page=shown, status=422
        )
    with session_scope(backend.engine) as session:
        shown = _missed_view(session, values, backend, report, timeline, number)
    return render(request, "report.html", layout=layout, title=MISSED.title, page=shown)


def _missed_form(
    values: FilterValues, backend: Backend, *, period: Period | None = None, invalid: str = ""
) -> ReportForm:
    """The form as sent (with the period the report covers, once it is understood)."""
    threshold = backend.settings.short_call_threshold_s
    reasons = {reason.value: MISSED_REASON_LABELS_RU[reason] for reason in MissedReason}
    callbacks = {state.value: CALLBACK_STATE_LABELS_RU[state] for state in CallbackState}
    shorts = {short.value: SHORT_CALLS_LABELS_RU[short] for short in ShortCalls}
    timelines = {timeline.value: TIMELINE_LABELS_RU[timeline] for timeline in Timeline}
    return ReportForm(
        action=_path(MISSED),
        since=period.since.isoformat() if period else single(values, SINCE) or "",
        until=period.until.isoformat() if period else single(values, UNTIL) or "",
        radios=[
            choice_group(
                values, CHART, "График", timelines, kind="radio", default="day", invalid=invalid
            ),
            choice_group(
                values,
                SHORT,
                f"Короткие (меньше {threshold:g} с)",
                shorts,
                kind="radio",
                default="all",
                invalid=invalid,
            ),
        ],
        checkboxes=[
            choice_group(values, REASON, "Причина", reasons, invalid=invalid),
            choice_group(values, TOPIC, "Тема", TOPIC_CHOICE_LABELS_RU, invalid=invalid),
            choice_group(values, CALLBACK, "Обратный звонок", callbacks, invalid=invalid),
        ],
        invalid=invalid,
    )


def _missed_view(
    session: Session,
    values: FilterValues,
    backend: Backend,
    report: MissedReport,
    timeline: Timeline,
    number: int,
) -> ReportPage:
    tz, period = report.tz, report.period
    tally = report.tally(session)
    shown_print = printing(values)
    number = min(number, pages_of(tally.total))
    if shown_print:
        rows = report.page(session, offset=0, limit=PRINT_ROWS)
    else:
        rows = report.page(session, offset=(number - 1) * PAGE_ROWS, limit=PAGE_ROWS)
    what = "Пропущенные звонки"
    form = _missed_form(values, backend, period=period)
    return ReportPage(
        title=MISSED.title,
        form=form,
        period=period.label(),
        filters=[
            Fact(group.legend, ", ".join(o.label for o in group.options if o.checked) or "Все")
            for group in form.radios + form.checkboxes
            if group.name != CHART
        ],
        facts=[
            FactGroup(
                "Итого",
                [Fact("Пропущено", str(tally.total)), Fact("Из них коротких", str(tally.short))],
            ),
            FactGroup(
                "По причинам",
                [Fact(MISSED_REASON_LABELS_RU[r], str(tally.by_reason[r])) for r in MissedReason],
            ),
            FactGroup(
                "Обратный звонок",
                [
                    Fact(CALLBACK_STATE_LABELS_RU[s], str(tally.by_callback[s]))
                    for s in CallbackState
                ],
            ),
        ],
        charts=[
            bar_chart(timeline_series(tally.hours, period, tz, timeline, what)),
            bar_chart(hour_of_day_series(tally.hours, period, tz, what), width=HOURS_WIDTH),
        ],
        table=table_view(
            f"{what} за {period.label()}", report.columns, [row.cells() for row in rows]
        ),
        pager=None if shown_print else pager(_path(MISSED), values, number, tally.total),
        downloads=[
            Link(href(_path(MISSED, "xlsx"), values, **{CHART: ""}), "Скачать XLSX"),
            Link(href(_path(MISSED, "csv"), values, **{CHART: ""}), "Скачать CSV"),
        ],
        print_href=href(_path(MISSED), values, **{PRINT: "1"}),
        back_href=href(_path(MISSED), values),
        printing=shown_print,
        note=(
            f"Показаны первые {PRINT_ROWS} звонков из {tally.total}; все — в XLSX или CSV."
            if shown_print and tally.total > PRINT_ROWS
            else ""
        ),
    )


# --------------------------------------------------------------------------- survey


@router.get("/survey", include_in_schema=False)
def survey_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Опрос после консультации» (C15)."""
    values = query_values(request)
    layout = Layout.of(backend.settings.line_title, user)
    with session_scope(backend.engine) as session:
        try:
            report = survey_report(_period(values, backend), values, backend.settings.tz)
            SURVEY.check(session, values)
            number = page_number(values)
        except InputError as refused:
            form = survey_form(values, operator_labels(session), invalid=refused.field)
            shown = ReportPage(title=SURVEY.title, form=form, error=refused.message)
            return render(
                request, "report.html", layout=layout, title=SURVEY.title, page=shown, status=422
            )
        view = survey_view(session, values, report, number)
    return render(request, "report_survey.html", layout=layout, title=SURVEY.title, page=view)


# --------------------------------------------------------------------------- callbacks, transfers


@router.get("/callbacks", include_in_schema=False)
def callbacks_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Обратные звонки» (C11)."""
    return callback_report_page.callbacks_page(request, backend, user)


@router.get("/transfers", include_in_schema=False)
def transfers_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Переводы звонков» (C10)."""
    return transfer_report_page.transfers_page(request, backend, user)


# --------------------------------------------------------------------------- downloads

DOWNLOAD_FORMATS = ("csv", "xlsx")


def _download_route(spec: ReportSpec, extension: str) -> Callable[..., Response]:
    def download(
        request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
    ) -> Response:
        return _download(request, backend, user, spec, extension)

    download.__name__ = f"{spec.name}_{extension}"
    return download


# Every report's whole table as CSV and as XLSX: /reports/NAME.csv, /reports/NAME.xlsx.
for _spec in (MISSED, SURVEY, CALLBACKS, TRANSFERS):
    for _extension in DOWNLOAD_FORMATS:
        router.add_api_route(
            f"/{_spec.name}.{_extension}",
            _download_route(_spec, _extension),
            methods=["GET"],
            include_in_schema=False,
        )


def _period(values: FilterValues, backend: Backend) -> Period:
    return form_period(single(values, SINCE), single(values, UNTIL), today=backend.today())


def _download(
    request: Request, backend: Backend, user: SignedIn, spec: ReportSpec, extension: str
) -> Response:
    values = query_values(request)
    try:
        period = _period(values, backend)
        query = spec.made(period, values, backend.settings.tz, backend.today())
        with session_scope(backend.engine) as session:
            spec.check(session, values)
        query = prepare(query, backend.engine, backend.clock(), backend.settings)
    except InputError as refused:
        layout = Layout.of(backend.settings.line_title, user)
        back = ErrorPage(refused.message, href(_path(spec), values), "К отчёту")
        return render(
            request, "error.html", layout=layout, title="Файл не выгружен", page=back, status=422
        )
    with session_scope(backend.engine) as session:  # before the first byte leaves
        record_report_export(
            session,
            at=backend.clock(),
            actor=web_actor(user.login),
            spec=spec,
            query=query,
            extension=extension,
        )
    headers = {"Content-Disposition": f'attachment; filename="{spec.file_name(period, extension)}"'}
    if extension == "csv":
        chunks = _csv_chunks(backend.engine, query)
        return StreamingResponse(chunks, media_type=CSV_MEDIA_TYPE, headers=headers)
    book = _xlsx_file(backend.engine, spec, query)
    return StreamingResponse(_file_chunks(book), media_type=XLSX_MEDIA_TYPE, headers=headers)


def _csv_chunks(engine: Engine, query: ReportQuery) -> Iterator[bytes]:
    """The CSV as it is read, a few hundred rows a chunk."""
    with Session(engine) as session:
        pending: list[str] = []
        for line in csv_lines(query.columns, query.rows(session)):
            pending.append(line)
            if len(pending) >= CSV_CHUNK_ROWS:
                yield "".join(pending).encode()
                pending.clear()
        yield "".join(pending).encode()


def _xlsx_file(engine: Engine, spec: ReportSpec, query: ReportQuery) -> IO[bytes]:
    """The workbook, whole (a zip is written at the end), in memory or a temporary file."""
    book = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)  # noqa: SIM115 — closed by _file_chunks
    with Session(engine) as session:
        export_xlsx(spec, query, session, book)
    book.seek(0)
    return book


def _file_chunks(book: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := book.read(FILE_CHUNK):
            yield chunk
    finally:
        book.close()
