"""Accounts and sessions in the database: what ``consult-line user`` and the sign-in rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.accounts import (
    AccountError,
    add_account,
    disable_account,
    failures_of,
    find_account,
    list_accounts,
    login_problem,
    replace_failures,
    set_password,
)
from models.db import session_scope
from models.rules.sessions import SessionPolicy
from models.rules.sign_in import Failures
from models.tables import Employee, EmployeeRole, Role, UserSession
from models.user_sessions import find_signed_in, open_session, purge_expired
from tests.factories import add_employee

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = SessionPolicy(idle=timedelta(hours=8), longest=timedelta(hours=12))
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"  # never checked here


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    add_employee(db_engine, "201", "PJSIP/201")
    add_employee(db_engine, "202", "PJSIP/202", active=False)
    return db_engine


def _add(session: Session, login: str = "ivanova", number: str = "201", *roles: Role) -> None:
    add_account(
        session=session,
        login=login,
        employee_number=number,
        roles=list(roles) or [Role.OPERATOR],
        password_hash=HASH,
        now=NOW,
    )


def _account_id(session: Session) -> int:
    account = find_account(session, "ivanova")
    assert account is not None
    assert account.id is not None
    return account.id


@pytest.mark.parametrize(
    ("login", "ok"),
    [
        ("ivanova", True),
        ("a.ivanova-2", True),
        ("op_201", True),
        ("ab", True),
        ("a", False),
        ("Ivanova", False),  # logins are kept in lower case (normalise_login)
        ("иванова", False),
        ("-ivanova", False),
        ("iva nova", False),
        ("x" * 65, False),
    ],
)
def test_login_format(login: str, ok: bool) -> None:
    assert (login_problem(login) is None) is ok


@pytest.mark.parametrize(
    ("login", "number", "message"),
    [
        ("Bad Login", "201", "логин 'Bad Login': от 2 до 64 знаков"),
        ("petrov", "999", "сотрудника с внутренним номером '999' нет в справочнике"),
        ("petrov", "202", "сотрудник 202 отключён в справочнике"),
        ("ivanova", "201", "логин 'ivanova' уже занят"),
        ("petrov", "201", "у сотрудника 201 уже есть учётная запись 'ivanova'"),
    ],
)
def test_account_that_cannot_be_made_changes_nothing(
    engine: Engine, login: str, number: str, message: str
) -> None:
    with session_scope(engine) as session:
        _add(session)
    with session_scope(engine) as session, pytest.raises(AccountError, match=message):
        _add(session, login, number, Role.ADMIN)
    with session_scope(engine) as session:
        assert [view.login for view in list_accounts(session)] == ["ivanova"]
        assert set(session.exec(select(EmployeeRole.role)).all()) == {Role.OPERATOR}


def test_roles_are_added_to_the_employees_roles(engine: Engine) -> None:
    with session_scope(engine) as session:
        employee = session.exec(select(Employee).where(Employee.internal_number == "201")).one()
        assert employee.id is not None
        session.add(EmployeeRole(employee_id=employee.id, role=Role.EXPERT))
    with session_scope(engine) as session:
        _add(session, "ivanova", "201", Role.ADMIN, Role.OPERATOR, Role.ADMIN)
        (view,) = list_accounts(session)
    assert view.roles == (Role.OPERATOR, Role.EXPERT, Role.ADMIN)
    assert view.state(NOW) == "активна"


def test_password_change_clears_the_lock_and_ends_every_session(engine: Engine) -> None:
    with session_scope(engine) as session:
        _add(session)
        account_id = _account_id(session)
        locked = Failures(count=5, last_at=NOW, locked_until=NOW + timedelta(minutes=15))
        assert replace_failures(
            session=session, account_id=account_id, expected=Failures(), new=locked
        )
        tokens = [open_session(session=session, account_id=account_id, now=NOW)[0] for _ in "ab"]
    with session_scope(engine) as session:
        assert list_accounts(session)[0].state(NOW).startswith("заблокирована до 2026-12-07 09:15")
        assert set_password(session=session, login="ivanova", password_hash="new", now=NOW) == 2
    with session_scope(engine) as session:
        account = find_account(session, "ivanova")
        assert account is not None
        assert failures_of(account) == Failures()
        assert account.password_hash == "new"
        for token in tokens:
            assert find_signed_in(session=session, token=token, now=NOW, policy=POLICY) is None


def test_failures_are_replaced_only_if_unchanged_since_read(engine: Engine) -> None:
    with session_scope(engine) as session:
        _add(session)
        account_id = _account_id(session)
        one = Failures(count=1, last_at=NOW)
        assert replace_failures(
            session=session, account_id=account_id, expected=Failures(), new=one
        )
        # A second attempt that read the row before the first one wrote: refused.
        assert not replace_failures(
            session=session, account_id=account_id, expected=Failures(), new=one
        )
        two = Failures(count=2, last_at=NOW + timedelta(seconds=1))
        assert replace_failures(session=session, account_id=account_id, expected=one, new=two)


def test_disabling_ends_sessions_and_is_said_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        _add(session)
        account_id = _account_id(session)
        open_session(session=session, account_id=account_id, now=NOW)
    with session_scope(engine) as session:
        assert disable_account(session=session, login="ivanova") == (True, 1)
        assert disable_account(session=session, login="ivanova") == (False, 0)
        assert list_accounts(session)[0].state(NOW) == "отключена"
    with session_scope(engine) as session, pytest.raises(AccountError, match="нет"):
        disable_account(session=session, login="nobody")


def test_expired_sessions_are_purged(engine: Engine) -> None:
    with session_scope(engine) as session:
        _add(session)
        account_id = _account_id(session)
        open_session(session=session, account_id=account_id, now=NOW - timedelta(hours=9))
        fresh, _ = open_session(session=session, account_id=account_id, now=NOW)
    with session_scope(engine) as session:
        assert purge_expired(session=session, now=NOW, policy=POLICY) == 1
        assert len(session.exec(select(UserSession)).all()) == 1
        user = find_signed_in(session=session, token=fresh, now=NOW, policy=POLICY)
        assert user is not None
        assert (user.login, user.roles) == ("ivanova", frozenset({Role.OPERATOR}))
