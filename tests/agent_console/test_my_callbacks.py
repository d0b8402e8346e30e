"""«Мои обратные звонки» over HTTP (C11): the page lists the operator's tasks overdue first and
the tasks nobody owns; claiming, rescheduling with a reason and closing with an outcome change
the task; bad input, another operator's task, an unknown task or a missing CSRF token are
refused with a Russian reason and change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.auth.csrf import CSRF_HEADER
from models.db import session_scope
from models.operator_access import reserve_callback
from models.rules.callbacks import CallbackStatus
from models.tables import (
    CallbackChangeKind,
    CallbackTask,
    CallbackTaskChange,
    CallbackWindow,
    Language,
    Role,
    UserAccount,
)
from tests.agent_console.console import Clock, Console
from tests.call_card.samples import NOW, add_client, add_task, window

OVERDUE_PHONE = "+79281110001"
LATER_PHONE = "+79281110002"
FREE_PHONE = "+79281110003"


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW))  # Thursday 3 December 2026, 10:00 in Makhachkala
    console.add_user("operator", Role.OPERATOR)
    console.add_user("colleague", Role.OPERATOR)
    console.add_user("supervisor", Role.SUPERVISOR)
    return console


def _employee(console: Console, login: str) -> int:
    with session_scope(console.engine) as session:
        account = session.exec(select(UserAccount).where(UserAccount.login == login)).one()
        return account.employee_id


@pytest.fixture
def tasks(console: Console) -> dict[str, int]:
    me = _employee(console, "operator")
    client = add_client(console.engine, LATER_PHONE, "Магомедов Ахмед", Language.RU)
    return {
        # promised yesterday: overdue (C11), listed first although added last
        "later": add_task(
            console.engine,
            phone=LATER_PHONE,
            owner_id=me,
            promised_on=date(2026, 12, 4),
            windows=[window(4, 10, 12)],
            client_id=client,
        ),
        "overdue": add_task(
            console.engine, phone=OVERDUE_PHONE, owner_id=me, promised_on=date(2026, 12, 2)
        ),
        "free": add_task(console.engine, phone=FREE_PHONE, promised_on=date(2026, 12, 4)),
        "colleagues": add_task(
            console.engine,
            phone="+79281110004",
            owner_id=_employee(console, "colleague"),
            promised_on=date(2026, 12, 4),
        ),
    }


def _task(console: Console, task_id: int) -> CallbackTask:
    with session_scope(console.engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        session.expunge(task)
        return task


def _changes(console: Console, task_id: int) -> list[CallbackTaskChange]:
    with session_scope(console.engine) as session:
        rows = list(
            session.exec(select(CallbackTaskChange).where(CallbackTaskChange.task_id == task_id))
        )
        for row in rows:
            session.expunge(row)
        return rows


def _windows(console: Console, task_id: int) -> list[tuple[int, int]]:
    with session_scope(console.engine) as session:
        rows = session.exec(select(CallbackWindow).where(CallbackWindow.task_id == task_id))
        return sorted(
            (row.starts_at.day, row.starts_at.astimezone(NOW.tzinfo).hour) for row in rows
        )


def test_the_page_lists_my_tasks_overdue_first_and_the_unowned(  # C11
    console: Console, tasks: dict[str, int]
) -> None:
    page = console.signed_in("operator").get("/callbacks")
    assert page.status_code == 200
    text = page.text
    assert "Мои обратные звонки" in text
    overdue, later, free = (
        text.index(f'id="task-{tasks[k]}"') for k in ("overdue", "later", "free")
    )
    assert overdue < later < free
    assert text.count("Просрочена</span>") == 1
    assert "+7 928 111-00-02" in text
    assert "Магомедов Ахмед" in text
    assert "04.12.2026 10:00–12:00" in text
    assert f'id="task-{tasks["colleagues"]}"' not in text  # a colleague's task is not mine
    assert 'data-action="claim"' in text


def test_the_lists_alone_and_who_may_see_them(console: Console, tasks: dict[str, int]) -> None:
    lists = console.signed_in("operator").get("/callbacks/list")
    assert lists.status_code == 200
    assert "<html" not in lists.text
    assert f'id="task-{tasks["overdue"]}"' in lists.text
    assert console.signed_in("supervisor").get("/callbacks").status_code == 403
    assert console.browser().get("/callbacks").status_code == 303  # to the sign-in page


def test_claim_takes_an_unowned_task_once(console: Console, tasks: dict[str, int]) -> None:
    operator = console.signed_in("operator")
    first = operator.post(f"/callbacks/{tasks['free']}/claim")
    assert first.status_code == 200, first.text
    assert first.json()["message"] == f"Заявка № {tasks['free']} теперь ваша."
    assert _task(console, tasks["free"]).owner_id == _employee(console, "operator")
    assert operator.post(f"/callbacks/{tasks['free']}/claim").status_code == 200  # twice: same
    taken = console.signed_in("colleague").post(f"/callbacks/{tasks['free']}/claim")
    assert taken.status_code == 409
    assert taken.json()["detail"].startswith(f"Заявка № {tasks['free']} закреплена за")


def test_reschedule_with_a_reason_records_the_change(
    console: Console, tasks: dict[str, int]
) -> None:
    operator = console.signed_in("operator")
    body = {"day": "2026-12-07", "starts": "14:00", "ends": "16:00", "reason": "Клиент в отъезде"}
    done = operator.post(f"/callbacks/{tasks['later']}/reschedule", json=body)
    assert done.status_code == 200, done.text
    assert "07.12.2026 14:00–16:00" in done.json()["message"]
    task = _task(console, tasks["later"])
    assert task.promised_on == date(2026, 12, 7)
    assert _windows(console, tasks["later"]) == [(7, 14)]
    (change,) = _changes(console, tasks["later"])
    assert change.kind is CallbackChangeKind.RESCHEDULED
    assert change.reason == "Клиент в отъезде"
    again = operator.post(f"/callbacks/{tasks['later']}/reschedule", json=body)  # double click
    assert again.status_code == 200
    assert len(_changes(console, tasks["later"])) == 1


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (
            {"day": "2026-12-03", "starts": "08:00", "ends": "09:00", "reason": "просит"},
            422,
            "",
        ),  # a window in the past
        ({"day": "2026-12-05", "starts": "10:00", "ends": "12:00", "reason": "просит"}, 422, ""),
        (
            {"day": "2026-12-07", "starts": "14:00", "ends": "16:00", "reason": "  "},
            422,
            "Укажите причину переноса.",
        ),
        (
            {"day": "", "starts": "14:00", "ends": "16:00", "reason": "x"},
            422,
            "Укажите день звонка.",
        ),
        (
            {"day": "2026-12-07", "starts": "16:00", "ends": "14:00", "reason": "x"},
            422,
            "Время «до» должно быть позже времени «с».",
        ),
    ],
)
def test_bad_reschedule_is_refused_and_changes_nothing(
    console: Console, tasks: dict[str, int], body: dict[str, str], status: int, reason: str
) -> None:
    refused = console.signed_in("operator").post(
        f"/callbacks/{tasks['later']}/reschedule", json=body
    )
    assert refused.status_code == status, refused.text
    detail = refused.json()["detail"]
    assert isinstance(detail, str)
    assert detail
    if reason:
        assert detail == reason
    assert _task(console, tasks["later"]).promised_on == date(2026, 12, 4)
    assert _windows(console, tasks["later"]) == [(4, 10)]
    assert _changes(console, tasks["later"]) == []


def test_close_with_an_outcome_and_a_second_close_refused(
    console: Console, tasks: dict[str, int]
) -> None:
    operator = console.signed_in("operator")
    url = f"/callbacks/{tasks['overdue']}/close"
    assert operator.post(url, json={"outcome": "cancelled", "note": ""}).json()["detail"] == (
        "Укажите, почему заявка не выполнена или отменена."
    )
    assert operator.post(url, json={"outcome": "open", "note": ""}).status_code == 422
    done = operator.post(url, json={"outcome": "cancelled", "note": "Вопрос решён сам"})
    assert done.status_code == 200, done.text
    assert done.json()["message"] == f"Заявка № {tasks['overdue']} закрыта: отменена."
    task = _task(console, tasks["overdue"])
    assert task.status is CallbackStatus.CANCELLED
    assert task.result_note == "Вопрос решён сам"
    again = operator.post(url, json={"outcome": "done", "note": ""})
    assert again.status_code == 409
    assert again.json()["detail"].startswith(f"Заявка № {tasks['overdue']} уже закрыта")
    assert f'id="task-{tasks["overdue"]}"' not in operator.get("/callbacks").text


def test_another_operators_or_an_unknown_task_is_refused(
    console: Console, tasks: dict[str, int]
) -> None:
    operator = console.signed_in("operator")
    theirs = tasks["colleagues"]
    for action, body in (
        ("close", {"outcome": "done", "note": ""}),
        ("reschedule", {"day": "2026-12-07", "starts": "14:00", "ends": "16:00", "reason": "x"}),
        ("call", {}),
    ):
        refused = operator.post(f"/callbacks/{theirs}/{action}", json=body)
        assert refused.status_code == 409, (action, refused.text)
        assert (
            refused.json()["detail"]
            == f"Заявка № {theirs} закреплена за сотрудником Сотрудник 402."
        )
        unknown = operator.post(f"/callbacks/999999/{action}", json=body)
        assert unknown.status_code == 404, action
        assert unknown.json()["detail"] == "Заявки на обратный звонок № 999999 нет."
    assert _task(console, theirs).status is CallbackStatus.OPEN
    assert _changes(console, theirs) == []


def test_without_the_csrf_token_nothing_changes(console: Console, tasks: dict[str, int]) -> None:
    operator = console.signed_in("operator")
    del operator.headers[CSRF_HEADER]
    refused = operator.post(
        f"/callbacks/{tasks['overdue']}/close", json={"outcome": "done", "note": ""}
    )
    assert refused.status_code == 403
    assert _task(console, tasks["overdue"]).status is CallbackStatus.OPEN


def test_a_task_being_dialled_is_not_changed(console: Console, tasks: dict[str, int]) -> None:
    me = _employee(console, "operator")
    with session_scope(console.engine) as session:
        reserve_callback(
            session, task_id=tasks["later"], channel_id="chan-1", employee_id=me, now=NOW
        )
    operator = console.signed_in("operator")
    page = operator.get("/callbacks").text
    assert "Идёт звонок (Сотрудник 401, с 10:00)" in page
    refused = operator.post(
        f"/callbacks/{tasks['later']}/close", json={"outcome": "done", "note": ""}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("По заявке сейчас идёт звонок")
    assert _task(console, tasks["later"]).status is CallbackStatus.OPEN


def test_click_to_call_without_the_asterisk_link_is_refused(
    console: Console, tasks: dict[str, int]
) -> None:
    operator = console.signed_in("operator")
    unowned = operator.post(f"/callbacks/{tasks['free']}/call")
    assert unowned.status_code == 409
    assert unowned.json()["detail"] == f"Заявка № {tasks['free']} ничья: сначала возьмите её себе."
    refused = operator.post(f"/callbacks/{tasks['overdue']}/call")
    assert refused.status_code == 503
    assert refused.json()["detail"].startswith("Нет связи с Asterisk")
