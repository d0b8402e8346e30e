"""Queries behind the callback reminders (C11): windows about to open, overdue tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import ACTIVE_STATUSES, is_overdue
from models.tables import CallbackTask, CallbackWindow, Employee


@dataclass(frozen=True, slots=True)
class Reminder:
    task_id: int
    phone: str
    owner: str  # internal number of the owner, "" when nobody owns the task yet
    promised_on: date
    window_starts_at: datetime | None = None


def windows_opening(*, session: Session, start: datetime, end: datetime) -> list[Reminder]:
    """Active tasks with an agreed window starting in ``[start, end)``: time to call back."""
    rows = session.exec(
        select(CallbackTask, CallbackWindow, Employee)
        .join(CallbackWindow, col(CallbackWindow.task_id) == col(CallbackTask.id))
        .join(Employee, col(Employee.id) == col(CallbackTask.owner_id), isouter=True)
        .where(col(CallbackTask.status).in_(list(ACTIVE_STATUSES)))
        .where(col(CallbackWindow.starts_at) >= start, col(CallbackWindow.starts_at) < end)
        .order_by(col(CallbackWindow.starts_at), col(CallbackTask.id))
    ).all()
    return [
        _reminder(task, owner, window_starts_at=window.starts_at) for task, window, owner in rows
    ]


def overdue(*, session: Session, now: datetime, calendar: ProductionCalendar) -> list[Reminder]:
    """Active tasks whose promised day's working hours are over (the supervisor's list)."""
    local_today = now.astimezone(calendar.tz).date()
    rows = session.exec(
        select(CallbackTask, Employee)
        .join(Employee, col(Employee.id) == col(CallbackTask.owner_id), isouter=True)
        .where(col(CallbackTask.status).in_(list(ACTIVE_STATUSES)))
        .where(col(CallbackTask.promised_on) <= local_today)
        .order_by(col(CallbackTask.promised_on), col(CallbackTask.id))
    ).all()
    return [
        _reminder(task, owner)
        for task, owner in rows
        if is_overdue(task.promised_on, task.status, now, calendar)
    ]


def _reminder(
    task: CallbackTask, owner: Employee | None, *, window_starts_at: datetime | None = None
) -> Reminder:
    assert task.id is not None
    return Reminder(
        task_id=task.id,
        phone=task.phone_e164,
        owner=owner.internal_number if owner else "",
        promised_on=task.promised_on,
        window_starts_at=window_starts_at,
    )
