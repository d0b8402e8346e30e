"""The database side of the reminders of written messages' deadlines (W3–W6): the open messages,
who can be written to, and the one letter a person gets a day (``message_reminders``).

A person's letter of the day is *claimed* (a row inserted, unique per day and person) before it
is sent and *released* (the row removed) when it could not be sent: two runs at once never send
it twice, and a failed one may be sent by a later run the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.db import session_scope
from models.rules.message_reminders import OpenMessage, Person
from models.rules.message_states import OPEN_STATES
from models.tables import Employee, EmployeeRole, MessageReminder, Role, WrittenMessage


def open_messages(session: Session) -> list[OpenMessage]:
    """Every message still open, with its owner's name."""
    query = (
        select(WrittenMessage, Employee.full_name)
        .outerjoin(Employee, col(Employee.id) == col(WrittenMessage.owner_id))
        .where(col(WrittenMessage.status).in_(list(OPEN_STATES)))
        .order_by(col(WrittenMessage.id))
    )
    return [
        OpenMessage(
            number=message.number,
            status=message.status,
            abuse=message.abuse,
            primary_due=message.primary_due,
            answer_due=message.answer_due,
            abuse_notice_due=message.abuse_notice_due,
            owner_id=message.owner_id,
            owner_name=owner_name or "",
        )
        for message, owner_name in session.exec(query)
    ]


def reachable(session: Session) -> dict[int, Person]:
    """The active employees with an e-mail, by id."""
    query = select(Employee).where(
        col(Employee.active), func.trim(func.coalesce(col(Employee.email), "")) != ""
    )
    return {
        employee.id: Person(employee.id, employee.full_name, (employee.email or "").strip())
        for employee in session.exec(query)
        if employee.id is not None
    }


def supervisors(session: Session, people: dict[int, Person]) -> list[Person]:
    """The supervisors among ``people``, by id."""
    query = select(EmployeeRole.employee_id).where(col(EmployeeRole.role) == Role.SUPERVISOR)
    ids = set(session.exec(query).all())
    return [people[key] for key in sorted(ids) if key in people]


def reminded_on(session: Session, day: date) -> set[int]:
    """The employees whose letter of ``day`` was sent (or is being sent)."""
    query = select(MessageReminder.employee_id).where(col(MessageReminder.day) == day)
    return set(session.exec(query).all())


def claim(engine: Engine, day: date, person: Person, numbers: Sequence[str], now: datetime) -> bool:
    """Claims ``person``'s letter of ``day``; False when it was claimed already."""
    try:
        with session_scope(engine) as session:
            session.add(
                MessageReminder(
                    day=day,
                    employee_id=person.employee_id,
                    email=person.email,
                    sent_at=now,
                    numbers=", ".join(numbers),
                )
            )
    except IntegrityError:
        return False
    return True


def release(engine: Engine, day: date, person: Person) -> None:
    """Gives the claim back: the letter did not go."""
    with session_scope(engine) as session:
        session.connection().execute(
            delete(MessageReminder).where(
                col(MessageReminder.day) == day,
                col(MessageReminder.employee_id) == person.employee_id,
            )
        )
