"""Rows that many tests need, written straight into a migrated test database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.accounts import add_account
from models.db import session_scope
from models.tables import Client, Department, Employee, Language, Role

CREATED = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def add_employee(engine: Engine, number: str, device: str, *, active: bool = True) -> int:
    """An employee with internal ``number`` and ``device``, in a department of their own."""
    with Session(engine) as session:
        department = Department(code=f"dep-{number}", name="Отдел консультаций")
        session.add(department)
        session.flush()
        assert department.id is not None
        employee = Employee(
            internal_number=number,
            full_name=f"Сотрудник {number}",
            device=device,
            department_id=department.id,
            active=active,
            updated_at=CREATED,
        )
        session.add(employee)
        session.commit()
        assert employee.id is not None
        return employee.id


def add_user(
    engine: Engine,
    login: str,
    roles: Sequence[Role],
    *,
    number: str,
    password_hash: str,
    now: datetime,
) -> int:
    """An employee of their own (device ``PJSIP/<number>``) with a console account; returns
    the employee's id."""
    employee_id = add_employee(engine, number, f"PJSIP/{number}")
    with session_scope(engine) as session:
        add_account(
            session=session,
            login=login,
            employee_number=number,
            roles=list(roles),
            password_hash=password_hash,
            now=now,
        )
    return employee_id


def add_client(engine: Engine, phone: str, language: Language = Language.RU) -> int:
    with Session(engine) as session:
        client = Client(phone_e164=phone, language=language, created_at=CREATED)
        session.add(client)
        session.commit()
        assert client.id is not None
        return client.id
