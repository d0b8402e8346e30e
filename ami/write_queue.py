"""The AMI bridge's database writes: in order, off the event consumer, kept while the database
is away.

The consumer never waits for the database: it applies an event to the projector and the live
state, publishes, and hands the writes here. One writer task runs them in a worker thread,
first in, first out, so the writes of one call (its progress, then its end) and of one
callback task keep their order.

* **The database away.** A write that fails because the database cannot be reached or is
  locked (SQLAlchemy ``OperationalError``, ``InterfaceError``, a pool timeout, a connection
  invalidated) stays at the head and is retried after a growing pause until it goes through;
  nothing behind it is tried meanwhile. One warning when it starts, one when it is over.
* **A broken write.** Any other error is a fault of that write, not of the database: logged
  with its traceback, counted (``failed``) and dropped, so one bad row does not hold up the
  rest.
* **Bounded.** A progress snapshot replaces the waiting snapshot of the same call (the newer
  one holds everything the older did). At most ``limit`` writes wait; one more drops the
  oldest waiting write, counted (``dropped``) and handed to its ``on_dropped``: the bridge
  lists a dropped call for the reconciliation, which rebuilds finished calls from queue_log
  and CDR.
* ``status()`` (``/health``): how many wait, the oldest one's age, whether the database is
  failing, failures, failed and dropped writes, the last error. ``barrier()`` waits until
  every write handed in so far is done (the reconciliation runs after the live writes: they
  are the more detailed source).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import (
    TimeoutError as PoolTimeoutError,
)

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_S: tuple[float, ...] = (0.5, 1, 2, 5, 10, 30)
# A day of a busy line's writes; beyond that the reconciliation rebuilds the finished calls.
DEFAULT_LIMIT = 20_000
STOP_FLUSH_S = 2.0


@dataclass(frozen=True, slots=True)
class Write:
    """One synchronous unit of work for a worker thread."""

    run: Callable[[], object]
    label: str  # for the log, e.g. "call 1795867058.0: end"
    key: str = ""  # what it writes (a call's Linkedid); writes of one key keep their order
    snapshot: bool = False  # a newer snapshot of the same key replaces this one while waiting
    # In the event loop once it went through, with what ``run`` returned.
    on_written: Callable[[Any], None] | None = None
    on_dropped: Callable[[], None] | None = None  # in the event loop, if the queue overflowed


@dataclass(slots=True)
class _Queued:
    write: Write
    seq: int
    at: datetime


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or is locked now: worth trying the same write again."""
    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class WriteQueue:
    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        backoff: Sequence[float] = DEFAULT_BACKOFF_S,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        if not backoff or any(delay < 0 for delay in backoff):
            raise ValueError(f"backoff needs at least one non-negative delay: {backoff!r}")
        if limit < 1:
            raise ValueError(f"limit must be positive: {limit!r}")
        self._clock = clock
        self._backoff = tuple(backoff)
        self._limit = limit
        self._items: deque[_Queued] = deque()
        self._snapshots: dict[str, _Queued] = {}  # key -> its waiting snapshot
        self._running: _Queued | None = None  # the head, being written
        self._seq = 0  # writes handed in
        self._done = 0  # every write up to this seq is done (written, failed or dropped)
        self._wakeup = asyncio.Event()
        self._barriers: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._attempt = 0  # failed tries of the head write in a row
        self._written = 0
        self._failures = 0  # tries that met an unavailable database
        self._failed = 0  # writes dropped because of their own error
        self._dropped = 0  # writes dropped because the queue was full
        self._last_error: str | None = None
        self._unavailable_since: datetime | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("WriteQueue already started")
        self._task = asyncio.create_task(self._writer(), name="call-log-writes")

    async def stop(self, flush_s: float = STOP_FLUSH_S) -> None:
        """Gives the waiting writes ``flush_s`` to go through, then stops; what is left is
        logged (the reconciliation rebuilds the finished calls among them)."""
        task, self._task = self._task, None
        if task is None:
            return
        if self._items and self._unavailable_since is None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(flush_s):
                    await self.barrier()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if self._items:
            log.error(
                "журнал звонков: %d записей не сохранены при остановке (%s); завершённые "
                "звонки восстановит сверка с queue_log/CDR",
                len(self._items),
                ", ".join(item.write.label for item in list(self._items)[:5]),
            )

    # ------------------------------------------------------------------ writes

    def submit(self, write: Write) -> None:
        """Queues ``write``; never blocks, never raises."""
        if write.snapshot and write.key:
            waiting = self._snapshots.get(write.key)
            if waiting is not None:
                waiting.write = write  # same place in the order, the newer facts
                return
        self._seq += 1
        item = _Queued(write, self._seq, self._clock())
        self._items.append(item)
        if write.key:
            if write.snapshot:
                self._snapshots[write.key] = item
            else:
                self._snapshots.pop(write.key, None)  # a later write supersedes nothing
        if len(self._items) > self._limit:
            self._drop_oldest()
        self._wakeup.set()

    @property
    def pending(self) -> int:
        return len(self._items)

    @property
    def unavailable(self) -> bool:
        """The database refused the last try; writes are waiting for it."""
        return self._unavailable_since is not None

    async def barrier(self) -> None:
        """Returns once every write handed in before the call is done."""
        if self._done >= self._seq:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._barriers.append((self._seq, done))
        await done

    def status(self) -> dict[str, Any]:
        """Safe from another thread (the /health route runs in one)."""
        oldest = None
        try:
            first = self._items[0]
        except IndexError:
            pass
        else:
            oldest = max((self._clock() - first.at).total_seconds(), 0.0)
        return {
            "pending": len(self._items),
            "oldest_s": oldest,
            "database_unavailable": self.unavailable,
            "unavailable_since": (
                self._unavailable_since.isoformat() if self._unavailable_since else None
            ),
            "written": self._written,
            "failures": self._failures,
            "failed": self._failed,
            "dropped": self._dropped,
            "limit": self._limit,
            "last_error": self._last_error,
        }

    # ------------------------------------------------------------------ the writer

    async def _writer(self) -> None:
        while True:
            while not self._items:
                self._wakeup.clear()
                await self._wakeup.wait()
            item = self._items[0]
            self._running = item
            if self._snapshots.get(item.write.key) is item:
                del self._snapshots[item.write.key]
            try:
                result = await asyncio.to_thread(item.write.run)
            except Exception as exc:
                if is_unavailable(exc):
                    await self._unavailable(item, exc)
                    continue
                self._failed += 1
                self._last_error = f"{type(exc).__name__}: {exc}"
                log.exception("журнал звонков: запись %s не удалась", item.write.label)
            else:
                self._written += 1
                self._recovered()
                self._after(item.write.on_written, result)
            finally:
                self._running = None
            self._items.popleft()
            self._finished()

    async def _unavailable(self, item: _Queued, exc: Exception) -> None:
        """The head stays; the next try after a pause."""
        self._failures += 1
        self._last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if self._unavailable_since is None:
            self._unavailable_since = self._clock()
            log.warning(
                "база данных недоступна, записи журнала звонков откладываются и повторяются: "
                "%s (первая: %s)",
                self._last_error,
                item.write.label,
            )
        delay = self._backoff[min(self._attempt, len(self._backoff) - 1)]
        self._attempt += 1
        await asyncio.sleep(delay)

    def _recovered(self) -> None:
        self._attempt = 0
        if self._unavailable_since is not None:
            self._unavailable_since = None
            log.warning(
                "база данных снова доступна: отложенные записи журнала звонков пишутся "
                "(осталось %d)",
                len(self._items) - 1,
            )

    @staticmethod
    def _after(callback: Callable[[Any], None] | None, result: object) -> None:
        if callback is None:
            return
        try:
            callback(result)
        except Exception:
            log.exception("журнал звонков: ошибка после записи")

    def _drop_oldest(self) -> None:
        index = 1 if self._running is not None else 0
        item = self._items[index]
        del self._items[index]
        if self._snapshots.get(item.write.key) is item:
            del self._snapshots[item.write.key]
        self._dropped += 1
        log.error(
            "журнал звонков: очередь записей переполнена (%d), запись %s отброшена",
            self._limit,
            item.write.label,
        )
        if item.write.on_dropped is not None:
            try:
                item.write.on_dropped()
            except Exception:
                log.exception("журнал звонков: ошибка после отброшенной записи")
        self._finished()

    def _finished(self) -> None:
        # Writes finish in order, except a drop from the middle: done counts up to the oldest
        # still waiting.
        self._done = self._items[0].seq - 1 if self._items else self._seq
        waiting = []
        for target, future in self._barriers:
            if target > self._done:
                waiting.append((target, future))
            elif not future.done():
                future.set_result(None)
        self._barriers = waiting
