"""The simulated PBX's time: virtual (as fast as the machine goes) or paced (wall clock × speed).

Everything the PBX does over time runs as a *process* (``spawn``): a coroutine that waits only
through this clock, for a duration (``sleep``) or for :class:`Signal` s (``wait``). The clock
reads no other time, so the event stream is a function of the calls played, not of the machine.

* **Virtual** (``speed=None``): time stands still while any process is running or waiting on
  something outside the clock (a FastAGI reply, a socket); when every process waits on the
  clock, it jumps to the earliest deadline. A one-hour call plays in milliseconds and its
  timestamps are exact, whatever the load.
* **Paced** (``speed=X``): one simulated second takes ``1/X`` wall seconds; ``now`` is the
  start plus the elapsed wall time × X. What a person watches (the console, a demo) runs so.

A signal fires once, waking every process that waits on it then and answering every later
wait at once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any


class Signal:
    """Fires once; ``value`` says what happened (e.g. a hang-up cause)."""

    __slots__ = ("_clock", "_waiters", "fired", "name", "value")

    def __init__(self, clock: SimClock, name: str = "") -> None:
        self._clock = clock
        self._waiters: list[_Waiter] = []
        self.name = name
        self.fired = False
        self.value: object = None

    def fire(self, value: object = None) -> None:
        if self.fired:
            return
        self.fired = True
        self.value = value
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            self._clock._wake(waiter, self)

    def __repr__(self) -> str:
        return f"Signal({self.name!r}, fired={self.fired})"


@dataclass(eq=False)
class _Waiter:
    future: asyncio.Future[Signal | None]
    deadline: float | None
    counted: bool  # a process waits (not a coroutine outside the clock's processes)
    signals: tuple[Signal, ...] = field(default=())


class SimClock:
    def __init__(self, *, start: float, speed: float | None = None) -> None:
        """``start``: epoch seconds of the first instant; ``speed``: None for virtual time,
        else simulated seconds per wall second (> 0)."""
        if speed is not None and speed <= 0:
            raise ValueError(f"speed must be positive: {speed!r}")
        self._start = start
        self._speed = speed
        self._now = start
        self._loop_start: float | None = None
        self._timers: list[tuple[float, int, _Waiter]] = []
        self._sequence = itertools.count()
        self._processes = 0
        self._blocked = 0  # processes waiting on the clock right now
        self._changed: asyncio.Event | None = None
        self._driver: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle: asyncio.Event | None = None

    @property
    def virtual(self) -> bool:
        return self._speed is None

    def now(self) -> float:
        if self._speed is None or self._loop_start is None:
            return self._now
        elapsed = asyncio.get_running_loop().time() - self._loop_start
        return self._start + elapsed * self._speed

    def start(self) -> None:
        """Time runs from this moment (otherwise from the first process or wait): a paced
        line keeps step with the clock ``start`` was read from."""
        self._ensure_started()

    # ------------------------------------------------------------------ processes

    def spawn(self, coroutine: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
        """Runs ``coroutine`` as a process; its waits go through this clock."""
        self._ensure_started()
        self._processes += 1
        assert self._idle is not None
        self._idle.clear()
        task = asyncio.create_task(self._run(coroutine), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        try:
            await coroutine
        finally:
            self._processes -= 1
            self._poke()
            if self._processes == 0 and self._idle is not None:
                self._idle.set()

    async def idle(self) -> None:
        """Returns once no process is left (every call played to its end)."""
        self._ensure_started()
        assert self._idle is not None
        await self._idle.wait()

    @property
    def processes(self) -> int:
        return self._processes

    async def stop(self) -> None:
        """Cancels every process and the driver."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._driver is not None:
            self._driver.cancel()
            await asyncio.gather(self._driver, return_exceptions=True)
            self._driver = None

    # ------------------------------------------------------------------ waiting

    def signal(self, name: str = "") -> Signal:
        return Signal(self, name)

    async def sleep(self, seconds: float) -> None:
        await self.wait(timeout=seconds)

    async def wait(self, *signals: Signal, timeout: float | None = None) -> Signal | None:
        """The first of ``signals`` to fire, or None once ``timeout`` simulated seconds have
        passed (no timeout: wait as long as it takes)."""
        for signal in signals:
            if signal.fired:
                return signal
        self._ensure_started()
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else self.now() + max(timeout, 0.0)
        counted = asyncio.current_task() in self._tasks
        waiter = _Waiter(loop.create_future(), deadline, counted, signals)
        for signal in signals:
            signal._waiters.append(waiter)
        self._blocked += counted
        if deadline is not None:
            if self._speed is None:
                heapq.heappush(self._timers, (deadline, next(self._sequence), waiter))
            else:
                delay = max(timeout or 0.0, 0.0) / self._speed
                loop.call_later(delay, self._wake, waiter, None)
        self._poke()
        try:
            return await waiter.future
        finally:
            if not waiter.future.done():  # cancelled while waiting
                waiter.future.cancel()
                self._blocked -= waiter.counted
                self._poke()
            for signal in signals:
                if waiter in signal._waiters:
                    signal._waiters.remove(waiter)

    def _wake(self, waiter: _Waiter, signal: Signal | None) -> None:
        if waiter.future.done():
            return
        waiter.future.set_result(signal)
        self._blocked -= waiter.counted
        self._poke()

    # ------------------------------------------------------------------ virtual time

    def _ensure_started(self) -> None:
        if self._changed is not None:
            return
        loop = asyncio.get_running_loop()
        self._loop_start = loop.time()
        self._changed = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        if self._speed is None:
            self._driver = loop.create_task(self._drive(), name="sim-clock")

    def _poke(self) -> None:
        if self._changed is not None:
            self._changed.set()

    async def _drive(self) -> None:
        """Advances virtual time whenever every process waits on the clock."""
        assert self._changed is not None
        while True:
            await self._changed.wait()
            self._changed.clear()
            if self._blocked < self._processes or not self._timers:
                continue
            deadline = self._timers[0][0]
            self._now = max(self._now, deadline)
            while self._timers and self._timers[0][0] <= deadline:
                _, _, waiter = heapq.heappop(self._timers)
                self._wake(waiter, None)
            self._poke()


class Notifier:
    """A signal that can fire many times: each ``notify`` fires the current one and arms a
    fresh one (a queue's "something changed", a bridge's "the peer changed")."""

    def __init__(self, clock: SimClock, name: str) -> None:
        self._clock = clock
        self._name = name
        self._signal = clock.signal(name)

    @property
    def signal(self) -> Signal:
        return self._signal

    def notify(self, value: object = None) -> None:
        signal, self._signal = self._signal, self._clock.signal(self._name)
        signal.fire(value)
