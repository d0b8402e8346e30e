"""Server-side sessions: a random token in the browser's cookie, its SHA-256 in the database.

:func:`find_signed_in` is asked on every request: it answers who is signed in with the roles the
employee has *now* (a role taken away applies at once), and ends sessions that ran out
(``models.rules.sessions``), of a disabled account or of an employee switched off in the staff
directory.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from models.rules.sessions import SessionPolicy, expiry_cutoffs, needs_touch, session_alive
from models.tables import Employee, EmployeeRole, Role, UserAccount, UserSession

TOKEN_BYTES = 32  # 256 bits: 43 characters in the cookie
_LONGEST_TOKEN = 128  # anything longer is not one of ours: refused before hashing


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who sent the request, as the route sees them."""

    session_id: int
    account_id: int
    login: str
    employee_id: int
    full_name: str
    roles: frozenset[Role]
    csrf_token: str

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(*, session: Session, account_id: int, now: datetime) -> tuple[str, str]:
    """A new session of the account: (the token for the cookie, the CSRF token)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    csrf = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        UserSession(
            account_id=account_id,
            token_hash=token_digest(token),
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return token, csrf


def find_signed_in(
    *, session: Session, token: str, now: datetime, policy: SessionPolicy
) -> SignedIn | None:
    """The signed-in user of ``token``; None for an unknown, ended or expired session."""
    if not token or len(token) > _LONGEST_TOKEN:
        return None
    row = session.exec(
        select(UserSession, UserAccount, Employee)
        .join(UserAccount, col(UserAccount.id) == col(UserSession.account_id))
        .join(Employee, col(Employee.id) == col(UserAccount.employee_id))
        .where(col(UserSession.token_hash) == token_digest(token))
    ).first()
    if row is None:
        return None
    user_session, account, employee = row
    assert user_session.id is not None
    assert account.id is not None
    alive = session_alive(
        created_at=user_session.created_at,
        last_seen_at=user_session.last_seen_at,
        now=now,
        policy=policy,
    )
    if not alive or account.disabled or not employee.active:
        session.execute(delete(UserSession).where(col(UserSession.id) == user_session.id))
        return None
    if needs_touch(last_seen_at=user_session.last_seen_at, now=now, policy=policy):
        session.execute(
            update(UserSession)
            .where(col(UserSession.id) == user_session.id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    roles = session.exec(
        select(col(EmployeeRole.role)).where(col(EmployeeRole.employee_id) == employee.id)
    )
    return SignedIn(
        session_id=user_session.id,
        account_id=account.id,
        login=account.login,
        employee_id=account.employee_id,
        full_name=employee.full_name,
        roles=frozenset(roles),
        csrf_token=user_session.csrf_token,
    )


def end_session(*, session: Session, session_id: int) -> None:
    session.execute(delete(UserSession).where(col(UserSession.id) == session_id))


def end_sessions_of(*, session: Session, account_id: int) -> int:
    """Ends every session of the account (sign-out everywhere); returns how many there were."""
    result = session.execute(delete(UserSession).where(col(UserSession.account_id) == account_id))
    return int(getattr(result, "rowcount", 0))


def sessions_of(*, session: Session, account_id: int) -> int:
    """How many sessions the account has (ended ones not yet purged included)."""
    query = select(col(UserSession.id)).where(col(UserSession.account_id) == account_id)
    return len(session.exec(query).all())


def purge_expired(*, session: Session, now: datetime, policy: SessionPolicy) -> int:
    """Deletes every session that ran out; returns how many."""
    idle_before, created_before = expiry_cutoffs(now, policy)
    result = session.execute(
        delete(UserSession).where(
            or_(
                col(UserSession.last_seen_at) < idle_before,
                col(UserSession.created_at) < created_before,
            )
        )
    )
    return int(getattr(result, "rowcount", 0))
