"""Sign-in accounts of employees: creation, password changes, disabling, listing.

The password arrives already hashed (``agent_console.auth.passwords``): this module never sees
a password. Changing the password or disabling the account ends every session of the account
in the same transaction, so the change signs the user out everywhere at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.rules.sign_in import Failures
from models.tables import Employee, EmployeeRole, Role, UserAccount
from models.user_sessions import end_sessions_of

LOGIN_MAX = 64
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(ValueError):
    """A change that cannot be made; the message is the Russian sentence the user sees."""


@dataclass(frozen=True, slots=True)
class AccountView:
    login: str
    employee_number: str
    full_name: str
    roles: tuple[Role, ...]  # in the order of Role
    disabled: bool
    employee_active: bool
    locked_until: datetime | None
    password_changed_at: datetime

    def state(self, now: datetime) -> str:
        """``активна``, ``отключена``, ``сотрудник отключён``, ``заблокирована до …`` (UTC)."""
        if self.disabled:
            return "отключена"
        if not self.employee_active:
            return "сотрудник отключён"
        if self.locked_until is not None and now < self.locked_until:
            return f"заблокирована до {self.locked_until:%Y-%m-%d %H:%M} UTC"
        return "активна"


def normalise_login(text: str) -> str:
    return text.strip().lower()


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot be a login (Russian), None when it can."""
    if not _LOGIN.fullmatch(login):
        return (
            f"логин {login!r}: от 2 до {LOGIN_MAX} знаков — строчные латинские буквы, цифры, "
            "точка, дефис, подчёркивание; первый знак — буква или цифра"
        )
    return None


def ordered_roles(roles: Iterable[Role]) -> tuple[Role, ...]:
    chosen = set(roles)
    return tuple(role for role in Role if role in chosen)


def add_account(
    *,
    session: Session,
    login: str,
    employee_number: str,
    roles: Sequence[Role],
    password_hash: str,
    now: datetime,
) -> AccountView:
    """An account for the employee with internal number ``employee_number``.

    ``roles`` are added to the employee's roles in the staff directory (those already there
    stay): what an account may do is what its employee's roles allow.
    """
    problem = login_problem(login)
    if problem is not None:
        raise AccountError(problem)
    if find_account(session, login) is not None:
        raise AccountError(f"логин {login!r} уже занят")
    employee = session.exec(
        select(Employee).where(col(Employee.internal_number) == employee_number)
    ).first()
    if employee is None or employee.id is None:
        raise AccountError(f"сотрудника с внутренним номером {employee_number!r} нет в справочнике")
    if not employee.active:
        raise AccountError(f"сотрудник {employee_number} отключён в справочнике")
    existing = session.exec(
        select(UserAccount).where(col(UserAccount.employee_id) == employee.id)
    ).first()
    if existing is not None:
        raise AccountError(
            f"у сотрудника {employee_number} уже есть учётная запись {existing.login!r}"
        )
    have = roles_of(session, employee.id)
    session.add_all(
        EmployeeRole(employee_id=employee.id, role=role)
        for role in ordered_roles(roles)
        if role not in have
    )
    session.add(
        UserAccount(
            employee_id=employee.id,
            login=login,
            password_hash=password_hash,
            password_changed_at=now,
            created_at=now,
        )
    )
    session.flush()
    view = account_view(session, login)
    assert view is not None
    return view


def find_account(session: Session, login: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(col(UserAccount.login) == login)).first()


def roles_of(session: Session, employee_id: int) -> frozenset[Role]:
    query = select(col(EmployeeRole.role)).where(col(EmployeeRole.employee_id) == employee_id)
    return frozenset(session.exec(query))


def set_password(*, session: Session, login: str, password_hash: str, now: datetime) -> int:
    """A new password: wrong-password counts and a lock are cleared, every session ends.

    Returns how many sessions ended.
    """
    account = _existing(session, login)
    account.password_hash = password_hash
    account.password_changed_at = now
    _clear(account)
    session.add(account)
    session.flush()
    return end_sessions_of(session=session, account_id=_id(account))


def disable_account(*, session: Session, login: str) -> tuple[bool, int]:
    """Disables the account and ends its sessions: (was it enabled, sessions ended)."""
    account = _existing(session, login)
    was_enabled = not account.disabled
    account.disabled = True
    session.add(account)
    session.flush()
    return was_enabled, end_sessions_of(session=session, account_id=_id(account))


def enable_account(*, session: Session, login: str) -> bool:
    """Enables the account again; False when it was not disabled."""
    account = _existing(session, login)
    was_disabled = account.disabled
    account.disabled = False
    session.add(account)
    session.flush()
    return was_disabled


def list_accounts(session: Session) -> list[AccountView]:
    logins = session.exec(select(col(UserAccount.login)).order_by(col(UserAccount.login)))
    views = [account_view(session, login) for login in logins]
    return [view for view in views if view is not None]


def account_view(session: Session, login: str) -> AccountView | None:
    row = session.exec(
        select(UserAccount, Employee)
        .join(Employee, col(Employee.id) == col(UserAccount.employee_id))
        .where(col(UserAccount.login) == login)
    ).first()
    if row is None:
        return None
    account, employee = row
    return AccountView(
        login=account.login,
        employee_number=employee.internal_number,
        full_name=employee.full_name,
        roles=ordered_roles(roles_of(session, account.employee_id)),
        disabled=account.disabled,
        employee_active=employee.active,
        locked_until=account.locked_until,
        password_changed_at=account.password_changed_at,
    )


# --- wrong-password counts (models.rules.sign_in) -------------------------------------------


def failures_of(account: UserAccount) -> Failures:
    return Failures(
        count=account.failed_attempts,
        last_at=account.last_failed_at,
        locked_until=account.locked_until,
    )


def replace_failures(
    *, session: Session, account_id: int, expected: Failures, new: Failures
) -> bool:
    """Stores ``new`` only if the row still holds ``expected``: False when another attempt
    changed it first (read again and decide again)."""
    result = session.execute(
        update(UserAccount)
        .where(
            col(UserAccount.id) == account_id,
            col(UserAccount.failed_attempts) == expected.count,
            col(UserAccount.last_failed_at).is_not_distinct_from(expected.last_at),
            col(UserAccount.locked_until).is_not_distinct_from(expected.locked_until),
        )
        .values(
            failed_attempts=new.count,
            last_failed_at=new.last_at,
            locked_until=new.locked_until,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def clear_failures(*, session: Session, account_id: int) -> None:
    session.execute(
        update(UserAccount)
        .where(col(UserAccount.id) == account_id)
        .values(failed_attempts=0, last_failed_at=None, locked_until=None)
        .execution_options(synchronize_session=False)
    )


def _existing(session: Session, login: str) -> UserAccount:
    account = find_account(session, login)
    if account is None:
        raise AccountError(f"учётной записи {login!r} нет")
    return account


def _clear(account: UserAccount) -> None:
    account.failed_attempts = 0
    account.last_failed_at = None
    account.locked_until = None


def _id(account: UserAccount) -> int:
    assert account.id is not None
    return account.id
