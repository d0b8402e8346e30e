"""``consult-line staff import FILE``: provisions the staff directory from YAML (idempotent)."""

from __future__ import annotations

import argparse
import sys

from consult_line.wiring import Services
from models.db import session_scope
from models.staff_file import StaffFileError, load_staff_file
from models.staff_import import department_codes, import_staff


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
