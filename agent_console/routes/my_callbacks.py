"""The operator's callbacks (C11): ``GET /callbacks``, the page «Мои обратные звонки» (their
active tasks, overdue first, and the tasks nobody owns yet), ``GET /callbacks/list`` the same
lists alone (the page re-reads them after an action and on the live ``callbacks`` topic), and
the actions the page sends with fetch:

* ``POST /callbacks/{task_id}/call`` — click-to-call (``ami.actions.click_to_call``): the
  operator's phone rings first; the answer comes once it answered or failed, the attempt's
  result later on the ``callbacks`` topic;
* ``POST /callbacks/{task_id}/claim`` — take a task nobody owns;
* ``POST /callbacks/{task_id}/reschedule`` — a new day and window agreed, with the reason;
* ``POST /callbacks/{task_id}/close`` — done, failed or cancelled, with a note.

A refusal of ``call_card`` (nothing changed) is the HTTP error with its Russian reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from agent_console.auth.rules import allow, page
from agent_console.deps import Backend, BackendDep, BridgeDep
from agent_console.refusal_http import http_error
from agent_console.templating import Layout, render
from ami.actions import NO_LINK_RU, ActionStatus
from call_card.callback_changes import claim_callback, close_callback, reschedule_callback
from call_card.my_callbacks import CallbackItem, my_callbacks, unassigned_callbacks
from call_card.refusals import Refusal
from models.calendar_store import load_calendar
from models.db import session_scope
from models.operator_access import OperatorAccess, operator_for_employee
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import CallbackStatus, TimeWindow
from models.tables import CallbackTask, Employee, Role
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)

router = APIRouter(prefix="/callbacks", tags=["callbacks"])

OUTCOME_LABELS_RU: dict[CallbackStatus, str] = {
    CallbackStatus.DONE: "Выполнена: ответ дан",
    CallbackStatus.FAILED: "Не выполнена: не дозвонились или не смогли ответить",
    CallbackStatus.CANCELLED: "Отменена: больше не нужна",
}


# --------------------------------------------------------------------------- view model


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class TaskView:
    """One task as the page shows it (times in the line's zone)."""

    task_id: int
    phone: str
    client: str
    question: str
    topic: str
    source: str
    promised_on: str
    status: str
    overdue: bool
    windows: list[str]
    next_window: str
    attempts: list[str]
    owner: str
    dialling: str  # "" when no click-to-call holds the task
    today: str  # the line's date, the reschedule form's earliest day


@dataclass(frozen=True, slots=True)
class CallbacksPage:
    mine: list[TaskView]
    unassigned: list[TaskView]
    outcomes: list[Choice]
    error: str = ""


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def _window_text(window: TimeWindow, calendar: ProductionCalendar) -> str:
    starts = window.starts_at.astimezone(calendar.tz)
    ends = window.ends_at.astimezone(calendar.tz)
    return f"{starts:%d.%m.%Y} {starts:%H:%M}–{ends:%H:%M}"


def task_view(item: CallbackItem, calendar: ProductionCalendar, now: datetime) -> TaskView:
    zone = calendar.tz
    dialling = ""
    if item.dialling is not None:
        who = item.dialling.employee_name or "сотрудник"
        dialling = f"Идёт звонок ({who}, с {item.dialling.since.astimezone(zone):%H:%M})"
    return TaskView(
        task_id=item.task_id,
        phone=item.phone_display,
        client=item.client_name or "клиент не записан",
        question=item.question or "вопрос не записан",
        topic=item.topic_label,
        source=item.source_label,
        promised_on=_day(item.promised_on),
        status=item.status_label,
        overdue=item.overdue,
        windows=[_window_text(w, calendar) for w in item.windows],
        next_window=_window_text(item.next_window, calendar) if item.next_window else "",
        attempts=[
            f"{a.at.astimezone(zone):%d.%m.%Y %H:%M} — {a.result_label}"
            + (f" ({a.employee_name})" if a.employee_name else "")
            for a in item.attempts
        ],
        owner=item.owner_name,
        dialling=dialling,
        today=f"{now.astimezone(zone).date():%Y-%m-%d}",
    )


def _lists(backend: Backend, user: SignedIn) -> CallbacksPage:
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        mine = my_callbacks(session, operator_id=user.employee_id, calendar=calendar, now=now)
        unassigned = unassigned_callbacks(session, calendar=calendar, now=now)
    outcomes = [Choice(outcome.value, label) for outcome, label in OUTCOME_LABELS_RU.items()]
    if isinstance(mine, Refusal):  # a signed-in account whose employee is gone or inactive
        return CallbacksPage([], [], outcomes, error=mine.reason)
    return CallbacksPage(
        mine=[task_view(item, calendar, now) for item in mine],
        unassigned=[task_view(item, calendar, now) for item in unassigned],
        outcomes=outcomes,
    )


# --------------------------------------------------------------------------- pages


@router.get("", include_in_schema=False)
def callbacks_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(Role.OPERATOR)]
) -> Response:
    """«Мои обратные звонки»."""
    return _render(request, backend, user, "my_callbacks.html")


@router.get("/list", include_in_schema=False)
def callbacks_list(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(Role.OPERATOR)]
) -> Response:
    """The page's lists alone, for the page to put in place of its own."""
    return _render(request, backend, user, "my_callbacks_lists.html")


def _render(request: Request, backend: Backend, user: SignedIn, template: str) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    return render(
        request, template, layout=layout, title="Мои обратные звонки", page=_lists(backend, user)
    )


# --------------------------------------------------------------------------- actions


class ActionDone(BaseModel):
    task_id: int
    message: str  # for the operator, in Russian


class Reschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Annotated[str, Field(max_length=20)]  # YYYY-MM-DD, the line's local date
    starts: Annotated[str, Field(max_length=10)]  # HH:MM
    ends: Annotated[str, Field(max_length=10)]
    reason: Annotated[str, Field(max_length=2000)] = ""


class Close(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Annotated[str, Field(max_length=20)]
    note: Annotated[str, Field(max_length=4000)] = ""


def _invalid(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, reason)


@router.post("/{task_id}/claim", response_model=ActionDone)
def claim(
    backend: BackendDep, user: Annotated[SignedIn, allow(Role.OPERATOR)], task_id: int
) -> ActionDone:
    """Takes a task nobody owns (taking one's own again changes nothing)."""
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        done = claim_callback(
            session, task_id=task_id, operator_id=user.employee_id, calendar=calendar, now=now
        )
        if isinstance(done, Refusal):
            raise http_error(done)
    log.info("заявка на обратный звонок %d взята (%s)", task_id, user.login)
    return ActionDone(task_id=task_id, message=f"Заявка № {task_id} теперь ваша.")


@router.post("/{task_id}/reschedule", response_model=ActionDone)
def reschedule(
    backend: BackendDep,
    user: Annotated[SignedIn, allow(Role.OPERATOR)],
    task_id: int,
    body: Reschedule,
) -> ActionDone:
    """A new day and window agreed with the client; the reason is recorded. The day becomes
    the promised date."""
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        window = _window(body, calendar)
        done = reschedule_callback(
            session,
            task_id=task_id,
            operator_id=user.employee_id,
            windows=[window],
            promised_on=window.starts_at.astimezone(calendar.tz).date(),
            reason=body.reason,
            calendar=calendar,
            now=now,
        )
        if isinstance(done, Refusal):
            raise http_error(done)
    log.info("заявка на обратный звонок %d перенесена (%s)", task_id, user.login)
    text = _window_text(window, calendar)
    return ActionDone(task_id=task_id, message=f"Заявка № {task_id} перенесена на {text}.")


@router.post("/{task_id}/close", response_model=ActionDone)
def close(
    backend: BackendDep,
    user: Annotated[SignedIn, allow(Role.OPERATOR)],
    task_id: int,
    body: Close,
) -> ActionDone:
    """Closes the task with its outcome; a note is required unless it is done."""
    try:
        outcome = CallbackStatus(body.outcome)
    except ValueError:
        outcome = CallbackStatus.OPEN  # refused below with the reason
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        done = close_callback(
            session,
            task_id=task_id,
            operator_id=user.employee_id,
            outcome=outcome,
            note=body.note,
            calendar=calendar,
            now=now,
        )
        if isinstance(done, Refusal):
            raise http_error(done)
    log.info("заявка на обратный звонок %d закрыта: %s (%s)", task_id, outcome, user.login)
    label = OUTCOME_LABELS_RU[outcome].split(":")[0].lower()
    return ActionDone(task_id=task_id, message=f"Заявка № {task_id} закрыта: {label}.")


@router.post("/{task_id}/call", response_model=ActionDone)
async def call(
    backend: BackendDep,
    bridge: BridgeDep,
    user: Annotated[SignedIn, allow(Role.OPERATOR)],
    task_id: int,
) -> ActionDone:
    """Click-to-call: rings the operator's phone, then the client. Answers once the operator's
    phone answered (the attempt's result comes on the ``callbacks`` topic) or failed."""
    now = backend.clock()
    operator = await run_in_threadpool(_caller, backend, user, task_id)
    if bridge is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NO_LINK_RU)
    result = await bridge.click_to_call(task_id=task_id, operator=operator, now=now)
    log.info("звонок по заявке %d: %s (%s)", task_id, result.status, user.login)
    if result.status is ActionStatus.DONE:
        return ActionDone(
            task_id=task_id, message="Вы ответили: набираем клиента. Результат появится здесь."
        )
    if result.status is ActionStatus.REFUSED:
        raise HTTPException(status.HTTP_409_CONFLICT, result.reason)
    if result.status is ActionStatus.FAILED:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, result.reason)
    raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, result.reason)


def _caller(backend: Backend, user: SignedIn, task_id: int) -> OperatorAccess:
    """The operator, when the task is theirs (a task nobody owns is taken first)."""
    with session_scope(backend.engine) as session:
        return _owner_operator(session, backend, user, task_id)


def _owner_operator(
    session: Session, backend: Backend, user: SignedIn, task_id: int
) -> OperatorAccess:
    task = session.get(CallbackTask, task_id)
    if task is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Заявки на обратный звонок № {task_id} нет."
        )
    if task.owner_id is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"Заявка № {task_id} ничья: сначала возьмите её себе."
        )
    if task.owner_id != user.employee_id:
        owner = session.get(Employee, task.owner_id)
        name = owner.full_name if owner else "другим сотрудником"
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"Заявка № {task_id} закреплена за сотрудником {name}."
        )
    operator = operator_for_employee(session, user.employee_id, backend.today())
    if operator is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Ваша учётная запись неактивна.")
    return operator


def _window(body: Reschedule, calendar: ProductionCalendar) -> TimeWindow:
    try:
        day = date.fromisoformat(body.day.strip())
    except ValueError:
        raise _invalid("Укажите день звонка.") from None
    try:
        starts, ends = (
            time.fromisoformat(body.starts.strip()),
            time.fromisoformat(body.ends.strip()),
        )
    except ValueError:
        raise _invalid("Укажите время звонка: с какого и до какого часа.") from None
    if ends <= starts:
        raise _invalid("Время «до» должно быть позже времени «с».")
    zone = calendar.tz
    return TimeWindow(datetime.combine(day, starts, zone), datetime.combine(day, ends, zone))
