"""Sign-in accounts of employees and their server-side sessions.

An account belongs to one employee; what it may do comes from the employee's roles
(``employee_roles``), read afresh on every request. A session row stores only the SHA-256 of its
random token: whoever reads the database cannot sign in with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.tables._columns import owner_key, utc


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_accounts"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(sa_column=owner_key("employees.id", unique=True))
    login: str = Field(max_length=64, unique=True)  # lower case, see models.accounts
    password_hash: str = Field(max_length=255)  # argon2id, PHC string
    disabled: bool = Field(default=False)
    # Consecutive wrong passwords (models.rules.sign_in): counted when an attempt is let in,
    # cleared by a right password or by `consult-line user passwd`.
    failed_attempts: int = Field(default=0)
    last_failed_at: datetime | None = Field(default=None, sa_type=utc())
    locked_until: datetime | None = Field(default=None, sa_type=utc())
    password_changed_at: datetime = Field(sa_type=utc())
    created_at: datetime = Field(sa_type=utc())


class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=owner_key("user_accounts.id"))
    token_hash: str = Field(max_length=64, unique=True)  # hex SHA-256 of the cookie's token
    csrf_token: str = Field(max_length=64)  # what forms and fetch send back (agent_console.auth)
    created_at: datetime = Field(sa_type=utc())
    last_seen_at: datetime = Field(sa_type=utc(), index=True)
