"""The operator's callbacks (C11): overdue first, then by window, with their attempts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from call_card.my_callbacks import (
    CallbackItem,
    callback_item,
    my_callbacks,
    unassigned_callbacks,
)
from call_card.refusals import Refusal, RefusalKind
from models.db import session_scope
from models.operator_access import record_callback_attempt, reserve_callback
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import CallbackStatus
from models.tables import AttemptResult
from tests.call_card.samples import NOW, add_person, add_task, window


def _mine(engine: Engine, operator: int, calendar: ProductionCalendar) -> list[CallbackItem]:
    with session_scope(engine) as session:
        items = my_callbacks(session, operator_id=operator, calendar=calendar, now=NOW)
    assert isinstance(items, list)
    return items


def test_my_tasks_overdue_first_then_by_window_then_by_date(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    colleague = add_person(db_engine, "202", "Коллега Два")
    later_window = add_task(
        db_engine, owner_id=operator, windows=[window(4, 14, 16)], phone="+79280000001"
    )
    no_window = add_task(
        db_engine, owner_id=operator, promised_on=date(2026, 12, 7), phone="+79280000002"
    )
    overdue = add_task(
        db_engine, owner_id=operator, promised_on=date(2026, 12, 2), phone="+79280000003"
    )
    sooner_window = add_task(
        db_engine,
        owner_id=operator,
        windows=[window(3, 9, 11), window(4, 10, 12)],
        phone="+79280000004",
    )
    add_task(db_engine, owner_id=colleague, phone="+79280000005")
    add_task(db_engine, owner_id=operator, status=CallbackStatus.DONE, phone="+79280000006")
    items = _mine(db_engine, operator, calendar)
    assert [item.task_id for item in items] == [overdue, sooner_window, later_window, no_window]
    assert [item.overdue for item in items] == [True, False, False, False]
    # today's 09:00-11:00 window is not over at 10:00: it is the task's next one
    assert items[1].next_window == window(3, 9, 11)
    assert items[1].windows == (window(3, 9, 11), window(4, 10, 12))
    assert (items[0].phone_display, items[0].status_label, items[0].owner_name) == (
        "+7 928 000-00-03",
        "Открыта",
        "Оператор Один",
    )


def test_each_task_shows_its_attempts_and_a_live_dial(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    task_id = add_task(db_engine, owner_id=operator)
    with session_scope(db_engine) as session:
        record_callback_attempt(
            session,
            task_id=task_id,
            employee_id=operator,
            channel_id="chan-1",
            result=AttemptResult.NO_ANSWER,
            at=NOW - timedelta(hours=1),
        )
        reserve_callback(
            session, task_id=task_id, channel_id="chan-2", employee_id=operator, now=NOW
        )
    (item,) = _mine(db_engine, operator, calendar)
    assert [(a.result_label, a.employee_name) for a in item.attempts] == [
        ("Не ответил", "Оператор Один")
    ]
    assert item.dialling is not None
    assert item.dialling.channel_id == "chan-2"


def test_tasks_nobody_owns_are_listed_apart(
    db_engine: Engine, calendar: ProductionCalendar
) -> None:
    # C13 tasks of missed calls and IVR requests have no owner until someone takes them
    operator = add_person(db_engine, "201", "Оператор Один")
    add_task(db_engine, owner_id=operator, phone="+79280000001")
    later = add_task(db_engine, promised_on=date(2026, 12, 7), phone="+79280000002")
    overdue = add_task(db_engine, promised_on=date(2026, 12, 2), phone="+79280000003")
    add_task(db_engine, status=CallbackStatus.CANCELLED, phone="+79280000004")
    with session_scope(db_engine) as session:
        free = unassigned_callbacks(session, calendar=calendar, now=NOW)
    assert [(item.task_id, item.owner_name) for item in free] == [(overdue, ""), (later, "")]
    assert free[0].source_label == "Пропущенный звонок"


def test_unknown_operator_gets_a_refusal(db_engine: Engine, calendar: ProductionCalendar) -> None:
    with session_scope(db_engine) as session:
        refused = my_callbacks(session, operator_id=404, calendar=calendar, now=NOW)
        missing = callback_item(session, task_id=404, calendar=calendar, now=NOW)
    assert isinstance(refused, Refusal)
    assert refused.kind is RefusalKind.NOT_FOUND
    assert missing == Refusal(RefusalKind.NOT_FOUND, "Заявки на обратный звонок № 404 нет.")
