"""Loads the production calendar from the override tables and edits those tables (C3)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session, col, select

from models.rules.calendar import DayOverride, ProductionCalendar, WorkingHours
from models.settings import Settings
from models.tables.calendar import CalendarOverride, CalendarYearConfirmation


def load_calendar(*, session: Session, settings: Settings) -> ProductionCalendar:
    overrides = session.exec(select(CalendarOverride)).all()
    confirmations = session.exec(select(CalendarYearConfirmation)).all()
    return ProductionCalendar(
        tz=settings.tz,
        hours=settings.working_hours,
        overrides=[_to_rule(row) for row in overrides],
        confirmed_years={row.year: row.source for row in confirmations},
        shortened_days_close_early=settings.shortened_days_close_early,
    )


def _to_rule(row: CalendarOverride) -> DayOverride:
    hours = None
    if row.opens_at is not None and row.closes_at is not None:
        hours = WorkingHours(row.opens_at, row.closes_at)
    return DayOverride(day=row.day, working=row.working, hours=hours, reason=row.reason)


def set_override(
    *,
    session: Session,
    day: date,
    working: bool,
    hours: tuple[time, time] | None,
    reason: str,
    actor: str,
    now: datetime,
) -> CalendarOverride:
    """Creates or replaces the override for ``day``; the rule object validates it first."""
    rule = DayOverride(
        day=day,
        working=working,
        hours=WorkingHours(*hours) if hours else None,
        reason=reason,
    )
    if not reason.strip():
        raise ValueError("укажите причину (--reason): номер постановления или приказа")
    row = session.exec(select(CalendarOverride).where(CalendarOverride.day == day)).first()
    if row is None:
        row = CalendarOverride(
            day=day, working=working, reason=reason, created_at=now, created_by=actor
        )
    row.working = rule.working
    row.opens_at = rule.hours.opens if rule.hours else None
    row.closes_at = rule.hours.closes if rule.hours else None
    row.reason = reason.strip()
    row.created_at = now
    row.created_by = actor
    session.add(row)
    session.flush()
    return row


def remove_override(*, session: Session, day: date) -> bool:
    row = session.exec(select(CalendarOverride).where(CalendarOverride.day == day)).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def list_overrides(*, session: Session, year: int | None = None) -> list[CalendarOverride]:
    query = select(CalendarOverride).order_by(col(CalendarOverride.day))
    if year is not None:
        query = query.where(
            col(CalendarOverride.day) >= date(year, 1, 1),
            col(CalendarOverride.day) <= date(year, 12, 31),
        )
    return list(session.exec(query).all())


def confirm_year(
    *, session: Session, year: int, source: str, actor: str, now: datetime
) -> CalendarYearConfirmation:
    if not source.strip():
        raise ValueError("укажите источник (--source): реквизиты постановления о переносе")
    row = session.get(CalendarYearConfirmation, year)
    if row is None:
        row = CalendarYearConfirmation(year=year, source="", confirmed_at=now, confirmed_by="")
    row.source = source.strip()
    row.confirmed_at = now
    row.confirmed_by = actor
    session.add(row)
    session.flush()
    return row
