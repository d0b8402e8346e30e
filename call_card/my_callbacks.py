"""The operator's callbacks (C11): their active tasks by window and deadline, overdue first,
each with its windows, attempts and any click-to-call in flight; the tasks nobody owns yet.
Changing them: ``call_card.callback_changes``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from call_card.labels import (
    ATTEMPT_RESULT_LABELS_RU,
    CALLBACK_SOURCE_LABELS_RU,
    CALLBACK_STATUS_LABELS_RU,
)
from call_card.lookup import employee_names, find_operator
from call_card.refusals import Refusal, not_found
from models.operator_access import Dialling, callback_target
from models.phones import format_phone
from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.callbacks import ACTIVE_STATUSES, CallbackStatus, TimeWindow, is_overdue
from models.tables import (
    AttemptResult,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    Client,
)
from models.topics import TOPIC_LABELS_RU, Topic

UNASSIGNED_LIMIT = 100


@dataclass(frozen=True, slots=True)
class AttemptLine:
    at: datetime
    result: AttemptResult
    result_label: str
    employee_name: str


@dataclass(frozen=True, slots=True)
class CallbackItem:
    task_id: int
    phone_e164: str
    phone_display: str
    client_name: str  # "" when the number has no client record
    question: str
    topic: Topic | None
    topic_label: str
    source: CallbackSource
    source_label: str
    requested_at: datetime
    promised_on: date
    status: CallbackStatus
    status_label: str
    overdue: bool  # the promised day's working hours are over
    windows: tuple[TimeWindow, ...]  # all agreed, earliest first
    next_window: TimeWindow | None  # the first not over yet
    attempts: tuple[AttemptLine, ...]  # oldest first
    owner_id: int | None
    owner_name: str
    dialling: Dialling | None  # a click-to-call in flight holds the task
    closed_at: datetime | None
    result_note: str


def my_callbacks(
    session: Session, *, operator_id: int, calendar: ProductionCalendar, now: datetime
) -> list[CallbackItem] | Refusal:
    """The operator's active tasks: overdue first, then by the next window (tasks without
    one after those with), then by the promised date."""
    require_aware(now, "now")
    operator = find_operator(session, operator_id)
    if isinstance(operator, Refusal):
        return operator
    tasks = session.exec(
        select(CallbackTask).where(
            CallbackTask.owner_id == operator_id,
            col(CallbackTask.status).in_(ACTIVE_STATUSES),
        )
    ).all()
    return _sorted(callback_items(session, list(tasks), calendar, now))


def unassigned_callbacks(
    session: Session, *, calendar: ProductionCalendar, now: datetime, limit: int = UNASSIGNED_LIMIT
) -> list[CallbackItem]:
    """Active tasks nobody owns yet (missed calls, IVR requests), in the same order."""
    require_aware(now, "now")
    tasks = session.exec(
        select(CallbackTask)
        .where(col(CallbackTask.owner_id).is_(None), col(CallbackTask.status).in_(ACTIVE_STATUSES))
        .order_by(col(CallbackTask.promised_on), col(CallbackTask.id))
        .limit(limit)
    ).all()
    return _sorted(callback_items(session, list(tasks), calendar, now))


def callback_item(
    session: Session, *, task_id: int, calendar: ProductionCalendar, now: datetime
) -> CallbackItem | Refusal:
    task = session.get(CallbackTask, task_id)
    if task is None:
        return not_found(f"Заявки на обратный звонок № {task_id} нет.")
    return callback_items(session, [task], calendar, now)[0]


def callback_items(
    session: Session, tasks: list[CallbackTask], calendar: ProductionCalendar, now: datetime
) -> list[CallbackItem]:
    ids = [task.id for task in tasks if task.id is not None]
    if not ids:
        return []
    windows: dict[int, list[TimeWindow]] = {}
    for row in session.exec(select(CallbackWindow).where(col(CallbackWindow.task_id).in_(ids))):
        windows.setdefault(row.task_id, []).append(TimeWindow(row.starts_at, row.ends_at))
    attempts: dict[int, list[CallbackAttempt]] = {}
    for attempt in session.exec(
        select(CallbackAttempt)
        .where(col(CallbackAttempt.task_id).in_(ids))
        .order_by(col(CallbackAttempt.at), col(CallbackAttempt.id))
    ):
        attempts.setdefault(attempt.task_id, []).append(attempt)
    names = employee_names(
        session,
        {task.owner_id for task in tasks}
        | {a.employee_id for rows in attempts.values() for a in rows},
    )
    client_ids = {task.client_id for task in tasks if task.client_id is not None}
    clients = (
        {
            client.id: client.full_name or ""
            for client in session.exec(select(Client).where(col(Client.id).in_(client_ids)))
        }
        if client_ids
        else {}
    )
    return [
        _item(
            session,
            task,
            sorted(windows.get(task.id or 0, []), key=lambda w: (w.starts_at, w.ends_at)),
            attempts.get(task.id or 0, []),
            names,
            clients,
            calendar,
            now,
        )
        for task in tasks
    ]


def _item(
    session: Session,
    task: CallbackTask,
    windows: list[TimeWindow],
    attempts: list[CallbackAttempt],
    names: dict[int, str],
    clients: dict[int | None, str],
    calendar: ProductionCalendar,
    now: datetime,
) -> CallbackItem:
    assert task.id is not None
    target = callback_target(session, task.id, now)
    return CallbackItem(
        task_id=task.id,
        phone_e164=task.phone_e164,
        phone_display=format_phone(task.phone_e164),
        client_name=clients.get(task.client_id, ""),
        question=task.question,
        topic=task.topic,
        topic_label=TOPIC_LABELS_RU[task.topic] if task.topic else "тема не выбрана",
        source=task.source,
        source_label=CALLBACK_SOURCE_LABELS_RU[task.source],
        requested_at=task.requested_at,
        promised_on=task.promised_on,
        status=task.status,
        status_label=CALLBACK_STATUS_LABELS_RU[task.status],
        overdue=is_overdue(task.promised_on, task.status, now, calendar),
        windows=tuple(windows),
        next_window=next((w for w in windows if w.ends_at > now), None),
        attempts=tuple(
            AttemptLine(
                at=a.at,
                result=a.result,
                result_label=ATTEMPT_RESULT_LABELS_RU[a.result],
                employee_name=names.get(a.employee_id, "") if a.employee_id else "",
            )
            for a in attempts
        ),
        owner_id=task.owner_id,
        owner_name=names.get(task.owner_id, "") if task.owner_id else "",
        dialling=target.dialling if target else None,
        closed_at=task.closed_at,
        result_note=task.result_note,
    )


def _sorted(items: list[CallbackItem]) -> list[CallbackItem]:
    """Overdue first (the longest overdue first), then by the next window's start; tasks with
    no window left after those, by the promised date."""

    def key(item: CallbackItem) -> tuple[int, int, float, int]:
        window = item.next_window
        if item.overdue:
            return (0, item.promised_on.toordinal(), 0.0, item.task_id)
        if window is not None:
            return (1, 0, window.starts_at.timestamp(), item.task_id)
        return (2, item.promised_on.toordinal(), 0.0, item.task_id)

    return sorted(items, key=key)
