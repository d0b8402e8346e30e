"""A database with the example staff directory and reception schedule loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.settings import Settings
from models.staff_file import load_staff_file
from models.staff_import import import_staff
from visits.schedule_file import load_schedule_file
from visits.schedule_import import import_schedule
from visits.store import Booked, BookingRequest, book_visit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MSK = ZoneInfo("Europe/Moscow")
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
LOADED_AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
# Tuesday 8 December 2026: employee 301 receives 10:00–13:00, 331 14:00–17:00.
TUESDAY = date(2026, 12, 8)
BEFORE = datetime(2026, 12, 1, 9, 0, tzinfo=MSK)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


def load_examples(engine: Engine) -> None:
    with session_scope(engine) as session:
        staff = load_staff_file(EXAMPLES / "staff.yaml", today=LOADED_AT.date())
        import_staff(session=session, directory=staff, now=LOADED_AT)
        schedule = load_schedule_file(EXAMPLES / "reception.yaml")
        import_schedule(session=session, schedule=schedule, now=LOADED_AT)


def book_at_before(
    engine: Engine, settings: Settings, request: BookingRequest, *, actor: str = "web:operator1"
) -> Booked:
    """``request`` booked at BEFORE with the example calendar, committed."""
    with session_scope(engine) as session:
        return book_visit(
            session=session,
            settings=settings,
            calendar=CALENDAR,
            request=request,
            actor=actor,
            now=BEFORE,
        )
