"""``consult-line calendar``: the production calendar as the line applies it, and its overrides.

``calendar YEAR`` prints every day that differs from a plain Monday–Friday week and every
shortened pre-holiday day (``2025-04-30 shortened 09:00-17:00``), so that an administrator can
compare it with the official production calendar; ``override``, ``remove-override`` and
``confirm-year`` edit the admin's corrections (C3).
"""

from __future__ import annotations

import argparse
import sys

from consult_line.actor import cli_actor
from consult_line.wiring import Services
from models.calendar_store import (
    confirm_year,
    list_overrides,
    remove_override,
    set_override,
)
from models.db import session_scope
from models.rules.calendar import DayDifference, WorkingHours


def run(services: Services, args: argparse.Namespace) -> int:
    action: str = args.action
    if action == "show":
        return _show(services, args.year, notes=args.notes)
    try:
        with session_scope(services.engine) as session:
            now = services.clock()
            if action == "override":
                row = set_override(
                    session=session,
                    day=args.day,
                    working=args.working,
                    hours=args.hours,
                    reason=args.reason,
                    actor=cli_actor(),
                    now=now,
                )
                print(f"Поправка сохранена: {row.day.isoformat()} {_describe(row.working)}")
            elif action == "remove-override":
                found = remove_override(session=session, day=args.day)
                print("Поправка удалена." if found else "Поправки на эту дату нет.")
                return 0 if found else 1
            elif action == "overrides":
                for row in list_overrides(session=session, year=args.year):
                    hours = f" {row.opens_at:%H:%M}-{row.closes_at:%H:%M}" if row.opens_at else ""
                    print(f"{row.day.isoformat()} {_describe(row.working)}{hours}  # {row.reason}")
            else:
                confirm_year(
                    session=session, year=args.year, source=args.source, actor=cli_actor(), now=now
                )
                print(f"{args.year} год подтверждён: {args.source}")
    except ValueError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 2
    return 0


def _show(services: Services, year: int, *, notes: bool) -> int:
    calendar = services.calendar()
    status = calendar.year_status(year)
    if status.needs_confirmation:
        print(f"ВНИМАНИЕ: {status.note}", file=sys.stderr)
    for difference in calendar.differences(year):
        print(format_difference(difference, normal=calendar.hours, notes=notes))
    return 0


def format_difference(difference: DayDifference, *, normal: WorkingHours, notes: bool) -> str:
    """``2025-04-30 shortened 09:00-17:00`` shows the shortened hours of the day even when the
    line keeps its usual hours on it (the setting); the note says which."""
    if difference.shortened is not None:
        line = f"{difference.day.isoformat()} shortened {_span(difference.shortened)}"
    else:
        line = f"{difference.day.isoformat()} {_describe(difference.working)}"
        if difference.working and difference.hours is not None and difference.hours != normal:
            line += f" {_span(difference.hours)}"
    if notes and difference.note:
        line += f"  # {difference.note}"
    return line


def _span(hours: WorkingHours) -> str:
    return f"{hours.opens:%H:%M}-{hours.closes:%H:%M}"


def _describe(working: bool) -> str:
    return "working" if working else "non-working"
