"""What ``/health``, ``check-config`` and the start-up log say about the running line."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from agent_console.health import HealthReport
from consult_line.wiring import Services
from models.migrate import pending_migrations
from models.rules.calendar import ProductionCalendar, YearSource, YearStatus

# From December on, the next year's transfer decree matters for deadlines and the IVR.
NEXT_YEAR_FROM_MONTH = 12


def calendar_years(today: date) -> tuple[int, ...]:
    if today.month >= NEXT_YEAR_FROM_MONTH:
        return (today.year, today.year + 1)
    return (today.year,)


def calendar_warnings(calendar: ProductionCalendar, now: datetime) -> tuple[YearStatus, ...]:
    today = now.astimezone(calendar.tz).date()
    return tuple(calendar.year_status(year) for year in calendar_years(today))


def check(services: Services) -> HealthReport:
    now = services.clock()
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
        )
    statuses = calendar_warnings(calendar, now)
    warnings = [s.note for s in statuses if s.source is YearSource.STATUTORY_ONLY]
    if behind:
        warnings.append("схема базы данных устарела: выполните consult-line migrate")
    return HealthReport(
        database="ok",
        line_open=calendar.is_open(now),
        calendar=statuses,
        warnings=tuple(warnings),
    )
