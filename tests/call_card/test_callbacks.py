"""A callback taken on the card (C11): the number checked, the answer date in working days,
windows agreed, one active task per number, the agreement read back from the script."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from call_card.callbacks import (
    CallbackCreated,
    CallbackOffer,
    callback_offer,
    create_callback,
    window_choices_on,
)
from call_card.refusals import Refusal, RefusalKind
from models.db import session_scope
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import CallbackStatus, TimeWindow
from models.tables import CallbackSource, CallbackTask, CallbackWindow, Language
from models.topics import Topic
from tests.call_card.samples import (
    CALLER,
    NOW,
    add_call,
    add_client,
    add_person,
    add_task,
    msk,
    window,
)

PROMISED = date(2026, 12, 8)  # Thursday 3 December + 3 working days


def _create(
    engine: Engine,
    calendar: ProductionCalendar,
    operator: int,
    *,
    linkedid: str = "call-1",
    phone: str = "8 (928) 123-45-67",
    windows: tuple[TimeWindow, ...] = (window(8, 10, 12),),
    question: str = "Статус заявления на лицензию",
    working_days: int = 3,
) -> CallbackCreated | Refusal:
    return create_callback(
        engine,
        linkedid=linkedid,
        operator_id=operator,
        phone=phone,
        windows=windows,
        question=question,
        calendar=calendar,
        working_days=working_days,
        now=NOW,
    )


def _tasks(engine: Engine) -> list[CallbackTask]:
    with session_scope(engine) as session:
        return list(session.exec(select(CallbackTask)))


def _windows(engine: Engine, task_id: int) -> list[tuple[object, object]]:
    with session_scope(engine) as session:
        rows = session.exec(select(CallbackWindow).where(CallbackWindow.task_id == task_id))
        return sorted((row.starts_at, row.ends_at) for row in rows)


def test_offer_names_the_date_in_working_days_and_that_days_windows(
    calendar: ProductionCalendar,
) -> None:
    offer = callback_offer(calendar, now=NOW, working_days=3)
    assert isinstance(offer, CallbackOffer)
    assert offer.promised_on == PROMISED
    assert offer.windows == (
        window(8, 9, 11),
        window(8, 11, 13),
        window(8, 13, 15),
        window(8, 15, 17),
        window(8, 17, 18),
    )


def test_offer_after_hours_on_friday_counts_from_monday(calendar: ProductionCalendar) -> None:
    offer = callback_offer(calendar, now=msk(4, 19), working_days=1)
    assert isinstance(offer, CallbackOffer)
    assert offer.promised_on == date(2026, 12, 8)


@pytest.mark.parametrize("working_days", [0, -2, 21])
def test_offer_of_an_unreasonable_term_is_refused(
    calendar: ProductionCalendar, working_days: int
) -> None:
    offer = callback_offer(calendar, now=NOW, working_days=working_days)
    assert offer == Refusal(
        RefusalKind.INVALID,
        f"Срок ответа — от 1 до 20 рабочих дней, указано {working_days}.",
    )


def test_choices_for_today_leave_out_windows_already_over(calendar: ProductionCalendar) -> None:
    assert window_choices_on(calendar, day=date(2026, 12, 3), now=msk(3, 13, 30))[0] == window(
        3, 13, 15
    )
    assert window_choices_on(calendar, day=date(2026, 12, 5), now=NOW) == []  # Saturday


def test_new_task_is_the_operators_with_the_read_back_filled_in(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    # C11: number, date the answer is ready, agreed windows, end by script
    operator = add_person(engine, "201", "Магомедова Патимат Гасановна")
    call_id = add_call(engine, "call-1", operator_id=operator, topic=Topic.SUPPORT_MEASURES)
    created = _create(engine, calendar, operator, windows=(window(8, 14, 16), window(8, 10, 12)))
    assert isinstance(created, CallbackCreated), created
    assert (created.reused, created.phone_e164, created.phone_display) == (
        False,
        CALLER,
        "+7 928 123-45-67",
    )
    assert created.promised_on == PROMISED
    assert created.windows == (window(8, 10, 12), window(8, 14, 16))
    assert created.owner_name == "Магомедова Патимат Гасановна"
    assert created.read_back is not None
    assert created.read_back.entry_id == "script-callback-closing"
    assert (
        "мы позвоним Вам по номеру, который Вы назвали, до 8 декабря 2026 г., в интервале "
        "с 10:00 до 12:00 или с 14:00 до 16:00." in created.read_back.text
    )
    assert "Мы подготовим ответ до 8 декабря 2026 г." in created.read_back.text
    (task,) = _tasks(engine)
    assert (task.owner_id, task.source, task.origin_call_id, task.topic, task.status) == (
        operator,
        CallbackSource.OPERATOR,
        call_id,
        Topic.SUPPORT_MEASURES,
        CallbackStatus.OPEN,
    )
    assert (task.question, task.requested_at, task.promised_on) == (
        "Статус заявления на лицензию",
        NOW,
        PROMISED,
    )
    assert len(_windows(engine, task.id or 0)) == 2


def test_english_caller_hears_the_english_read_back(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    # V11
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-en", operator_id=operator, language=Language.EN)
    created = _create(engine, calendar, operator, linkedid="call-en")
    assert isinstance(created, CallbackCreated)
    assert created.read_back is not None
    assert "by 8 December 2026, between 10:00 and 12:00 Moscow time." in created.read_back.text


def test_double_submit_leaves_one_task_with_its_windows_once(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    first = _create(engine, calendar, operator)
    second = _create(engine, calendar, operator, phone="+7 928 123 45 67")
    assert isinstance(first, CallbackCreated)
    assert isinstance(second, CallbackCreated)
    assert (second.task_id, second.reused) == (first.task_id, True)
    (task,) = _tasks(engine)
    assert task.question == "Статус заявления на лицензию"
    assert len(_windows(engine, first.task_id)) == 1


def test_two_submits_at_once_still_make_one_task(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    start = threading.Barrier(2)

    def submit(_: int) -> CallbackCreated | Refusal:
        start.wait(timeout=5)
        return _create(engine, calendar, operator)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(submit, range(2)))
    assert all(isinstance(result, CallbackCreated) for result in results)
    assert len(_tasks(engine)) == 1


def test_number_with_a_missed_call_task_extends_it_keeping_the_earlier_promise(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    # C11/C13: one active task per number, whoever opened it; no promise made is broken
    operator = add_person(engine, "201", "Оператор Один")
    client = add_client(engine, CALLER, None, Language.RU)
    add_call(engine, "call-1", operator_id=operator, client_id=client)
    missed = add_task(engine, promised_on=date(2026, 12, 4), windows=[window(4, 9, 18)])
    created = _create(engine, calendar, operator)
    assert isinstance(created, CallbackCreated)
    assert (created.task_id, created.reused, created.promised_on) == (
        missed,
        True,
        date(2026, 12, 4),
    )
    assert created.read_back is not None
    assert "до 4 декабря 2026 г., в интервале 8 декабря с 10:00 до 12:00." in created.read_back.text
    (task,) = _tasks(engine)
    assert (task.owner_id, task.source, task.question) == (
        operator,
        CallbackSource.MISSED_CALL,
        "Статус заявления на лицензию",
    )
    assert len(_windows(engine, missed)) == 2


def test_task_owned_by_a_colleague_keeps_its_owner(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    colleague = add_person(engine, "202", "Коллега Два")
    add_call(engine, "call-1", operator_id=operator)
    add_task(engine, owner_id=colleague)
    created = _create(engine, calendar, operator)
    assert isinstance(created, CallbackCreated)
    assert created.owner_name == "Коллега Два"


def test_another_number_given_by_the_caller_gets_its_own_task(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    add_task(engine)
    created = _create(engine, calendar, operator, phone="+7 (8722) 67-80-91")
    assert isinstance(created, CallbackCreated)
    assert (created.reused, created.phone_e164) == (False, "+78722678091")
    assert len(_tasks(engine)) == 2


def test_callback_can_be_taken_after_the_call_ended(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator, ended=True)
    assert isinstance(_create(engine, calendar, operator), CallbackCreated)


@pytest.mark.parametrize(
    ("changes", "kind", "words"),
    [
        ({"phone": "201"}, RefusalKind.INVALID, "Номер «201» не распознан."),
        ({"phone": "anonymous"}, RefusalKind.INVALID, "не распознан"),
        ({"phone": "8 928 123"}, RefusalKind.INVALID, "не распознан"),
        ({"windows": ()}, RefusalKind.INVALID, "Выберите хотя бы одно удобное время"),
        (
            {"windows": (window(3, 8, 9),)},
            RefusalKind.INVALID,
            "Окно для обратного звонка уже прошло.",
        ),
        ({"windows": (window(5, 10, 12),)}, RefusalKind.INVALID, "05.12.2026 — нерабочий день"),
        ({"windows": (window(8, 17, 19),)}, RefusalKind.INVALID, "в рабочих часах"),
        ({"question": "в" * 2001}, RefusalKind.INVALID, "не длиннее 2000 символов"),
        ({"working_days": 0}, RefusalKind.INVALID, "Срок ответа — от 1 до 20"),
        ({"linkedid": "nope"}, RefusalKind.NOT_FOUND, "Звонок 'nope' не найден."),
    ],
)
def test_bad_input_is_refused_in_russian_and_changes_nothing(
    engine: Engine,
    calendar: ProductionCalendar,
    changes: dict[str, object],
    kind: RefusalKind,
    words: str,
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    refused = _create(engine, calendar, operator, **changes)  # type: ignore[arg-type]
    assert isinstance(refused, Refusal)
    assert (refused.kind, words in refused.reason) == (kind, True), refused.reason
    assert _tasks(engine) == []


def test_one_window_in_the_past_refuses_the_whole_request(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    earlier_today = TimeWindow(NOW - timedelta(hours=1), NOW)
    refused = _create(engine, calendar, operator, windows=(window(8, 10, 12), earlier_today))
    assert refused == Refusal(RefusalKind.INVALID, "Окно для обратного звонка уже прошло.")
    assert _tasks(engine) == []
