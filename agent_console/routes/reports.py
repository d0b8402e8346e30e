"""Supervisors' reports (``reports``), for supervisors and administrators, each from its
screen (``agent_console/screens/``) by one table:

* ``GET /reports/NAME`` — the report's page: period and filters, the figures, the charts, the
  table 200 rows to a page; ``?print=1`` the print view (every row up to 5000, no form):
  «Пропущенные звонки» (C13), «Обратные звонки» (C11), «Переводы звонков» (C10), «Опрос после
  консультации» (C15), «Операторы» (C4; its training form posts to
  ``agent_console.routes.operators_report``);
* ``GET /reports/NAME.csv``, ``GET /reports/NAME.xlsx`` — the whole table for the same query
  string, as a file named after the period; each download is in the audit log.

A query string the report cannot answer (an end before the start, a year on the chart by hour,
an unknown filter value) gets the page with the form and a Russian message, status 422.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from agent_console.auth.refusals import ErrorPage
from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.report_pages import href, query_values
from agent_console.report_screen import (
    ReportScreen,
    report_path,
    report_response,
    request_period,
)
from agent_console.screens.callbacks import CallbacksScreen
from agent_console.screens.missed import MissedScreen
from agent_console.screens.operators import OperatorsScreen
from agent_console.screens.survey import SurveyScreen
from agent_console.screens.transfers import TransfersScreen
from agent_console.templating import Layout, render
from models.audit_trail import web_actor
from models.db import session_scope
from models.settings import Settings
from models.user_sessions import SignedIn
from reports.audit import record_report_export
from reports.callbacks import CALLBACKS
from reports.catalogue import REPORTS
from reports.inputs import InputError
from reports.missed import MISSED
from reports.operators import OPERATORS
from reports.report import ReportQuery, ReportSpec, export_xlsx
from reports.survey import SURVEY
from reports.table import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_lines
from reports.transfers import TRANSFERS

router = APIRouter(prefix="/reports", tags=["reports"])

CSV_CHUNK_ROWS = 200
XLSX_IN_MEMORY = 16 * 1024 * 1024  # bigger workbooks go to a temporary file
FILE_CHUNK = 64 * 1024
DOWNLOAD_FORMATS = ("csv", "xlsx")

# Each report's screen by the report's name, made for the line's settings.
SCREENS: dict[str, Callable[[Settings], ReportScreen[Any]]] = {
    MISSED.name: lambda settings: MissedScreen(
        short_call_threshold_s=settings.short_call_threshold_s
    ),
    CALLBACKS.name: lambda settings: CallbacksScreen(),
    TRANSFERS.name: lambda settings: TransfersScreen(),
    SURVEY.name: lambda settings: SurveyScreen(),
    OPERATORS.name: lambda settings: OperatorsScreen(),
}


def _page_route(made: Callable[[Settings], ReportScreen[Any]]) -> Callable[..., Response]:
    def report_page(
        request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
    ) -> Response:
        return report_response(request, backend, user, made(backend.settings))

    return report_page


def _download_route(spec: ReportSpec, extension: str) -> Callable[..., Response]:
    def download(
        request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
    ) -> Response:
        return _download(request, backend, user, spec, extension)

    download.__name__ = f"{spec.name}_{extension}"
    return download


for _name, _made in SCREENS.items():
    _route = _page_route(_made)
    _route.__name__ = f"{_name}_page"
    router.add_api_route(f"/{_name}", _route, methods=["GET"], include_in_schema=False)

# Every report's whole table as CSV and as XLSX: /reports/NAME.csv, /reports/NAME.xlsx.
for _spec in REPORTS.values():
    for _extension in DOWNLOAD_FORMATS:
        router.add_api_route(
            f"/{_spec.name}.{_extension}",
            _download_route(_spec, _extension),
            methods=["GET"],
            include_in_schema=False,
        )


def _download(
    request: Request, backend: Backend, user: SignedIn, spec: ReportSpec, extension: str
) -> Response:
    values = query_values(request)
    try:
        period = request_period(values, backend)
        with session_scope(backend.engine) as session:
            query = spec.made(session, period, values, backend.clock(), backend.settings)
    except InputError as refused:
        layout = Layout.of(backend.settings.line_title, user)
        back = ErrorPage(refused.message, href(report_path(spec), values), "К отчёту")
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
