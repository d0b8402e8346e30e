"""The written messages as the database lists them (``models.message_queue``): the next deadline
in SQL is the rule's, the order, the views, the search and the pages."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.message_queue import QueueQuery, View, load_queue, next_due_sql
from models.rules.message_deadlines import next_due
from models.tables import (
    AbuseCheck,
    Client,
    MessageIntake,
    MessageStatus,
    WrittenMessage,
)
from tests.factories import CREATED, add_employee

TODAY = date(2026, 12, 7)
_NUMBERS = itertools.count(1)


def _message(**fields: object) -> WrittenMessage:
    values: dict[str, object] = {
        "number": f"ПО-2026-{next(_NUMBERS):06d}",
        "received_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        "intake": MessageIntake.PAPER,
        "primary_due": date(2026, 12, 3),
        "answer_due": date(2026, 12, 30),
        "registered_by": "clerk",
    } | fields
    return WrittenMessage.model_validate(values)


def _add(engine: Engine, *messages: WrittenMessage) -> list[str]:
    with session_scope(engine) as session:
        session.add_all(messages)
    return [message.number for message in messages]


def _numbers(engine: Engine, query: QueueQuery, page: int = 1, size: int = 50) -> list[str]:
    with Session(engine) as session:
        found = load_queue(session, query, page=page, size=size)
        return [row.message.number for row in found.rows]


def test_the_next_deadline_in_sql_is_the_rules_in_every_state(db_engine: Engine) -> None:
    early, middle, late = date(2026, 12, 3), date(2026, 12, 10), date(2026, 12, 20)
    orders = [(early, middle, late), (late, early, middle), (middle, late, early)]
    messages = [
        _message(
            status=status,
            abuse=abuse,
            primary_due=primary,
            answer_due=answer,
            abuse_notice_due=notice if with_notice else None,
        )
        for status in MessageStatus
        for abuse in AbuseCheck
        for primary, answer, notice in orders
        for with_notice in (True, False)
    ]
    _add(db_engine, *messages)
    with Session(db_engine) as session:
        in_sql = dict(session.exec(select(col(WrittenMessage.number), next_due_sql())).all())
    in_sql = {number: _as_date(day) for number, day in in_sql.items()}
    assert in_sql == {message.number: next_due(message) for message in messages}
    assert len({day for day in in_sql.values()}) == 4  # the three days and None all occur


def _as_date(value: object) -> date | None:
    """SQLite returns a CASE over dates as its text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def test_soonest_open_deadline_first_then_closed_newest_first(db_engine: Engine) -> None:
    received = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    old_closed, new_closed, later, sooner, same_day_older, same_day_newer = _add(
        db_engine,
        _message(status=MessageStatus.ANSWERED, received_at=received),
        _message(status=MessageStatus.REFUSED, received_at=received + timedelta(days=3)),
        _message(primary_due=date(2026, 12, 9)),
        _message(primary_due=date(2026, 12, 1)),
        _message(primary_due=date(2026, 12, 4), received_at=received),
        _message(primary_due=date(2026, 12, 4), received_at=received + timedelta(days=1)),
    )
    assert _numbers(db_engine, QueueQuery(today=TODAY)) == [
        sooner,
        same_day_older,
        same_day_newer,
        later,
        new_closed,
        old_closed,
    ]


def test_the_views_mine_overdue_and_without_an_owner(db_engine: Engine) -> None:
    me = add_employee(db_engine, "201", "PJSIP/201")
    other = add_employee(db_engine, "202", "PJSIP/202")
    mine_late, mine_closed, others_in_time, nobodys_late, nobodys_closed, nobodys_today = _add(
        db_engine,
        _message(owner_id=me, primary_due=date(2026, 12, 4)),
        _message(owner_id=me, status=MessageStatus.ANSWERED, primary_due=date(2026, 12, 1)),
        _message(owner_id=other, primary_due=date(2026, 12, 9)),
        # The primary answer went out; the substantive answer is late.
        _message(status=MessageStatus.ACKNOWLEDGED, answer_due=date(2026, 12, 6)),
        _message(status=MessageStatus.REDIRECTED, answer_due=date(2026, 12, 1)),
        _message(primary_due=TODAY),  # due today: not late yet
    )
    assert _numbers(db_engine, QueueQuery(today=TODAY, view=View.MINE, employee_id=me)) == [
        mine_late,
        mine_closed,
    ]
    assert _numbers(db_engine, QueueQuery(today=TODAY, view=View.MINE)) == []
    assert _numbers(db_engine, QueueQuery(today=TODAY, view=View.OVERDUE)) == [
        mine_late,
        nobodys_late,
    ]
    assert _numbers(db_engine, QueueQuery(today=TODAY, view=View.UNASSIGNED)) == [
        nobodys_late,
        nobodys_today,
    ]
    assert nobodys_closed not in _numbers(db_engine, QueueQuery(today=TODAY, view=View.OVERDUE))
    assert others_in_time in _numbers(db_engine, QueueQuery(today=TODAY))
    with_state = QueueQuery(today=TODAY, view=View.OVERDUE, status=MessageStatus.ACKNOWLEDGED)
    assert _numbers(db_engine, with_state) == [nobodys_late]


@pytest.fixture
def senders(db_engine: Engine) -> dict[str, str]:
    with session_scope(db_engine) as session:
        client = Client(
            phone_e164="+79281234567",
            full_name="Омаров Шамиль",
            email="omarov@mail.ru",
            created_at=CREATED,
        )
        session.add(client)
        session.flush()
        client_id = client.id
    names = ("gadzhieva", "aliev", "omarov", "landline", "percent")
    numbers = _add(
        db_engine,
        _message(sender_name="Гаджиева Марьям", sender_phone="8 (928) 765-43-21"),
        _message(sender_name="АЛИЕВ РУСЛАН", sender_email="Aliev@Mail.ru"),
        _message(client_id=client_id),  # only the client record names the sender
        _message(sender_name="Исаева", sender_phone="8 (8722) 67-80-91"),
        _message(sender_name="Скидка 100% и _всё_"),
    )
    return dict(zip(names, numbers, strict=True))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("гаджиева", ["gadzhieva"]),  # any case, any alphabet
        ("ГАДЖИЕВА МАРЬЯМ", ["gadzhieva"]),
        ("Алиев", ["aliev"]),
        ("aliev@mail.RU", ["aliev"]),
        ("шамиль", ["omarov"]),  # the client's name
        ("OMAROV@", ["omarov"]),
        ("+7 928 123-45-67", ["omarov"]),  # the client's number
        ("+79287654321", ["gadzhieva"]),  # the number as the sender typed it otherwise
        ("9287654321", ["gadzhieva"]),
        ("+7 8722 678091", ["landline"]),
        ("100%", ["percent"]),  # a wildcard is a character
        ("_всё_", ["percent"]),
        ("%", ["percent"]),
        ("нет такого", []),
    ],
)
def test_the_search(
    db_engine: Engine, senders: dict[str, str], text: str, found: list[str]
) -> None:
    expected = sorted(senders[name] for name in found)
    assert sorted(_numbers(db_engine, QueueQuery(today=TODAY, text=text))) == expected


def test_the_search_by_part_of_the_number(db_engine: Engine, senders: dict[str, str]) -> None:
    number = senders["aliev"]
    assert _numbers(db_engine, QueueQuery(today=TODAY, text=number[-4:])) == [number]
    assert _numbers(db_engine, QueueQuery(today=TODAY, text=number.lower())) == [number]


def test_pages(db_engine: Engine) -> None:
    numbers = _add(
        db_engine, *(_message(primary_due=date(2026, 12, 1) + timedelta(days=n)) for n in range(7))
    )
    with Session(db_engine) as session:
        second = load_queue(session, QueueQuery(today=TODAY), page=2, size=3)
        past_the_end = load_queue(session, QueueQuery(today=TODAY), page=99, size=3)
        before = load_queue(session, QueueQuery(today=TODAY), page=0, size=3)
    assert [row.message.number for row in second.rows] == numbers[3:6]
    assert (second.total, second.page, second.pages) == (7, 2, 3)
    assert [row.message.number for row in past_the_end.rows] == numbers[6:]
    assert past_the_end.page == 3
    assert before.page == 1
    with Session(db_engine) as session:
        empty = load_queue(session, QueueQuery(today=TODAY, text="нет такого"), page=1)
    assert (empty.rows, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)
