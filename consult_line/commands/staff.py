"""``consult-line staff import FILE``: provisions the staff directory from YAML (idempotent)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consult_line.wiring import Services
from models.db import session_scope
from models.staff_file import StaffFileError, load_staff_file
from models.staff_import import department_codes, import_staff


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    load = actions.add_parser("import", help="загрузить справочник из YAML-файла")
    load.add_argument("file", type=Path, metavar="ФАЙЛ")
    load.add_argument(
        "--deactivate-missing",
        action="store_true",
        help="отключить сотрудников, которых нет в файле",
    )


def run(services: Services, args: argparse.Namespace) -> int:
    now = services.clock()
    try:
        with session_scope(services.engine) as session:
            directory = load_staff_file(
                args.file,
                today=now.astimezone(services.settings.tz).date(),
                known_departments=department_codes(session),
            )
            summary = import_staff(
                session=session,
                directory=directory,
                now=now,
                deactivate_missing=args.deactivate_missing,
            )
    except StaffFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0
