"""Accounts for the demo staff, one per role, so the console can be tried at once.

Made only for the demo's own employees (on an empty directory ``seed-demo`` creates them) and
only once: a login that exists is left alone. The passwords are random, shown once by
``consult-line seed-demo``; ``consult-line user passwd`` sets new ones.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from agent_console.auth.passwords import Passwords, password_problem
from models.accounts import AccountError, add_account, find_account
from models.audit_trail import AccountAction, record_account_event
from models.tables import Department, Employee, Role

# login, the demo employee's internal number (consult_line.demo.staff), the role
DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("operator", "201", Role.OPERATOR),
    ("expert", "301", Role.EXPERT),
    ("supervisor", "101", Role.SUPERVISOR),
    ("kb-editor", "102", Role.KB_EDITOR),
    ("admin", "100", Role.ADMIN),
)
_PASSWORD_BYTES = 12  # 16 characters


@dataclass(frozen=True, slots=True)
class DemoAccount:
    login: str
    password: str
    full_name: str
    role: Role


def create_demo_accounts(
    *, session: Session, passwords: Passwords, now: datetime, actor: str
) -> list[DemoAccount]:
    """The demo accounts created now (none when they exist or the demo staff is not there)."""
    created: list[DemoAccount] = []
    for login, number, role in DEMO_ACCOUNTS:
        employee = session.exec(
            select(Employee).where(col(Employee.internal_number) == number)
        ).first()
        if employee is None or not _is_demo(session, employee) or find_account(session, login):
            continue
        password = _new_password(login)
        try:
            add_account(
                session=session,
                login=login,
                employee_number=number,
                roles=[role],
                password_hash=passwords.hash(password),
                now=now,
            )
        except AccountError:  # the employee has an account of another login already
            continue
        record_account_event(
            session=session,
            at=now,
            actor=actor,
            action=AccountAction.ACCOUNT_CREATED,
            login=login,
            detail=f"employee={number} roles={role.value} demo",
        )
        created.append(DemoAccount(login, password, employee.full_name, role))
    return created


def _is_demo(session: Session, employee: Employee) -> bool:
    """An employee of the demo's own departments (``demo-*``), not a deployer's."""
    department = session.get(Department, employee.department_id)
    return department is not None and department.code.startswith("demo-")


def _new_password(login: str) -> str:
    while True:
        password = secrets.token_urlsafe(_PASSWORD_BYTES)
        if password_problem(password, login=login) is None:
            return password
