"""Changing callbacks by hand (C11): a new agreement recorded with its reason, closing with an
outcome, taking a task nobody owns; nobody else's task, nor one being dialled, touched."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from call_card.callback_changes import claim_callback, close_callback, reschedule_callback
from call_card.my_callbacks import (
    CallbackItem,
    callback_item,
    my_callbacks,
    unassigned_callbacks,
)
from call_card.refusals import Refusal, RefusalKind
from models.db import session_scope
from models.operator_access import reserve_callback
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import CallbackStatus, TimeWindow
from models.tables import CallbackChangeKind, CallbackTask, CallbackTaskChange
from tests.call_card.samples import NOW, add_person, add_task, window


def _mine(engine: Engine, operator: int, calendar: ProductionCalendar) -> list[CallbackItem]:
    with session_scope(engine) as session:
        items = my_callbacks(session, operator_id=operator, calendar=calendar, now=NOW)
    assert isinstance(items, list)
    return items


def _changes(engine: Engine, task_id: int) -> list[CallbackTaskChange]:
    with session_scope(engine) as session:
        return list(
            session.exec(select(CallbackTaskChange).where(CallbackTaskChange.task_id == task_id))
        )


def _reschedule(
    engine: Engine,
    calendar: ProductionCalendar,
    task_id: int,
    operator: int,
    *,
    windows: tuple[TimeWindow, ...] = (window(9, 14, 16),),
    promised_on: date | None = date(2026, 12, 9),
    reason: str = "Клиент просит перезвонить в среду",
) -> CallbackItem | Refusal:
    with session_scope(engine) as session:
        return reschedule_callback(
            session,
            task_id=task_id,
            operator_id=operator,
            windows=windows,
            promised_on=promised_on,
            reason=reason,
            calendar=calendar,
            now=NOW,
        )


def _close(
    engine: Engine,
    calendar: ProductionCalendar,
    task_id: int,
    operator: int,
    outcome: CallbackStatus = CallbackStatus.DONE,
    note: str = "Сообщили срок рассмотрения",
) -> CallbackItem | Refusal:
    with session_scope(engine) as session:
        return close_callback(
            session,
            task_id=task_id,
            operator_id=operator,
            outcome=outcome,
            note=note,
            calendar=calendar,
            now=NOW,
        )


def test_reschedule_records_who_when_why_and_the_windows_before_and_after(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(
        db_engine,
        owner_id=operator,
        promised_on=date(2026, 12, 4),
        windows=[window(2, 10, 12), window(4, 10, 12)],  # the first is over: it stays
    )
    item = _reschedule(db_engine, calendar, task_id, operator)
    assert isinstance(item, CallbackItem), item
    assert item.promised_on == date(2026, 12, 9)
    assert item.windows == (window(2, 10, 12), window(9, 14, 16))
    (change,) = _changes(db_engine, task_id)
    assert (change.kind, change.employee_id, change.at, change.reason) == (
        CallbackChangeKind.RESCHEDULED,
        operator,
        NOW,
        "Клиент просит перезвонить в среду",
    )
    assert (change.promised_before, change.promised_after) == (date(2026, 12, 4), date(2026, 12, 9))
    assert change.detail == "Окна: было 04.12.2026 10:00–12:00; стало 09.12.2026 14:00–16:00."


def test_reschedule_sent_twice_records_once(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine, owner_id=operator)
    assert isinstance(_reschedule(db_engine, calendar, task_id, operator), CallbackItem)
    assert isinstance(_reschedule(db_engine, calendar, task_id, operator), CallbackItem)
    assert len(_changes(db_engine, task_id)) == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"reason": "  "}, "Укажите причину переноса."),
        ({"reason": "п" * 501}, "не длиннее 500 символов"),
        ({"windows": ()}, "Выберите хотя бы одно удобное время"),
        ({"windows": (window(2, 10, 12),)}, "Окно для обратного звонка уже прошло."),
        ({"promised_on": date(2026, 12, 2)}, "Дата ответа 02.12.2026 уже прошла."),
        ({"promised_on": date(2026, 12, 6)}, "06.12.2026 — нерабочий день"),
    ],
)
def test_bad_reschedule_is_refused_and_changes_nothing(
    db_engine: Engine, calendar: ProductionCalendar, changes: dict[str, object], words: str
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine, owner_id=operator, windows=[window(4, 10, 12)])
    refused = _reschedule(db_engine, calendar, task_id, operator, **changes)  # type: ignore[arg-type]
    assert isinstance(refused, Refusal)
    assert refused.kind is RefusalKind.INVALID
    assert words in refused.reason
    with session_scope(db_engine) as session:
        item = callback_item(session, task_id=task_id, calendar=calendar, now=NOW)
    assert isinstance(item, CallbackItem)
    assert (item.promised_on, item.windows) == (date(2026, 12, 4), (window(4, 10, 12),))
    assert _changes(db_engine, task_id) == []


def test_close_with_an_outcome_is_recorded_and_a_second_close_refused(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine, owner_id=operator)
    closed = _close(db_engine, calendar, task_id, operator)
    assert isinstance(closed, CallbackItem), closed
    assert (closed.status, closed.closed_at, closed.result_note) == (
        CallbackStatus.DONE,
        NOW,
        "Сообщили срок рассмотрения",
    )
    again = _close(db_engine, calendar, task_id, operator, CallbackStatus.CANCELLED, "ошибка")
    assert again == Refusal(
        RefusalKind.CONFLICT, f"Заявка № {task_id} уже закрыта (выполнена) 03.12.2026."
    )
    (change,) = _changes(db_engine, task_id)
    assert (change.kind, change.reason, change.detail) == (
        CallbackChangeKind.CLOSED,
        "Сообщили срок рассмотрения",
        "Выполнена",
    )
    assert _mine(db_engine, operator, calendar) == []


@pytest.mark.parametrize(
    ("outcome", "note", "words"),
    [
        (CallbackStatus.FAILED, "", "Укажите, почему заявка не выполнена или отменена."),
        (CallbackStatus.CANCELLED, " ", "Укажите, почему"),
        (CallbackStatus.OPEN, "x", "Исход заявки: выполнена, не выполнена или отменена."),
        (CallbackStatus.DONE, "x" * 2001, "не длиннее 2000 символов"),
    ],
)
def test_close_without_a_reason_or_with_no_outcome_is_refused(
    db_engine: Engine, calendar: ProductionCalendar, outcome: CallbackStatus, note: str, words: str
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine, owner_id=operator)
    refused = _close(db_engine, calendar, task_id, operator, outcome, note)
    assert isinstance(refused, Refusal)
    assert words in refused.reason
    assert [item.status for item in _mine(db_engine, operator, calendar)] == [CallbackStatus.OPEN]


def test_task_being_dialled_is_neither_closed_nor_rescheduled(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    colleague = add_person(db_engine, "202", "Коллега Два")
    task_id = add_task(db_engine, owner_id=operator)
    with session_scope(db_engine) as session:
        reserve_callback(
            session,
            task_id=task_id,
            channel_id="chan-1",
            employee_id=colleague,
            now=NOW - timedelta(seconds=30),
        )
    refused = _close(db_engine, calendar, task_id, operator)
    assert refused == Refusal(
        RefusalKind.CONFLICT,
        "По заявке сейчас идёт звонок (Коллега Два, с 09:59). Дождитесь его результата.",
    )
    assert isinstance(_reschedule(db_engine, calendar, task_id, operator), Refusal)


def test_colleagues_task_is_not_changed_but_an_unowned_one_can_be_taken(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    colleague = add_person(db_engine, "202", "Коллега Два")
    theirs = add_task(db_engine, owner_id=colleague, phone="+79280000001")
    free = add_task(db_engine, phone="+79280000002")
    refused = _close(db_engine, calendar, theirs, operator)
    assert refused == Refusal(
        RefusalKind.CONFLICT, f"Заявка № {theirs} закреплена за сотрудником Коллега Два."
    )
    with session_scope(db_engine) as session:
        assert [
            item.task_id for item in unassigned_callbacks(session, calendar=calendar, now=NOW)
        ] == [free]
        taken = claim_callback(
            session, task_id=free, operator_id=operator, calendar=calendar, now=NOW
        )
        not_taken = claim_callback(
            session, task_id=theirs, operator_id=operator, calendar=calendar, now=NOW
        )
    assert isinstance(taken, CallbackItem)
    assert taken.owner_name == "Оператор Один"
    assert isinstance(not_taken, Refusal)
    assert [item.task_id for item in _mine(db_engine, operator, calendar)] == [free]


def test_closing_an_unowned_task_makes_it_the_closers(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine)
    closed = _close(
        db_engine, calendar, task_id, operator, CallbackStatus.FAILED, "Номер не отвечает"
    )
    assert isinstance(closed, CallbackItem)
    assert (closed.owner_id, closed.status_label) == (operator, "Не выполнена")


def test_unknown_task_or_employee_is_not_found(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine, owner_id=operator)
    unknown_task = _close(db_engine, calendar, 99999, operator)
    unknown_employee = _close(db_engine, calendar, task_id, 99999)
    assert unknown_task == Refusal(RefusalKind.NOT_FOUND, "Заявки на обратный звонок № 99999 нет.")
    assert isinstance(unknown_employee, Refusal)
    assert unknown_employee.kind is RefusalKind.NOT_FOUND
    with session_scope(db_engine) as session:
        assert session.get(CallbackTask, task_id).status is CallbackStatus.OPEN  # type: ignore[union-attr]
