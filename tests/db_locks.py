"""A database that hangs, for real: another connection holds the lock every writer of a table
needs, until the ``with`` block ends.

SQLite: ``BEGIN EXCLUSIVE`` (in WAL mode readers go on, writers of any table wait). PostgreSQL:
``LOCK TABLE <table> IN EXCLUSIVE MODE`` in an open transaction (plain reads go on, writes to
that table wait; :func:`waiting_writers` counts them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine


@contextmanager
def write_locked(engine: Engine, table: str) -> Iterator[None]:
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
        connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.rollback()


@contextmanager
def calls_write_locked(engine: Engine) -> Iterator[None]:
    with write_locked(engine, "calls"):
        yield


def waiting_writers(engine: Engine, table: str) -> int:
    """PostgreSQL: how many sessions wait for a lock on ``table`` (in the engine's schema)."""
    with engine.connect() as watcher:
        return int(
            watcher.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted "
                    "AND relation = to_regclass(:table)"
                ),
                {"table": table},
            ).scalar_one()
        )
