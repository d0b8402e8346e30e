"""The written messages as staff work through them: a view, a state, a search and a page, all
done by the database (no list of every message is read).

Order: the soonest deadline still owed first (``models.rules.message_deadlines.next_due``,
written here in SQL from the rule itself: :func:`next_due_sql`), then the earliest received;
closed messages last, the newest first. Views (:class:`View`): every message; mine (the
owner is the employee asking); overdue (a deadline still owed is before today: the
supervisor's list); without an owner (still open). The search matches part of the number,
the sender's name or e-mail, the client's name or e-mail in any case, and the phone number
however it was typed (``8 (928) 123-45-67`` and ``+79281234567`` are one number).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, case, false, func, null, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models.phones import normalize_phone
from models.rules.message_deadlines import Duty, DutyState, duty_state
from models.rules.message_states import AbuseCheck, MessageStatus
from models.tables import Client, Employee, WrittenMessage

PAGE_SIZE: Final = 50
QUERY_MAX: Final = 100  # characters of a search that are looked for
# What people put between the digits of a phone number (``models.phones`` accepts no other).
_PHONE_SEPARATORS: Final = (" ", "(", ")", "-", ".", "+")


class View(StrEnum):
    ALL = "all"
    MINE = "mine"
    OVERDUE = "overdue"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class QueueQuery:
    today: date  # the line's local today: what is overdue
    view: View = View.ALL
    status: MessageStatus | None = None
    text: str = ""
    employee_id: int | None = None  # whose messages «mine» are


@dataclass(frozen=True, slots=True)
class QueueRow:
    message: WrittenMessage
    client: Client | None
    owner: Employee | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # messages the query matches, on every page
    page: int  # 1-based, within 1..pages
    pages: int  # at least 1


def next_due_sql() -> ColumnElement[Any]:
    """The earliest deadline still owed (NULL: none), the rule of ``duty_state`` in SQL."""
    days = [
        case((_owed_sql(duty), column), else_=null())
        for duty, column in (
            (Duty.PRIMARY, col(WrittenMessage.primary_due)),
            (Duty.ANSWER, col(WrittenMessage.answer_due)),
            (Duty.ABUSE_NOTICE, col(WrittenMessage.abuse_notice_due)),
        )
    ]
    earliest: ColumnElement[Any] = days[0]
    for day in days[1:]:
        earliest = _earlier(earliest, day)
    return earliest


def load_queue(
    session: Session, query: QueueQuery, *, page: int, size: int = PAGE_SIZE
) -> QueuePage:
    """The ``page``-th page of the messages ``query`` matches (a page past the last: the last)."""
    owner = aliased(Employee)
    due = next_due_sql()
    wanted = _conditions(query, due)
    total = session.exec(
        select(func.count())
        .select_from(WrittenMessage)
        .outerjoin(Client, col(Client.id) == col(WrittenMessage.client_id))
        .where(*wanted)
    ).one()
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    closed = due.is_(None)
    received = col(WrittenMessage.received_at)
    listed = session.exec(
        select(WrittenMessage, Client, owner)
        .outerjoin(Client, col(Client.id) == col(WrittenMessage.client_id))
        .outerjoin(owner, col(owner.id) == col(WrittenMessage.owner_id))
        .where(*wanted)
        .order_by(
            case((closed, 1), else_=0),
            due,
            case((closed, null()), else_=received),
            case((closed, received), else_=null()).desc(),
            case((closed, -col(WrittenMessage.id)), else_=col(WrittenMessage.id)),
        )
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    rows = [QueueRow(message, client, employee) for message, client, employee in listed]
    return QueuePage(rows=rows, total=total, page=page, pages=pages)


def _conditions(query: QueueQuery, due: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    wanted: list[ColumnElement[bool]] = []
    if query.status is not None:
        wanted.append(col(WrittenMessage.status) == query.status)
    if query.view is View.MINE:
        mine = col(WrittenMessage.owner_id) == query.employee_id
        wanted.append(mine if query.employee_id is not None else false())
    elif query.view is View.OVERDUE:
        wanted.append(due < query.today)
    elif query.view is View.UNASSIGNED:
        wanted.extend([col(WrittenMessage.owner_id).is_(None), due.is_not(None)])
    text = query.text.strip()[:QUERY_MAX]
    if text:
        wanted.append(_matches(text))
    return wanted


def _matches(text: str) -> ColumnElement[bool]:
    """The search (see the module's doc) of a non-empty ``text``."""
    lowered = text.lower()
    texts = (
        WrittenMessage.number,
        WrittenMessage.sender_name,
        WrittenMessage.sender_email,
        Client.full_name,
        Client.email,
    )
    found = [func.lower(col(column)).contains(lowered, autoescape=True) for column in texts]
    phone = normalize_phone(text)
    if phone is not None:
        found.append(col(Client.phone_e164) == phone)
        found.append(_digits(col(WrittenMessage.sender_phone)).in_(_typed_forms(phone)))
    return or_(*found)


def _typed_forms(phone: str) -> list[str]:
    """The digits of ``phone`` (E.164) as people type it: with the country code, and for a
    Russian number with 8 or without a prefix."""
    digits = phone.removeprefix("+")
    if not digits.startswith("7"):
        return [digits]
    national = digits[1:]
    return [digits, f"8{national}", national]


def _digits(column: Any) -> ColumnElement[Any]:
    stripped: ColumnElement[Any] = column
    for separator in _PHONE_SEPARATORS:
        stripped = func.replace(stripped, separator, "")
    return stripped


def _owed_sql(duty: Duty) -> ColumnElement[bool]:
    """Where ``duty`` is owed, by the states ``duty_state`` says it is owed in."""
    abuses_by_status: dict[MessageStatus, list[AbuseCheck]] = defaultdict(list)
    for status in MessageStatus:
        for abuse in AbuseCheck:
            if duty_state(duty, status, abuse) is DutyState.OWED:
                abuses_by_status[status].append(abuse)
    if not abuses_by_status:
        return false()
    return or_(
        *(
            and_(col(WrittenMessage.status) == status, col(WrittenMessage.abuse).in_(abuses))
            for status, abuses in abuses_by_status.items()
        )
    )


def _earlier(first: ColumnElement[Any], second: ColumnElement[Any]) -> ColumnElement[Any]:
    """The earlier of two dates, either of which may be NULL."""
    return case(
        (first.is_(None), second),
        (second.is_(None), first),
        (first <= second, first),
        else_=second,
    )
