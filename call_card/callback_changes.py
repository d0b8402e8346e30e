"""Changing the operator's callbacks by hand (C11): taking a task nobody owns, a new date or
windows agreed with the client (the reason recorded), closing a task with its outcome.

Every change is kept in ``callback_task_changes`` (who, when, why, the dates and windows
before and after). A task a click-to-call is dialling right now (``models.operator_access``)
is neither rescheduled nor closed until that attempt has its result. Only the task's owner
changes it; a task nobody owns becomes the operator's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from call_card.callbacks import check_windows
from call_card.labels import CALLBACK_STATUS_LABELS_RU
from call_card.lookup import find_operator
from call_card.my_callbacks import CallbackItem, callback_items
from call_card.refusals import Refusal, conflict, invalid, not_found
from models.operator_access import callback_target
from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.callbacks import ACTIVE_STATUSES, CallbackStatus, TimeWindow
from models.tables import (
    CallbackChangeKind,
    CallbackTask,
    CallbackTaskChange,
    CallbackWindow,
    Employee,
)

REASON_MAX = 500
NOTE_MAX = 2000
CLOSING_OUTCOMES = frozenset({CallbackStatus.DONE, CallbackStatus.FAILED, CallbackStatus.CANCELLED})


def claim_callback(
    session: Session, *, task_id: int, operator_id: int, calendar: ProductionCalendar, now: datetime
) -> CallbackItem | Refusal:
    """Makes an active task nobody owns the operator's (one UPDATE: of two operators taking
    it at once, one gets it). Taking one's own task again changes nothing."""
    operator = find_operator(session, operator_id)
    if isinstance(operator, Refusal):
        return operator
    task = session.get(CallbackTask, task_id)
    if task is None:
        return not_found(f"Заявки на обратный звонок № {task_id} нет.")
    taken = session.connection().execute(
        update(CallbackTask)
        .where(
            col(CallbackTask.id) == task_id,
            col(CallbackTask.owner_id).is_(None),
            col(CallbackTask.status).in_(ACTIVE_STATUSES),
        )
        .values(owner_id=operator_id)
    )
    session.expire_all()
    task = session.get(CallbackTask, task_id)
    assert task is not None
    if taken.rowcount != 1:
        refusal = _closed_refusal(task) or _owner_refusal(session, task, operator_id)
        if refusal is not None:
            return refusal
    return callback_items(session, [task], calendar, now)[0]


def reschedule_callback(
    session: Session,
    *,
    task_id: int,
    operator_id: int,
    windows: Sequence[TimeWindow],
    promised_on: date | None,
    reason: str,
    calendar: ProductionCalendar,
    now: datetime,
) -> CallbackItem | Refusal:
    """A new agreement with the client: ``windows`` replace the windows not over yet (past
    ones stay, as the record of what was agreed), ``promised_on`` (None: unchanged) must be a
    working day, not past. The reason is required and recorded. Sent twice, the second
    changes nothing."""
    require_aware(now, "now")
    task = _changeable(session, task_id, operator_id, now)
    if isinstance(task, Refusal):
        return task
    text = reason.strip()
    if not text:
        return invalid("Укажите причину переноса.")
    if len(text) > REASON_MAX:
        return invalid(f"Причина переноса — не длиннее {REASON_MAX} символов.")
    agreed = check_windows(windows, calendar, now=now)
    if isinstance(agreed, Refusal):
        return agreed
    refusal = _promised_refusal(promised_on, calendar, now)
    if refusal is not None:
        return refusal
    assert task.id is not None
    rows = list(session.exec(select(CallbackWindow).where(CallbackWindow.task_id == task.id)))
    open_rows = [row for row in rows if row.ends_at > now]
    before = tuple(
        sorted(
            (TimeWindow(row.starts_at, row.ends_at) for row in open_rows),
            key=lambda w: (w.starts_at, w.ends_at),
        )
    )
    new_promise = promised_on if promised_on is not None else task.promised_on
    if before == agreed and new_promise == task.promised_on:
        return callback_items(session, [task], calendar, now)[0]  # a repeated submit
    for row in open_rows:
        session.delete(row)
    for window in agreed:
        session.add(
            CallbackWindow(task_id=task.id, starts_at=window.starts_at, ends_at=window.ends_at)
        )
    session.add(
        CallbackTaskChange(
            task_id=task.id,
            at=now,
            employee_id=operator_id,
            kind=CallbackChangeKind.RESCHEDULED,
            reason=text,
            promised_before=task.promised_on,
            promised_after=new_promise,
            detail=(
                f"Окна: было {_windows_text(before, calendar)}; "
                f"стало {_windows_text(agreed, calendar)}."
            ),
        )
    )
    task.promised_on = new_promise
    task.owner_id = operator_id
    session.add(task)
    session.flush()
    return callback_items(session, [task], calendar, now)[0]


def close_callback(
    session: Session,
    *,
    task_id: int,
    operator_id: int,
    outcome: CallbackStatus,
    note: str,
    calendar: ProductionCalendar,
    now: datetime,
) -> CallbackItem | Refusal:
    """Closes the task: DONE (the answer was given), FAILED (the client could not be reached
    or answered) or CANCELLED (no longer needed). A note is required unless DONE: why. A task
    already closed is refused (a repeated submit changes nothing)."""
    require_aware(now, "now")
    if outcome not in CLOSING_OUTCOMES:
        return invalid("Исход заявки: выполнена, не выполнена или отменена.")
    text = note.strip()
    if outcome is not CallbackStatus.DONE and not text:
        return invalid("Укажите, почему заявка не выполнена или отменена.")
    if len(text) > NOTE_MAX:
        return invalid(f"Итог — не длиннее {NOTE_MAX} символов.")
    changeable = _changeable(session, task_id, operator_id, now)
    if isinstance(changeable, Refusal):
        return changeable
    closed = session.connection().execute(
        update(CallbackTask)
        .where(col(CallbackTask.id) == task_id, col(CallbackTask.status).in_(ACTIVE_STATUSES))
        .values(status=outcome, closed_at=now, result_note=text, owner_id=operator_id)
    )
    session.expire_all()
    task = session.get(CallbackTask, task_id)
    assert task is not None
    if closed.rowcount != 1:  # closed meanwhile by someone else
        refusal = _closed_refusal(task)
        assert refusal is not None
        return refusal
    session.add(
        CallbackTaskChange(
            task_id=task_id,
            at=now,
            employee_id=operator_id,
            kind=CallbackChangeKind.CLOSED,
            reason=text,
            promised_before=task.promised_on,
            promised_after=task.promised_on,
            detail=CALLBACK_STATUS_LABELS_RU[outcome],
        )
    )
    session.flush()
    return callback_items(session, [task], calendar, now)[0]


def _changeable(
    session: Session, task_id: int, operator_id: int, now: datetime
) -> CallbackTask | Refusal:
    operator = find_operator(session, operator_id)
    if isinstance(operator, Refusal):
        return operator
    task = session.get(CallbackTask, task_id)
    if task is None:
        return not_found(f"Заявки на обратный звонок № {task_id} нет.")
    refusal = _closed_refusal(task) or _owner_refusal(session, task, operator_id)
    if refusal is not None:
        return refusal
    target = callback_target(session, task_id, now)
    if target is not None and target.dialling is not None:
        who = target.dialling.employee_name or "другой сотрудник"
        since = target.dialling.since.astimezone(now.tzinfo)
        return conflict(
            f"По заявке сейчас идёт звонок ({who}, с {since:%H:%M}). Дождитесь его результата."
        )
    return task


def _closed_refusal(task: CallbackTask) -> Refusal | None:
    if task.status in ACTIVE_STATUSES:
        return None
    label = CALLBACK_STATUS_LABELS_RU[task.status].lower()
    when = f" {task.closed_at:%d.%m.%Y}" if task.closed_at else ""
    return conflict(f"Заявка № {task.id} уже закрыта ({label}){when}.")


def _owner_refusal(session: Session, task: CallbackTask, operator_id: int) -> Refusal | None:
    if task.owner_id is None or task.owner_id == operator_id:
        return None
    owner = session.get(Employee, task.owner_id)
    name = owner.full_name if owner else "другим сотрудником"
    return conflict(f"Заявка № {task.id} закреплена за сотрудником {name}.")


def _promised_refusal(
    promised_on: date | None, calendar: ProductionCalendar, now: datetime
) -> Refusal | None:
    if promised_on is None:
        return None
    if promised_on < now.astimezone(calendar.tz).date():
        return invalid(f"Дата ответа {promised_on:%d.%m.%Y} уже прошла.")
    if not calendar.is_working_day(promised_on):
        return invalid(f"{promised_on:%d.%m.%Y} — нерабочий день, выберите рабочий.")
    return None


def _windows_text(windows: Sequence[TimeWindow], calendar: ProductionCalendar) -> str:
    if not windows:
        return "нет"
    parts = []
    for window in windows:
        starts, ends = (
            window.starts_at.astimezone(calendar.tz),
            window.ends_at.astimezone(calendar.tz),
        )
        parts.append(f"{starts:%d.%m.%Y %H:%M}–{ends:%H:%M}")
    return ", ".join(parts)
