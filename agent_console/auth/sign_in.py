"""Signing in and out: the password check with its pause and lock, the session, the audit log.

An attempt first takes its place in the account's count of wrong passwords
(``models.rules.sign_in.admit``, stored with a compare-and-set), then the password is checked
outside any transaction (argon2 takes a fifth of a second), then the outcome is written. Every
sign-in, failure, refusal, lockout and sign-out is an entry of ``audit_log``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlmodel import Session

from agent_console.auth.passwords import PASSWORD_MAX
from agent_console.deps import Backend
from models.accounts import (
    LOGIN_MAX,
    clear_failures,
    failures_of,
    find_account,
    login_problem,
    normalise_login,
    replace_failures,
    roles_of,
)
from models.audit_trail import AccountAction, record_account_event, web_actor
from models.db import session_scope
from models.rules.sign_in import Admitted, Refused, SignInPolicy, admit
from models.tables import Employee, UserAccount
from models.user_sessions import SignedIn, end_session, open_session, purge_expired

WRONG = "Неверный логин или пароль."
EMPTY = "Введите логин и пароль."
DISABLED = "Учётная запись отключена. Обратитесь к администратору."
NO_ROLES = "У учётной записи нет ни одной роли. Обратитесь к администратору."
_RESERVE_TRIES = 5


@dataclass(frozen=True, slots=True)
class SignInResult:
    token: str | None = None  # the new session's token when signed in
    status: int = 200
    message: str = ""
    retry_after_s: int | None = None  # for 429: when to try again


def sign_in(*, backend: Backend, login_text: str, password: str, where: str) -> SignInResult:
    """Checks the password of ``login_text``; ``where`` is the browser's address (audit)."""
    login = normalise_login(login_text)
    if not login or not password:
        return SignInResult(status=400, message=EMPTY)
    now = backend.clock()
    account = _account(backend, login) if len(login) <= LOGIN_MAX else None
    if account is None or len(password) > PASSWORD_MAX:
        backend.passwords.verify_nothing(password[:PASSWORD_MAX])
        shown = login if login_problem(login) is None else "?"
        _audit(backend, now, AccountAction.SIGN_IN_FAILED, shown, f"ip={where} unknown_login")
        return SignInResult(status=401, message=WRONG)
    policy = backend.settings.sign_in_policy
    verdict, password_hash = _reserve(backend, _id(account), now, policy)
    if isinstance(verdict, Refused):
        return _refused(backend, login, now, verdict, where)
    if not backend.passwords.verify(password_hash, password):
        return _wrong(backend, login, now, verdict, where)
    return _right(backend, _id(account), password, now, where)


def sign_out(*, backend: Backend, user: SignedIn, where: str) -> None:
    now = backend.clock()
    with session_scope(backend.engine) as session:
        end_session(session=session, session_id=user.session_id)
        _record(session, now, AccountAction.SIGN_OUT, user.login, f"ip={where}")


def _account(backend: Backend, login: str) -> UserAccount | None:
    with session_scope(backend.engine) as session:
        return find_account(session, login)


def _reserve(
    backend: Backend, account_id: int, now: datetime, policy: SignInPolicy
) -> tuple[Admitted | Refused, str]:
    """The attempt counted before the check, or refused unchecked; and the stored hash."""
    for _ in range(_RESERVE_TRIES):
        with session_scope(backend.engine) as session:
            account = session.get(UserAccount, account_id)
            assert account is not None
            expected, password_hash = failures_of(account), account.password_hash
        verdict = admit(expected, now, policy)
        if isinstance(verdict, Refused):
            return verdict, password_hash
        with session_scope(backend.engine) as session:
            stored = replace_failures(
                session=session, account_id=account_id, expected=expected, new=verdict.failures
            )
        if stored:
            return verdict, password_hash
    # Other attempts on the same account kept changing the count: refuse this one briefly.
    return Refused(locked=False, until=now + policy.first_pause), password_hash


def _refused(
    backend: Backend, login: str, now: datetime, verdict: Refused, where: str
) -> SignInResult:
    wait_s = max(1, math.ceil((verdict.until - now).total_seconds()))
    if verdict.locked:
        until = _local(verdict.until, now, backend.settings.tz)
        message = (
            "Вход для этой учётной записи временно закрыт из-за неверных паролей: попробуйте "
            f"после {until} или обратитесь к администратору."
        )
        detail = f"ip={where} locked_until={verdict.until.isoformat()}"
    else:
        message = f"Слишком частые попытки входа: подождите {wait_s} с и попробуйте снова."
        detail = f"ip={where} pause_until={verdict.until.isoformat()}"
    _audit(backend, now, AccountAction.SIGN_IN_REFUSED, login, detail)
    return SignInResult(status=429, message=message, retry_after_s=wait_s)


def _wrong(
    backend: Backend, login: str, now: datetime, verdict: Admitted, where: str
) -> SignInResult:
    failures = verdict.failures
    policy = backend.settings.sign_in_policy
    with session_scope(backend.engine) as session:
        detail = f"ip={where} attempt={failures.count}/{policy.max_attempts}"
        _record(session, now, AccountAction.SIGN_IN_FAILED, login, detail)
        if failures.locked_until is not None:
            detail = f"ip={where} locked_until={failures.locked_until.isoformat()}"
            _record(session, now, AccountAction.ACCOUNT_LOCKED, login, detail)
    if failures.locked_until is None:
        return SignInResult(status=401, message=WRONG)
    until = _local(failures.locked_until, now, backend.settings.tz)
    return SignInResult(
        status=429,
        message=f"{WRONG} После {policy.max_attempts} неверных попыток вход для этой учётной "
        f"записи закрыт до {until}.",
        retry_after_s=math.ceil((failures.locked_until - now).total_seconds()),
    )


def _right(
    backend: Backend, account_id: int, password: str, now: datetime, where: str
) -> SignInResult:
    with session_scope(backend.engine) as session:
        clear_failures(session=session, account_id=account_id)
        account = session.get(UserAccount, account_id)
        assert account is not None
        employee = session.get(Employee, account.employee_id)
        refusal = _unusable(session, account, employee)
        if refusal is not None:
            detail = f"ip={where} {'disabled' if refusal == DISABLED else 'no_roles'}"
            _record(session, now, AccountAction.SIGN_IN_REFUSED, account.login, detail)
            return SignInResult(status=403, message=refusal)
        if backend.passwords.needs_rehash(account.password_hash):
            account.password_hash = backend.passwords.hash(password)
            session.add(account)
        purge_expired(session=session, now=now, policy=backend.settings.session_policy)
        token, _csrf = open_session(session=session, account_id=account_id, now=now)
        _record(session, now, AccountAction.SIGN_IN, account.login, f"ip={where}")
    return SignInResult(token=token)


def _unusable(session: Session, account: UserAccount, employee: Employee | None) -> str | None:
    if account.disabled or employee is None or not employee.active:
        return DISABLED
    if not roles_of(session, account.employee_id):
        return NO_ROLES
    return None


def _audit(backend: Backend, now: datetime, action: AccountAction, login: str, detail: str) -> None:
    with session_scope(backend.engine) as session:
        _record(session, now, action, login, detail)


def _record(
    session: Session, now: datetime, action: AccountAction, login: str, detail: str
) -> None:
    record_account_event(
        session=session, at=now, actor=web_actor(login), action=action, login=login, detail=detail
    )


def _local(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """``12:35``, or ``05.12.2026 12:35`` when that is not today at the line; rounded up to the
    minute, so that trying at the time said never finds the lock still on."""
    local = (moment + timedelta(seconds=59)).astimezone(zone).replace(second=0, microsecond=0)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local:%d.%m.%Y %H:%M}"


def _id(account: UserAccount) -> int:
    assert account.id is not None
    return account.id
