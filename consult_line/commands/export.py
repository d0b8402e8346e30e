"""``consult-line export calls|callbacks|surveys``: records for administrators and reports.

Every export is written to the audit log: it carries callers' personal data.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TextIO

from consult_line.actor import cli_actor
from consult_line.wiring import Services
from models.db import session_scope
from models.exports import EXPORT_FIELDS, ExportKind, export_rows, write_csv, write_jsonl
from models.os_errors import os_error_reason
from models.tables import AuditEntry


def run(services: Services, args: argparse.Namespace) -> int:
    kind = ExportKind(args.kind)
    if args.since and args.until and args.since > args.until:
        print("Ошибка: --since позже --until", file=sys.stderr)
        return 2
    try:
        output = _open_output(args.output)
    except OSError as exc:
        print(
            f"Не удалось создать файл {args.output}: {output_error_reason(exc, args.output)}.",
            file=sys.stderr,
        )
        return 1
    rows = _Counted()
    try:
        with output as out:
            with session_scope(services.engine) as session:
                rows.source = export_rows(
                    session=session,
                    kind=kind,
                    since=args.since,
                    until=args.until,
                    tz=services.settings.tz,
                )
                if args.format == "csv":
                    write_csv(EXPORT_FIELDS[kind], rows, out)
                else:
                    write_jsonl(rows, out)
            out.flush()
        rows.complete = True
    except BrokenPipeError:
        raise  # the reader stopped reading: consult_line.cli ends quietly
    except OSError as exc:  # disk full, file system gone
        target = f"файл {args.output}" if args.output else "в стандартный вывод"
        reason = output_error_reason(exc, args.output)
        print(f"Выгрузка прервана: не удалось записать {target}: {reason}.", file=sys.stderr)
        return 1
    finally:
        # Personal data may have left even if the output broke off: audit what was read.
        _audit(services, args, rows)
    print(f"Выгружено записей: {rows.count}", file=sys.stderr)
    return 0


def _open_output(path: Path | None) -> AbstractContextManager[TextIO]:
    """The file to write, or standard output (left open when the export ends)."""
    if path is None:
        return nullcontext(sys.stdout)
    return path.open("w", encoding="utf-8", newline="")


def output_error_reason(exc: OSError, path: Path | None) -> str:
    """Why ``path`` (None: standard output) could not be written, for the message."""
    if exc.errno == errno.ENOENT and path is not None and not path.parent.is_dir():
        return f"папки {path.parent} нет"
    return os_error_reason(exc)


class _Counted:
    """Passes rows through and counts them, for the audit entry."""

    def __init__(self) -> None:
        self.source: Iterator[dict[str, object]] = iter(())
        self.count = 0
        self.complete = False

    def __iter__(self) -> Iterator[dict[str, object]]:
        for row in self.source:
            self.count += 1
            yield row


def _audit(services: Services, args: argparse.Namespace, rows: _Counted) -> None:
    state = "" if rows.complete else " interrupted"
    with session_scope(services.engine) as session:
        session.add(
            AuditEntry(
                at=services.clock(),
                actor=cli_actor(),
                action="export",
                subject=f"export:{args.kind}",
                detail=f"since={args.since} until={args.until} format={args.format} "
                f"rows={rows.count}{state}",
            )
        )
