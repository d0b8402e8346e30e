"""The simulated PBX's clock: virtual time moves only when every process waits on it."""

from __future__ import annotations

import asyncio

import pytest

from simulator.clock import Notifier, SimClock

START = 1_000_000.0


async def test_virtual_time_jumps_to_each_deadline_in_order() -> None:
    clock = SimClock(start=START)
    seen: list[tuple[str, float]] = []

    async def process(name: str, delays: list[float]) -> None:
        for delay in delays:
            await clock.sleep(delay)
            seen.append((name, clock.now() - START))

    clock.spawn(process("a", [3.0, 4.0]), name="a")
    clock.spawn(process("b", [5.0, 0.5]), name="b")
    await asyncio.wait_for(clock.idle(), 5)
    assert seen == [("a", 3.0), ("b", 5.0), ("b", 5.5), ("a", 7.0)]


async def test_time_stands_still_while_a_process_waits_outside_the_clock() -> None:
    """A FastAGI route thinking (a socket read) takes no simulated time, however long it
    takes on the machine; the other processes wait for it."""
    clock = SimClock(start=START)
    outside = asyncio.Event()
    seen: list[tuple[str, float]] = []

    async def route() -> None:
        await clock.sleep(1.0)
        await outside.wait()  # not a clock wait
        seen.append(("route answered", clock.now() - START))

    async def other() -> None:
        await clock.sleep(2.0)
        seen.append(("other", clock.now() - START))

    clock.spawn(route(), name="route")
    clock.spawn(other(), name="other")
    for _ in range(20):
        await asyncio.sleep(0)
    assert seen == []  # "other" is due at 2.0 but the route still thinks at 1.0
    outside.set()
    await asyncio.wait_for(clock.idle(), 5)
    assert seen == [("route answered", 1.0), ("other", 2.0)]


async def test_a_signal_wakes_its_waiters_and_answers_later_waits_at_once() -> None:
    clock = SimClock(start=START)
    answered = clock.signal("answered")
    results: list[object] = []

    async def waiter() -> None:
        fired = await clock.wait(answered, timeout=10.0)
        results.append((fired, clock.now() - START))
        results.append(await clock.wait(answered))  # already fired: at once

    async def phone() -> None:
        await clock.sleep(3.0)
        answered.fire(16)

    clock.spawn(waiter(), name="waiter")
    clock.spawn(phone(), name="phone")
    await asyncio.wait_for(clock.idle(), 5)
    assert results == [(answered, 3.0), answered]
    assert answered.value == 16


async def test_a_wait_that_times_out_returns_none_at_its_deadline() -> None:
    clock = SimClock(start=START)
    never = clock.signal("never")
    results: list[object] = []

    async def waiter() -> None:
        results.append(await clock.wait(never, timeout=2.5))
        results.append(clock.now() - START)

    clock.spawn(waiter(), name="waiter")
    await asyncio.wait_for(clock.idle(), 5)
    assert results == [None, 2.5]


async def test_a_notifier_fires_once_per_notify() -> None:
    clock = SimClock(start=START)
    changed = Notifier(clock, "queue")
    first = changed.signal
    changed.notify("x")
    assert first.fired
    assert first.value == "x"
    assert not changed.signal.fired  # armed again


async def test_paced_time_runs_at_the_given_speed() -> None:
    clock = SimClock(start=START, speed=1000.0)
    done: list[float] = []

    async def process() -> None:
        await clock.sleep(2.0)  # 2 ms of the machine's time
        done.append(clock.now() - START)

    clock.spawn(process(), name="p")
    await asyncio.wait_for(clock.idle(), 5)
    assert done[0] >= 2.0


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        SimClock(start=START, speed=0)


async def test_stop_cancels_the_processes() -> None:
    clock = SimClock(start=START)

    async def forever() -> None:
        await clock.sleep(10**9)

    task = clock.spawn(forever(), name="forever")
    await asyncio.sleep(0)
    await clock.stop()
    assert task.done()
    assert clock.processes == 0
