"""``consult-line export calls|callbacks|surveys``: records for administrators and reports.

Every export is written to the audit log: it carries callers' personal data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from consult_line.actor import cli_actor
from consult_line.wiring import Services
from models.db import session_scope
from models.exports import EXPORT_FIELDS, ExportKind, export_rows, write_csv, write_jsonl
from models.tables import AuditEntry


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "kind",
        type=ExportKind,
        choices=list(ExportKind),
        metavar="ЧТО",
        help="calls, callbacks или surveys",
    )
    parser.add_argument("--since", type=date.fromisoformat, help="с даты (включительно)")
    parser.add_argument("--until", type=date.fromisoformat, help="по дату (включительно)")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--output", type=Path, help="файл (по умолчанию стандартный вывод)")


def run(services: Services, args: argparse.Namespace) -> int:
    kind: ExportKind = args.kind
    if args.since and args.until and args.since > args.until:
        print("Ошибка: --since позже --until", file=sys.stderr)
        return 2
    out: TextIO = args.output.open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    rows = _Counted()
    try:
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
    finally:
        if args.output:
            out.close()
        # Personal data may have left even if the output broke off: audit what was read.
        _audit(services, args, rows)
    print(f"Выгружено записей: {rows.count}", file=sys.stderr)
    return 0


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
                subject=f"export:{args.kind.value}",
                detail=f"since={args.since} until={args.until} format={args.format} "
                f"rows={rows.count}{state}",
            )
        )
