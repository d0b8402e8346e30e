"""``consult-line user add|passwd|disable|enable|list``: accounts for signing in to the console.

Every change is an entry of the audit log (``cli:<system user>``). A mistake of the
administrator (bad login, unknown employee, a password that will not do) is exit code 2 and
changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from sqlmodel import Session, col, select

from agent_console.auth.passwords import PRODUCTION, password_problem
from consult_line.actor import cli_actor
from consult_line.password_input import PasswordInputError, read_new_password
from consult_line.wiring import Services
from models.accounts import (
    AccountError,
    AccountView,
    account_view,
    add_account,
    disable_account,
    enable_account,
    find_account,
    list_accounts,
    login_problem,
    normalise_login,
    set_password,
)
from models.audit_trail import AccountAction, record_account_event
from models.db import session_scope
from models.tables import Employee, Role


def run(services: Services, args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list(services)
    login = normalise_login(args.login)
    try:
        if args.action == "add":
            return _add(services, login, args.employee, [Role(role) for role in args.roles])
        if args.action == "passwd":
            return _passwd(services, login)
        if args.action == "disable":
            return _disable(services, login)
        return _enable(services, login)
    except (AccountError, PasswordInputError) as exc:
        print(f"Ошибка: {exc}.", file=sys.stderr)
        return 2


def _add(services: Services, login: str, number: str, roles: list[Role]) -> int:
    problem = login_problem(login)
    if problem is not None:
        raise AccountError(problem)
    with session_scope(services.engine) as session:  # before the password is typed
        _check_free(session, login, number)
    password_hash = _new_password_hash(login)
    with session_scope(services.engine) as session:
        now = services.clock()
        view = add_account(
            session=session,
            login=login,
            employee_number=number,
            roles=roles,
            password_hash=password_hash,
            now=now,
        )
        detail = f"employee={number} roles={','.join(role.value for role in view.roles)}"
        _audit(session, now, AccountAction.ACCOUNT_CREATED, login, detail)
    print(
        f"Учётная запись {login} создана: сотрудник {view.employee_number} "
        f"({view.full_name}), роли: {_roles(view)}."
    )
    return 0


def _passwd(services: Services, login: str) -> int:
    with session_scope(services.engine) as session:
        if find_account(session, login) is None:
            raise AccountError(f"учётной записи {login!r} нет")
    password_hash = _new_password_hash(login)
    with session_scope(services.engine) as session:
        now = services.clock()
        ended = set_password(session=session, login=login, password_hash=password_hash, now=now)
        _audit(session, now, AccountAction.PASSWORD_CHANGED, login, f"sessions_ended={ended}")
    print(f"Пароль {login} изменён, блокировка снята; завершено сеансов: {ended}.")
    return 0


def _disable(services: Services, login: str) -> int:
    with session_scope(services.engine) as session:
        now = services.clock()
        was_enabled, ended = disable_account(session=session, login=login)
        if was_enabled:
            _audit(session, now, AccountAction.ACCOUNT_DISABLED, login, f"sessions_ended={ended}")
    if not was_enabled:
        print(f"Учётная запись {login} уже отключена.")
    else:
        print(f"Учётная запись {login} отключена; завершено сеансов: {ended}.")
    return 0


def _enable(services: Services, login: str) -> int:
    with session_scope(services.engine) as session:
        now = services.clock()
        was_disabled = enable_account(session=session, login=login)
        if was_disabled:
            _audit(session, now, AccountAction.ACCOUNT_ENABLED, login)
    state = "включена" if was_disabled else "уже включена"
    print(f"Учётная запись {login} {state}.")
    return 0


def _list(services: Services) -> int:
    with session_scope(services.engine) as session:
        views = list_accounts(session)
    if not views:
        print("Учётных записей нет: создайте первую командой consult-line user add.")
        return 0
    now = services.clock()
    rows = [("логин", "сотрудник", "роли", "состояние")]
    rows += [
        (v.login, f"{v.employee_number} {v.full_name}", _roles(v), v.state(now)) for v in views
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "  ".join(
                [*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]]
            )
        )
    return 0


def _check_free(session: Session, login: str, number: str) -> None:
    if account_view(session, login) is not None:
        raise AccountError(f"логин {login!r} уже занят")
    employee = session.exec(select(Employee).where(col(Employee.internal_number) == number)).first()
    if employee is None:
        raise AccountError(f"сотрудника с внутренним номером {number!r} нет в справочнике")


def _new_password_hash(login: str) -> str:
    password = read_new_password(sys.stdin)
    problem = password_problem(password, login=login)
    if problem is not None:
        raise PasswordInputError(f"{problem}; ничего не изменено")
    return PRODUCTION.hash(password)


def _roles(view: AccountView) -> str:
    return ", ".join(role.value for role in view.roles) or "—"


def _audit(
    session: Session, now: datetime, action: AccountAction, login: str, detail: str = ""
) -> None:
    record_account_event(
        session=session, at=now, actor=cli_actor(), action=action, login=login, detail=detail
    )
