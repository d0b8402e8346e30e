"""What ``/health``, ``check-config`` and the start-up log say about the running line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from agent_console.health import HealthReport
from consult_line.wiring import Services
from models.migrate import pending_migrations
from models.rules.calendar import ProductionCalendar, YearStatus

# From December on, the next year's transfer decree matters for deadlines and the IVR.
NEXT_YEAR_FROM_MONTH = 12


def calendar_years(today: date) -> tuple[int, ...]:
    if today.month >= NEXT_YEAR_FROM_MONTH:
        return (today.year, today.year + 1)
    return (today.year,)


def calendar_warnings(calendar: ProductionCalendar, now: datetime) -> tuple[YearStatus, ...]:
    today = now.astimezone(calendar.tz).date()
    return tuple(calendar.year_status(year) for year in calendar_years(today))


AmiStatus = Callable[[], Mapping[str, Any]]


def check(services: Services, ami: AmiStatus | None = None) -> HealthReport:
    now = services.clock()
    link = ami() if ami is not None else None
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        behind = pending_migrations(services.engine)
        calendar = services.calendar()
    except SQLAlchemyError as exc:
        return HealthReport(
            database="unavailable",
            line_open=None,
            calendar=(),
            warnings=(f"база данных недоступна: {type(exc).__name__}",),
            ami=link,
        )
    statuses = calendar_warnings(calendar, now)
    warnings = [s.note for s in statuses if s.needs_confirmation]
    if behind:
        warnings.append("схема базы данных устарела: выполните consult-line migrate")
    if link is not None and link.get("state") != "logged_in":
        warnings.append(f"нет связи с Asterisk (AMI): {link.get('label', link.get('state'))}")
    return HealthReport(
        database="ok",
        line_open=calendar.is_open(now),
        calendar=statuses,
        warnings=tuple(warnings),
        ami=link,
    )
