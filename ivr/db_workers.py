"""The caller's way to the database: threads of its own and a time limit on every call.

A caller must never sit in dead air because the database hangs (another writer holds the
SQLite file, a PostgreSQL server stopped answering). So every synchronous call a flow makes
(``FlowContext.blocking``) runs here:

* in a small pool of its own (``CALLER_PATH_WORKERS`` threads), not asyncio's default pool that
  the AMI call log and reconciliation share: they cannot hold callers up, and a hung database
  cannot make threads without bound;
* under one time limit (``CONSULT_LINE_AGI_DB_TIMEOUT_S``) that also counts the wait for a free
  thread. Past it the call raises :class:`DatabaseTooSlow`; the route fails through the
  server's one error path (``LINE_AGI_FAILED=1``) and the dialplan serves the caller itself.

A thread cannot be stopped from outside: a call past its limit goes on in its thread and its
result is dropped; a call still waiting for a thread is dropped before it starts. The engine
of this path (``models.db.caller_path_engine``) gives up after the same limit, so such a
thread is free again soon after.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Database calls on a caller's path take milliseconds; a few threads serve hundreds of calls.
CALLER_PATH_WORKERS: Final = 8


class DatabaseTooSlow(TimeoutError):  # noqa: N818 (reads as the condition it reports)
    """A database call on a caller's path did not finish within its limit."""


class DatabaseWorkers:
    def __init__(self, *, limit_s: float, workers: int = CALLER_PATH_WORKERS) -> None:
        self.limit_s = limit_s
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ivr-db")

    async def run(self, fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """``fn(*args, **kwargs)`` in a worker thread, within ``limit_s`` from now."""
        loop = asyncio.get_running_loop()
        # Cancelling the awaited future cancels a call that has not started yet.
        future = loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        try:
            async with asyncio.timeout(self.limit_s):
                return await future
        except TimeoutError:
            name = getattr(fn, "__qualname__", None) or repr(fn)
            raise DatabaseTooSlow(
                f"database call {name} gave no answer within {self.limit_s:g} s"
            ) from None

    def close(self, *, wait: bool = False) -> None:
        """Drops the calls not started yet; ``wait``: also waits for the running ones."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
