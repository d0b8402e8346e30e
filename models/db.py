"""Engine and sessions. Built by the composition root from settings; nothing at import time.

How long a connection may wait for the database is part of the engine (:class:`WaitLimits`):

* the service's own engine (migrations, exports, the AMI call log, reconciliation, the web
  app) may wait long: a big export must not be cut short, and a writer that finds the SQLite
  file locked waits up to 15 s for it. Only connecting to PostgreSQL is bounded (10 s), so a
  server that does not answer at all is reported instead of hanging a command;
* the caller's engine (:func:`caller_path_engine`, the FastAGI routes) waits no longer than the
  caller may: connecting, any statement (lock waits included) and SQLite's lock wait are all
  bounded by one limit, so a thread the route gave up on is freed soon after.

SQLite's own ``lower()`` knows only ASCII letters; every SQLite connection gets one that lowers
every letter, as PostgreSQL's does in a UTF-8 locale, so a search by name in any case finds
«Гаджиева» on both databases (:func:`unicode_lower`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine

# libpq counts connect_timeout in whole seconds and takes 1 as 2.
_PG_MIN_CONNECT_TIMEOUT_S = 2


@dataclass(frozen=True, slots=True)
class WaitLimits:
    """How long one connection waits. ``None``: as long as it takes."""

    connect_s: float  # PostgreSQL: establishing a connection
    lock_wait_s: float  # SQLite: a write waiting for another writer's lock
    statement_s: float | None = None  # PostgreSQL: any one statement, lock waits included
    pool_size: int | None = None  # connections kept; None: SQLAlchemy's default (5, +10 extra)


UNHURRIED = WaitLimits(connect_s=10.0, lock_wait_s=15.0)


def create_db_engine(database_url: str, limits: WaitLimits = UNHURRIED) -> Engine:
    url = make_url(database_url)
    pool: dict[str, Any] = {}
    if limits.pool_size is not None:
        # Never more connections than threads use them, and never a long wait for one.
        pool = {"pool_size": limits.pool_size, "max_overflow": 0, "pool_timeout": limits.connect_s}
    if url.get_backend_name() == "sqlite":
        # An in-memory database lives in one connection per thread: there is no pool to size.
        return _sqlite_engine(url, limits, {} if _in_memory(url) else pool)
    return _postgresql_engine(url, limits, pool)


def caller_path_engine(database_url: str, limit_s: float, connections: int) -> Engine:
    """The engine the FastAGI routes use: nothing on it waits much longer than ``limit_s``."""
    limits = WaitLimits(
        connect_s=limit_s, lock_wait_s=limit_s, statement_s=limit_s, pool_size=connections
    )
    return create_db_engine(database_url, limits)


def _postgresql_engine(url: URL, limits: WaitLimits, pool: dict[str, Any]) -> Engine:
    connect_timeout = max(_PG_MIN_CONNECT_TIMEOUT_S, math.ceil(limits.connect_s))
    engine = create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout}, **pool
    )
    statement_s = limits.statement_s
    if statement_s is not None:

        @event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
            # Outside a transaction, so that no rollback ever undoes it.
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET statement_timeout = {math.ceil(statement_s * 1000)}")
            cursor.close()
            dbapi_connection.autocommit = autocommit

    return engine


def _sqlite_engine(url: URL, limits: WaitLimits, pool: dict[str, Any]) -> Engine:
    # No folder is created here: a missing one is refused by the settings (models.settings).
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": limits.lock_wait_s}, **pool
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        dbapi_connection.create_function("lower", 1, unicode_lower, deterministic=True)

    return engine


def unicode_lower(value: object) -> object:
    """SQLite's ``lower()`` for every alphabet: text lowered, anything else (NULL) as it is."""
    return value.lower() if isinstance(value, str) else value


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
