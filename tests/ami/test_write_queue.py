"""The AMI bridge's write queue: in order, kept while the database is away, bounded.

The writes here are plain functions; the database's refusal is the exception SQLAlchemy
raises for a locked or unreachable database. The bridge over a database locked for real:
``test_bridge_database_down.py``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError, OperationalError

from ami.write_queue import Write, WriteQueue

T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
LOCKED = OperationalError("INSERT INTO calls", {}, sqlite3.OperationalError("database is locked"))


class Database:
    """Where the writes land; ``down`` makes every write fail as a locked database does."""

    def __init__(self) -> None:
        self.down = True
        self.rows: list[str] = []

    def write(self, row: str) -> Callable[[], str]:
        def run() -> str:
            if self.down:
                raise LOCKED
            self.rows.append(row)
            return row

        return run


async def until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_writes_wait_for_the_database_in_order_and_a_newer_snapshot_replaces_one() -> None:
    database = Database()
    written: list[object] = []
    queue = WriteQueue(clock=lambda: T0, backoff=(0.01,))
    queue.start()
    try:
        queue.submit(Write(database.write("a: progress"), "a", key="a", snapshot=True))
        queue.submit(Write(database.write("a: end"), "a", key="a", on_written=written.append))
        queue.submit(Write(database.write("b: progress 1"), "b", key="b", snapshot=True))
        queue.submit(Write(database.write("b: progress 2"), "b", key="b", snapshot=True))
        queue.submit(Write(database.write("task 7: attempt"), "c", key="callback/7"))
        await until(lambda: queue.status()["failures"] >= 2)
        status = queue.status()
        assert (status["pending"], status["database_unavailable"], status["written"]) == (
            4,
            True,
            0,
        )
        assert "database is locked" in status["last_error"]
        database.down = False
        await queue.barrier()
        assert database.rows == ["a: progress", "a: end", "b: progress 2", "task 7: attempt"]
        assert written == ["a: end"]
        assert queue.status()["database_unavailable"] is False
    finally:
        await queue.stop()


async def test_a_full_queue_drops_the_oldest_waiting_and_a_broken_write_only_itself() -> None:
    database = Database()
    dropped: list[str] = []

    def write(name: str) -> Write:
        return Write(database.write(name), name, key=name, on_dropped=lambda: dropped.append(name))

    queue = WriteQueue(clock=lambda: T0, backoff=(0.01,), limit=2)
    queue.start()
    try:
        queue.submit(write("a"))
        await until(lambda: queue.status()["failures"] >= 1)  # "a" is being tried: it stays
        queue.submit(write("b"))
        queue.submit(write("c"))  # one too many: "b", the oldest waiting, goes
        assert dropped == ["b"]
        database.down = False
        await queue.barrier()
        assert database.rows == ["a", "c"]

        def broken() -> None:
            raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

        queue.submit(Write(broken, "d", key="d"))
        queue.submit(write("e"))
        await queue.barrier()
        assert database.rows == ["a", "c", "e"]
        status = queue.status()
        assert (status["written"], status["failed"], status["dropped"]) == (3, 1, 1)
    finally:
        await queue.stop()
