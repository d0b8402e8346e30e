"""FastAGI throughput: our AgiServer against panoramisk 1.4's fast_agi, on the entry flow.

Run: .venv/bin/python bench/bench_agi.py [sessions_per_run] [runs_per_cell] [levels...]
     e.g. .venv/bin/python bench/bench_agi.py 5000 3 50 200 1000   (the defaults)

This process plays Asterisk over 127.0.0.1 and answers every command at once; each server runs
in its own process (so the two sides do not share one event loop or one core). "The entry flow"
is the fixed command sequence of a caller in working hours who presses 1 (Russian) and then
2 (a topic); both servers run a route that sends exactly these commands. A session is timed
from connect to the server's EOF; each level runs a fixed number of sessions with a fixed
number in flight, under a time cap, and every session's commands are checked.

Prints a Markdown table: sessions/s, p50 and p99 session time, failed sessions, and the CPU
share of the server process and of this process (100% = one core saturated): with 2 cores the
fake Asterisk costs about as much as the server, so look at which side is at 100%.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

HOST = "127.0.0.1"
BACKLOG = (
    4096  # 1,000 connects at once overflow the default of 100; the kernel caps it at somaxconn
)
LEVEL_CAP_S = 60.0  # per run; a capped run is marked in the table
WARMUP_SESSIONS = 200
# With 2+ CPUs the servers run on CPU 0 and the fake Asterisk on CPU 1, so that neither side
# steals the other's core (the kernel's loopback work still lands on both).
SERVER_CPU, GENERATOR_CPU = 0, 1

ENV = {
    "agi_network": "yes",
    "agi_network_script": "entry",
    "agi_request": "agi://127.0.0.1:4573/entry",
    "agi_channel": "PJSIP/trunk-00000001",
    "agi_language": "ru",
    "agi_type": "PJSIP",
    "agi_uniqueid": "1795867285.0",
    "agi_version": "22.10.1",
    "agi_callerid": "79281234567",
    "agi_calleridname": "Ivan Petrov",
    "agi_callingpres": "0",
    "agi_callingani2": "0",
    "agi_callington": "0",
    "agi_callingtns": "0",
    "agi_dnid": "78722678091",
    "agi_rdnis": "unknown",
    "agi_context": "consult-line-inbound",
    "agi_extension": "s",
    "agi_priority": "2",
    "agi_enhanced": "0.0",
    "agi_accountcode": "",
    "agi_threadid": "140480192968384",
    "agi_arg_1": "1795867285.0",
}
ENV_BLOCK = ("".join(f"{key}: {value}\n" for key, value in ENV.items()) + "\n").encode()

# (command exactly as the route sends it, Asterisk's reply)
ENTRY_FLOW: tuple[tuple[str, str], ...] = (
    ("ANSWER", "200 result=0"),
    ('STREAM FILE welcome "0123456789*#"', "200 result=0 endpos=8000"),
    ("GET DATA language 5000 1", "200 result=1"),
    ("GET DATA topic-menu 5000 1", "200 result=2"),
    ('SET VARIABLE LINE_OPEN "1"', "200 result=1"),
    ('SET VARIABLE LINE_LANGUAGE "ru"', "200 result=1"),
    ('SET VARIABLE LINE_TOPIC "support_measures"', "200 result=1"),
    ('SET VARIABLE LINE_ROUTE "queue"', "200 result=1"),
    ('SET VARIABLE LINE_QUEUE_PRIORITY "0"', "200 result=1"),
)
REPLIES = {command.encode() + b"\n": reply.encode() + b"\n" for command, reply in ENTRY_FLOW}
EXPECTED = [command for command, _ in ENTRY_FLOW]


# --------------------------------------------------------------------------- servers (child)


async def _ours(stop: Connection, ready: Connection) -> None:
    from ivr.agi.channel import AgiChannel
    from ivr.agi.server import AgiServer

    async def entry(channel: AgiChannel) -> None:
        await channel.answer()
        await channel.stream_file("welcome")
        language = await channel.get_data("language", 5000, 1)
        topic = await channel.get_data("topic-menu", 5000, 1)
        assert (language, topic) == ("1", "2")
        await channel.set_variable("LINE_OPEN", "1")
        await channel.set_variable("LINE_LANGUAGE", "ru")
        await channel.set_variable("LINE_TOPIC", "support_measures")
        await channel.set_variable("LINE_ROUTE", "queue")
        await channel.set_variable("LINE_QUEUE_PRIORITY", "0")

    server = AgiServer({"entry": entry}, host=HOST, port=0, max_sessions=100_000, backlog=BACKLOG)
    await server.start()
    ready.send(server.port)
    await _answer_until_stopped(stop, ready)
    await server.stop(drain_timeout_s=5.0)


async def _panoramisk(stop: Connection, ready: Connection) -> None:
    from panoramisk import fast_agi

    async def entry(request: Any) -> None:
        for command, _ in ENTRY_FLOW:
            result = await request.send_command(command)
            if "error" in result:
                raise RuntimeError(f"{command}: {result}")

    app = fast_agi.Application(loop=asyncio.get_running_loop())
    app.add_route("entry", entry)
    server = await asyncio.start_server(app.handler, HOST, 0, backlog=BACKLOG)
    ready.send(server.sockets[0].getsockname()[1])
    await _answer_until_stopped(stop, ready)
    server.close()
    await server.wait_closed()


async def _answer_until_stopped(control: Connection, reply: Connection) -> None:
    """Answers "cpu" with this process's CPU seconds until "stop" arrives."""
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, control.recv) != "stop":
        reply.send(time.process_time())


def _serve(kind: str, stop: Connection, ready: Connection) -> None:
    _pin(SERVER_CPU)
    server = _ours if kind == "ours" else _panoramisk
    asyncio.run(server(stop, ready))


# --------------------------------------------------------------------------- fake Asterisk


@dataclass
class Level:
    durations: list[float] = field(default_factory=list)
    failures: int = 0
    capped: bool = False
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    generator_cpu_s: float = 0.0


async def _session(port: int, level: Level) -> None:
    started = time.perf_counter()
    commands: list[str] = []
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(ENV_BLOCK)
        while line := await reader.readline():
            commands.append(line.decode().rstrip("\n"))
            reply = REPLIES.get(line)
            if reply is None:
                break
            writer.write(reply)
        writer.write(b"HANGUP\n")  # what Asterisk sends when the server closes
        elapsed = time.perf_counter() - started
    except (ConnectionError, OSError):
        level.failures += 1
        return
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
    if commands == EXPECTED:
        level.durations.append(elapsed)
    else:
        level.failures += 1


async def _run_level(port: int, concurrency: int, sessions: int) -> Level:
    level = Level()
    remaining = sessions

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await _session(port, level)

    started = time.perf_counter()
    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        async with asyncio.timeout(LEVEL_CAP_S):
            await asyncio.gather(*workers)
    except TimeoutError:
        level.capped = True
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    level.wall_s = time.perf_counter() - started
    return level


class ServerProcess:
    """One server in its own process; answers "cpu" with its CPU seconds."""

    def __init__(self, kind: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._control_out, self._control = context.Pipe(duplex=False)
        self._answers, answers_in = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve, args=(kind, self._control_out, answers_in), daemon=True
        )
        self._process.start()
        if not self._answers.poll(30):
            self.stop()
            raise RuntimeError(f"{kind} server did not start")
        self.port: int = self._answers.recv()

    def cpu_s(self) -> float:
        self._control.send("cpu")
        seconds: float = self._answers.recv()
        return seconds

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._control.send("stop")
        self._process.join(30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


async def _measure(server: ServerProcess, concurrency: int, sessions: int) -> Level:
    server_before, generator_before = server.cpu_s(), time.process_time()
    level = await _run_level(server.port, concurrency, sessions)
    level.server_cpu_s = server.cpu_s() - server_before
    level.generator_cpu_s = time.process_time() - generator_before
    return level


def _rate(level: Level) -> float:
    return len(level.durations) / level.wall_s if level.wall_s else 0.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


async def _bench(
    servers: dict[str, ServerProcess], levels: Sequence[int], sessions: int, repeats: int
) -> dict[tuple[str, int], list[Level]]:
    for server in servers.values():
        await _run_level(server.port, 50, WARMUP_SESSIONS)
    runs: dict[tuple[str, int], list[Level]] = {}
    for concurrency in levels:
        for repeat in range(repeats):
            # Alternate which server goes first: the machine's load drifts between runs.
            order = list(servers) if repeat % 2 == 0 else list(reversed(servers))
            for kind in order:
                level = await _measure(servers[kind], concurrency, sessions)
                runs.setdefault((kind, concurrency), []).append(level)
    return runs


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def main() -> None:
    _pin(GENERATOR_CPU)
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    levels = [int(arg) for arg in sys.argv[3:]] or [50, 200, 1000]
    labels = {"ours": "AgiServer", "panoramisk": "panoramisk 1.4"}
    servers: dict[str, ServerProcess] = {}
    try:
        for kind in labels:
            servers[kind] = ServerProcess(kind)
        runs = asyncio.run(_bench(servers, levels, sessions, repeats))
    finally:
        for server in servers.values():
            server.stop()
    print(
        f"entry flow ({len(ENTRY_FLOW)} commands), {sessions} sessions per run, {repeats} runs "
        f"per cell (the median run by sessions/s is shown), Python {sys.version.split()[0]}, "
        f"{multiprocessing.cpu_count()} CPUs, loopback"
    )
    print()
    print(
        "| server | concurrent | sessions/s | all runs | p50, ms | p99, ms | ok | failed "
        "| server CPU | fake Asterisk CPU |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for kind, label in labels.items():
        for concurrency in levels:
            cell = sorted(runs[(kind, concurrency)], key=_rate)
            level = cell[len(cell) // 2]
            done = level.durations
            quantiles = statistics.quantiles(done, n=100) if len(done) >= 2 else [0.0] * 99
            capped = " (time cap)" if any(run.capped for run in cell) else ""
            every = "/".join(f"{_rate(run):.0f}" for run in cell)
            failed = sum(run.failures for run in cell)
            print(
                f"| {label} | {concurrency} | {_rate(level):.0f}{capped} | {every} | "
                f"{_ms(quantiles[49])} | {_ms(quantiles[98])} | {len(done)} | {failed} | "
                f"{level.server_cpu_s / level.wall_s:.0%} | "
                f"{level.generator_cpu_s / level.wall_s:.0%} |"
            )


if __name__ == "__main__":
    main()
