"""A database that hangs, for real: another connection holds the lock every writer of the
call log needs, until the ``with`` block ends.

SQLite: ``BEGIN EXCLUSIVE`` (in WAL mode readers go on, writers wait). PostgreSQL: ``LOCK TABLE
calls IN EXCLUSIVE MODE`` in an open transaction (plain reads go on, writes to ``calls`` wait).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine


@contextmanager
def calls_write_locked(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        assert database, "an SQLite file database"
        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("LOCK TABLE calls IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.rollback()
