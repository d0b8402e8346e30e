"""A callback taken on the card (C11): the answer cannot be given live, so the operator takes
a number, names the date the answer will be ready (working days on the production calendar),
agrees time windows, and reads the agreement back from the script.

The number's one active task (``models.callback_tasks``) is created or reused: a task the
IVR or a missed call opened for the number gets the new windows and question, keeps the
earlier of the two promised dates (no promise made is broken) and, if nobody owns it yet,
becomes the operator's. So a form sent twice leaves one task with its windows once.

:func:`create_callback` takes the engine, not a session: like ``LineStore.open_callback`` it
holds the process-wide number lock around its whole transaction, commit included, so that a
concurrent writer (the IVR, the call log, a second click) sees the task only once it is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from call_card.lookup import call_client, find_call_and_operator
from call_card.refusals import Refusal, invalid
from call_card.script_text import Slot, spoken_date, spoken_windows
from call_card.scripts import Script, ScriptKind, call_language, call_values, script
from models.callback_tasks import active_task, lock_number, number_lock
from models.db import session_scope
from models.phones import format_phone, normalize_phone
from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.callbacks import (
    CallbackWindowError,
    TimeWindow,
    promised_answer_date,
    validate_window,
    window_choices,
)
from models.tables import Call, CallbackSource, CallbackTask, CallbackWindow, Client, Employee

QUESTION_MAX = 2000
# A promise further than about a month ahead is a typing slip, not an agreement.
MAX_PROMISE_WORKING_DAYS = 20
WINDOW_LENGTH = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class CallbackOffer:
    """What the operator offers: the answer date and the windows on that day."""

    working_days: int
    promised_on: date
    windows: tuple[TimeWindow, ...]


@dataclass(frozen=True, slots=True)
class CallbackCreated:
    task_id: int
    reused: bool  # the number already had an active task: it was extended
    phone_e164: str
    phone_display: str
    promised_on: date  # the task's (the earlier one when reused)
    windows: tuple[TimeWindow, ...]  # agreed now
    owner_name: str  # who owns the task ("" for nobody)
    read_back: Script | None  # the callback script with the date and windows filled in


def callback_offer(
    calendar: ProductionCalendar, *, now: datetime, working_days: int
) -> CallbackOffer | Refusal:
    """The promised date ``working_days`` working days from ``now`` (a request after hours
    counts from the next opening) and the window choices on that day."""
    require_aware(now, "now")
    refusal = _working_days_refusal(working_days)
    if refusal is not None:
        return refusal
    promised_on = promised_answer_date(now, calendar, working_days)
    return CallbackOffer(
        working_days, promised_on, tuple(window_choices_on(calendar, day=promised_on, now=now))
    )


def window_choices_on(
    calendar: ProductionCalendar, *, day: date, now: datetime, length: timedelta = WINDOW_LENGTH
) -> list[TimeWindow]:
    """The day's windows (``models.rules.callbacks.window_choices``) not over at ``now``;
    [] on a day off."""
    require_aware(now, "now")
    return [window for window in window_choices(day, calendar, length) if window.ends_at > now]


def check_phone(raw: str) -> str | Refusal:
    """The number in E.164 (``models.phones.normalize_phone``), or why it is refused."""
    phone = normalize_phone(raw)
    if phone is None:
        shown = raw.strip()[:40]
        return invalid(
            f"Номер «{shown}» не распознан. Запишите его полностью, с кодом города или "
            "оператора: например, 8 928 123-45-67 или +7 928 123-45-67."
        )
    return phone


def check_windows(
    windows: Sequence[TimeWindow], calendar: ProductionCalendar, *, now: datetime
) -> tuple[TimeWindow, ...] | Refusal:
    """At least one window, each one agreeable at ``now`` (``validate_window``: not over,
    at least 30 minutes, inside one working day's hours); repeats dropped."""
    if not windows:
        return invalid("Выберите хотя бы одно удобное время для звонка.")
    unique: list[TimeWindow] = []
    for window in windows:
        try:
            validate_window(window, calendar, now=now)
        except CallbackWindowError as exc:
            return invalid(str(exc))
        if window not in unique:
            unique.append(window)
    return tuple(sorted(unique, key=lambda w: (w.starts_at, w.ends_at)))


def create_callback(
    engine: Engine,
    *,
    linkedid: str,
    operator_id: int,
    phone: str,
    windows: Sequence[TimeWindow],
    question: str,
    calendar: ProductionCalendar,
    working_days: int,
    now: datetime,
) -> CallbackCreated | Refusal:
    """Creates (or extends) the callback task of ``phone`` for the call ``linkedid``, owned by
    the operator, and returns it with the read-back. Refused, changing nothing: unknown call
    or employee, an invalid number, no window or a window in the past or outside working
    hours, a question too long, a promise of fewer than 1 or more than 20 working days."""
    require_aware(now, "now")
    with number_lock(), session_scope(engine) as session:
        checked = _checked(
            session, linkedid, operator_id, phone, windows, question, calendar, working_days, now
        )
        if isinstance(checked, Refusal):
            return checked
        call, operator, phone_e164, agreed = checked
        lock_number(session, phone_e164)  # C11: one active task per number, across processes
        promised_on = promised_answer_date(now, calendar, working_days)
        task, reused = _task(
            session, call, operator, phone_e164, question.strip(), promised_on, now
        )
        assert task.id is not None
        _add_windows(session, task.id, agreed)
        owner = session.get(Employee, task.owner_id) if task.owner_id is not None else None
        return CallbackCreated(
            task_id=task.id,
            reused=reused,
            phone_e164=phone_e164,
            phone_display=format_phone(phone_e164),
            promised_on=task.promised_on,
            windows=agreed,
            owner_name=owner.full_name if owner else "",
            read_back=_read_back(session, call, operator, task.promised_on, agreed, calendar),
        )


def _checked(
    session: Session,
    linkedid: str,
    operator_id: int,
    phone: str,
    windows: Sequence[TimeWindow],
    question: str,
    calendar: ProductionCalendar,
    working_days: int,
    now: datetime,
) -> tuple[Call, Employee, str, tuple[TimeWindow, ...]] | Refusal:
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    phone_e164 = check_phone(phone)
    if isinstance(phone_e164, Refusal):
        return phone_e164
    refusal = _working_days_refusal(working_days)
    if refusal is not None:
        return refusal
    if len(question.strip()) > QUESTION_MAX:
        return invalid(f"Вопрос — не длиннее {QUESTION_MAX} символов.")
    agreed = check_windows(windows, calendar, now=now)
    if isinstance(agreed, Refusal):
        return agreed
    return call, operator, phone_e164, agreed


def _working_days_refusal(working_days: int) -> Refusal | None:
    if 1 <= working_days <= MAX_PROMISE_WORKING_DAYS:
        return None
    return invalid(
        f"Срок ответа — от 1 до {MAX_PROMISE_WORKING_DAYS} рабочих дней, указано {working_days}."
    )


def _task(
    session: Session,
    call: Call,
    operator: Employee,
    phone_e164: str,
    question: str,
    promised_on: date,
    now: datetime,
) -> tuple[CallbackTask, bool]:
    task = active_task(session, phone_e164)
    reused = task is not None
    if task is None:
        client = session.exec(select(Client).where(Client.phone_e164 == phone_e164)).first()
        client_id = client.id if client else None
        if client_id is None and phone_e164 == call.caller_e164:
            client_id = call.client_id
        task = CallbackTask(
            client_id=client_id,
            phone_e164=phone_e164,
            question=question,
            topic=call.topic,
            source=CallbackSource.OPERATOR,
            origin_call_id=call.id,
            requested_at=now,
            promised_on=promised_on,
            owner_id=operator.id,
        )
    else:
        task.promised_on = min(task.promised_on, promised_on)
        if question and question not in task.question:
            task.question = "\n\n".join(part for part in (task.question, question) if part)
        task.topic = task.topic or call.topic
        task.owner_id = task.owner_id if task.owner_id is not None else operator.id
    session.add(task)
    session.flush()
    return task, reused


def _add_windows(session: Session, task_id: int, windows: Sequence[TimeWindow]) -> None:
    present = {
        (row.starts_at, row.ends_at)
        for row in session.exec(select(CallbackWindow).where(CallbackWindow.task_id == task_id))
    }
    for window in windows:
        if (window.starts_at, window.ends_at) not in present:
            present.add((window.starts_at, window.ends_at))
            session.add(
                CallbackWindow(task_id=task_id, starts_at=window.starts_at, ends_at=window.ends_at)
            )
    session.flush()


def _read_back(
    session: Session,
    call: Call,
    operator: Employee,
    promised_on: date,
    windows: Sequence[TimeWindow],
    calendar: ProductionCalendar,
) -> Script | None:
    language = call_language(call, call_client(session, call))
    values = call_values(session, call, operator.full_name)
    values[Slot.PROMISED_DATE] = spoken_date(promised_on, language)
    values[Slot.WINDOW] = spoken_windows(windows, promised_on, calendar.tz, language)
    return script(session, ScriptKind.CALLBACK_CLOSING, language=language, values=values)
