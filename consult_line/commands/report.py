"""``consult-line report missed|…``: a report of the console's pages as a CSV or XLSX file, for
cron and spreadsheets. The same query as the page (``reports.catalogue.REPORTS``): the same
calls, the same figures.

Every report written is in the audit log (it carries callers' numbers), even one whose output
broke off.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO

from consult_line.actor import cli_actor
from consult_line.commands.export import output_error_reason
from consult_line.wiring import Services
from models.db import session_scope
from reports.audit import record_report_export
from reports.catalogue import REPORTS
from reports.inputs import InputError
from reports.period import checked_period
from reports.report import ReportQuery, ReportSpec, export_csv, export_xlsx

XLSX_ON_TERMINAL = (
    "XLSX — двоичный файл, в терминал он не выводится: укажите --output ФАЙЛ "
    "или перенаправьте вывод в файл."
)


def run(services: Services, args: argparse.Namespace) -> int:
    spec = REPORTS[args.report]
    try:
        period = checked_period(args.since, args.until)
        values = _filter_values(spec, args)
        with session_scope(services.engine) as session:
            query = spec.made(session, period, values, services.clock(), services.settings)
    except InputError as refused:
        print(f"Ошибка: {refused.message}", file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        print(XLSX_ON_TERMINAL, file=sys.stderr)
        return 2
    rows: int | None = None
    try:
        rows = _write(services, spec, query, args.format, args.output)
    except BrokenPipeError:
        raise  # the reader stopped reading: consult_line.cli ends quietly
    except OSError as exc:  # a file that cannot be created, a full disk
        target = f"файл {args.output}" if args.output else "в стандартный вывод"
        reason = output_error_reason(exc, args.output)
        print(f"Отчёт не записан: не удалось записать {target}: {reason}.", file=sys.stderr)
        return 1
    finally:
        _audit(services, spec, query, args.format, rows)
    print(f"Строк в отчёте: {rows}", file=sys.stderr)
    return 0


def _filter_values(spec: ReportSpec, args: argparse.Namespace) -> dict[str, list[str]]:
    """The command's filter options as the page's query string has them."""
    values: dict[str, list[str]] = {}
    for name in spec.filters:
        given = getattr(args, name, None)
        values[name] = [] if given is None else [given] if isinstance(given, str) else given
    return values


def _write(
    services: Services, spec: ReportSpec, query: ReportQuery, extension: str, path: Path | None
) -> int:
    with session_scope(services.engine) as session:
        if extension == "csv":
            if path is None:
                count = export_csv(query, session, sys.stdout)
                sys.stdout.flush()
                return count
            with path.open("w", encoding="utf-8", newline="") as text:
                return export_csv(query, session, text)
        if path is not None:
            with path.open("wb") as binary:
                return export_xlsx(spec, query, session, binary)
        # A zip is finished at its end: built aside, then copied to the pipe or file.
        with tempfile.TemporaryFile() as book:
            count = export_xlsx(spec, query, session, book)
            book.seek(0)
            _copy(book, sys.stdout.buffer)
            return count


def _copy(source: IO[bytes], target: IO[bytes]) -> None:
    shutil.copyfileobj(source, target)
    target.flush()


def _audit(
    services: Services, spec: ReportSpec, query: ReportQuery, extension: str, rows: int | None
) -> None:
    with session_scope(services.engine) as session:
        record_report_export(
            session,
            at=services.clock(),
            actor=cli_actor(),
            spec=spec,
            query=query,
            extension=extension,
            rows=rows,
            complete=rows is not None,
        )
