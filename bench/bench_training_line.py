"""The training line under load, end to end: from a call's arrival on the simulated PBX to the
call card in the operator's hands, through AMI, FastAGI, the call log and the live bus.

Run: .venv/bin/python bench/bench_training_line.py [--calls 1000] [--concurrent 30]
     [--operators 10] [--speed 50] [--database-url URL]

* **The service.** A real ``consult-line serve`` (``serve_process.py``: a subprocess, as an
  administrator starts it) on a fresh migrated database: a SQLite file in a temporary folder,
  and, when ``TEST_DATABASE_URL`` is set (or ``--database-url`` names one), a schema of its own
  on that PostgreSQL server, dropped afterwards. The database (``training_line_setup.py``):
  the knowledge base; the staff imported from a staff file, ``operators`` operators on the
  simulated operators' phones ``PJSIP/901``…, trained, each with a console account, and the
  employees the simulated operators transfer to; the line open all day today and tomorrow.
* **The PBX.** The training line ``consult-line simulate`` runs, in a child process
  (``training_line_pbx.py``), in load mode: ``concurrent`` callers on the line at once (the
  next calls as soon as one hangs up) until ``calls`` have called, ``operators`` simulated
  operators answering, the line's time ``speed`` times faster than the clock (talk, menus,
  rings; the FastAGI routes and everything in serve run at the machine's pace). serve is
  logged in to its AMI before the first call.
* **The screens** (``operator_screens.py``). For each operator an HTTP client signs in and
  reads the live stream as that operator; as soon as its line shows a call connected to it,
  it asks for the card (again after 250 ms while it is 404, as ``workspace.js`` does). The
  card in hand (its 200 answer read) ends the interval.
* **The call log.** A trigger in the bench's database notes when each call's row is first
  written with its answer (``answered_at``, from AgentConnect): the statement's time, before
  its commit.

Times are this machine's wall clock (``time.time()`` in each process). A call's arrival is its
caller's first event (Newchannel of the inbound channel) as the PBX makes it, before the AMI
server writes it to serve. Checked after the run: serve received every event the PBX made;
every call the PBX placed is in the call log with an outcome, answered where the PBX
connected it, by the employee of that phone; nothing failed or dropped in the bridge's
writes; every connected call was shown to its operator and its card received. The CPU the
three processes and the whole machine used and the load average are printed, to say how
noisy the run was (``machine_load.py``). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench_databases import database_name, fresh_database
from machine_load import CpuMeter, CpuUse, memory_gib
from operator_screens import Screen
from serve_process import START_S, Service, free_port, serve
from sqlalchemy.engine import Engine
from training_line_pbx import PbxNotes, PbxSpec, run_pbx
from training_line_setup import PASSWORD, answers_written, call_rows, login, prepare

from models.settings import Settings
from simulator.operators import operator_interface

SEED = 20261204
AMI_USER, AMI_SECRET = "consult-line", "bench-secret"
SETTLE_S = 180.0


@dataclass
class Run:
    database: str
    speed: float
    notes: PbxNotes
    screens: list[Screen]
    written: dict[str, float]  # linkedid → its answer written to the call log
    rows: dict[str, tuple[str | None, bool, str]]  # linkedid → outcome, answered, phone
    health: dict[str, Any]  # serve's /health at the end
    cpu: CpuUse  # serve, the PBX, the bench (the screens)
    warnings: list[str]  # in serve's log during the run


def run(base: str | None, args: argparse.Namespace) -> Run:
    name = database_name(base)
    spawn = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory() as temporary,
        fresh_database(base, Path(temporary) / "bench.db") as engine,
    ):
        folder = Path(temporary)
        print(f"{name}: preparing the database ...", file=sys.stderr)
        prepare(engine, folder, args.operators, Settings())
        agi_port = free_port()
        spec = PbxSpec(
            AMI_USER,
            AMI_SECRET,
            agi_port,
            calls=args.calls,
            concurrent=args.concurrent,
            operators=args.operators,
            speed=args.speed,
            seed=SEED,
            folder=folder,
        )
        pipe, child_end = spawn.Pipe()
        pbx = spawn.Process(target=run_pbx, args=(child_end, spec), name="training line")
        pbx.start()
        try:
            settings = {
                "CONSULT_LINE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "CONSULT_LINE_AGI_PORT": str(agi_port),
                "CONSULT_LINE_AMI_PORT": str(pipe.recv()),
                "CONSULT_LINE_AMI_USERNAME": AMI_USER,
                "CONSULT_LINE_AMI_SECRET": AMI_SECRET,
                "CONSULT_LINE_QUEUE_LOG_PATH": str(folder / "queue_log"),
                "CONSULT_LINE_CDR_PATH": str(folder / "cdr-csv" / "Master.csv"),
            }
            with serve(settings, folder / "serve.log") as service:
                return asyncio.run(play(name, args, engine, service, pipe, pbx.pid or 0))
        finally:
            if pbx.is_alive():
                pipe.send("stop")
            pbx.join(timeout=30)
            if pbx.is_alive():  # still playing calls: the run failed midway
                pbx.terminate()
                pbx.join()


async def play(
    name: str,
    args: argparse.Namespace,
    engine: Engine,
    service: Service,
    pipe: Connection,
    pbx_pid: int,
) -> Run:
    """The operators sign in and watch; the PBX plays its calls; until all is written."""
    screens = [
        Screen(service.base, login(n), PASSWORD, operator_interface(n))
        for n in range(1, args.operators + 1)
    ]
    readies = [asyncio.Event() for _ in screens]
    watching = [
        asyncio.create_task(screen.watch(ready), name=screen.login)
        for screen, ready in zip(screens, readies, strict=True)
    ]
    async with asyncio.timeout(START_S):
        await asyncio.gather(*(ready.wait() for ready in readies))
    print(f"{name}: {args.calls} calls ...", file=sys.stderr)
    loop = asyncio.get_running_loop()
    log_from = service.log_size()
    meter = CpuMeter([service.process.pid, pbx_pid, os.getpid()])
    pipe.send("go")
    notes: PbxNotes = await loop.run_in_executor(None, pipe.recv)
    await settle(service, screens)
    cpu = meter.stop()
    health = await loop.run_in_executor(None, service.health)
    for task in watching:
        task.cancel()
    await asyncio.gather(*watching, return_exceptions=True)
    return Run(
        database=name,
        speed=args.speed,
        notes=notes,
        screens=screens,
        written=answers_written(engine),
        rows=call_rows(engine),
        health=health,
        cpu=cpu,
        warnings=service.warnings(since=log_from),
    )


async def settle(service: Service, screens: Sequence[Screen]) -> None:
    """Until serve has taken every event and written every call, and every card is in hand."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(SETTLE_S):
        while True:
            ami = (await loop.run_in_executor(None, service.health))["ami"]
            done = (
                ami["events_pending"] == 0
                and ami["calls_in_progress"] == 0
                and ami["call_log_writes"]["pending"] == 0
                and not any(screen.busy for screen in screens)
            )
            if done:
                return
            await asyncio.sleep(0.2)


# --------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * share) - 1)]


def interval_row(label: str, values: Sequence[float]) -> str:
    if not values:
        return f"| {label} | 0 | — | — | — |"
    return (
        f"| {label} | {len(values)} | {statistics.median(values):.1f} | "
        f"{percentile(values, 0.95):.1f} | {max(values):.1f} |"
    )


def intervals(found: Run) -> list[tuple[str, list[float]]]:
    """Each interval's values (ms), over the calls that have both ends."""
    notes = found.notes
    shown = {s.linkedid: s for screen in found.screens for s in screen.shown.values()}
    carded = {k: s for k, s in shown.items() if s.status == 200 and k in notes.arrived}
    connected = {k: at for k, (at, _member) in notes.connected.items()}

    def ms(pairs: Iterator[tuple[float, float]]) -> list[float]:
        return [(end - start) * 1000 for start, end in pairs]

    return [
        (
            "arrival → card in the operator's hands",
            ms((notes.arrived[k], s.card_at) for k, s in carded.items()),
        ),
        (
            "  arrival → AgentConnect on the PBX (menus, queue, ring: line time / speed)",
            ms((notes.arrived[k], connected[k]) for k in carded if k in connected),
        ),
        (
            "  AgentConnect → the operator's live stream shows the call",
            ms((connected[k], s.at) for k, s in carded.items() if k in connected),
        ),
        (
            "  the stream shows it → card in hand (404s asked again included)",
            ms((s.at, s.card_at) for s in carded.values()),
        ),
        (
            "AgentConnect on the PBX → card in hand",
            ms((connected[k], s.card_at) for k, s in carded.items() if k in connected),
        ),
        (
            "arrival → AgentConnect written to the call log",
            ms((notes.arrived[k], at) for k, at in found.written.items() if k in notes.arrived),
        ),
        (
            "  AgentConnect on the PBX → written to the call log",
            ms((connected[k], at) for k, at in found.written.items() if k in connected),
        ),
    ]


def checks(found: Run) -> list[str]:
    """What does not add up between the PBX and the call log (empty: nothing lost)."""
    notes, rows = found.notes, found.rows
    problems = []
    missing = set(notes.arrived) - set(rows)
    if len(notes.arrived) != notes.placed:
        problems.append(f"the PBX placed {notes.placed} calls but saw {len(notes.arrived)} arrive")
    if missing:
        problems.append(f"{len(missing)} calls not in the call log: {sorted(missing)[:5]}")
    unknown = set(rows) - set(notes.arrived)
    if unknown:
        problems.append(f"{len(unknown)} calls in the log the PBX did not place: {unknown}")
    open_rows = [k for k, (outcome, _a, _o) in rows.items() if outcome is None]
    if open_rows:
        problems.append(f"{len(open_rows)} calls without an outcome: {open_rows[:5]}")
    for linkedid, (_at, member) in notes.connected.items():
        _outcome, answered, device = rows.get(linkedid, (None, False, ""))
        if not answered or device != member:
            problems.append(f"{linkedid}: connected to {member}, logged {answered} {device!r}")
    answered_rows = [k for k, (_o, answered, _d) in rows.items() if answered]
    if len(answered_rows) != len(notes.connected):
        problems.append(
            f"{len(answered_rows)} answered in the log, {len(notes.connected)} on the PBX"
        )
    received = found.health["ami"]["events_received"] - 1  # FullyBooted, sent at the login
    if received != sum(notes.events.values()):
        problems.append(f"serve received {received} events of {sum(notes.events.values())}")
    writes = found.health["ami"]["call_log_writes"]
    if writes["failed"] or writes["dropped"]:
        problems.append(f"call-log writes failed {writes['failed']}, dropped {writes['dropped']}")
    shown = {k for screen in found.screens for k in screen.shown}
    if shown != set(notes.connected):
        problems.append(
            f"{len(set(notes.connected) - shown)} connected calls never shown, "
            f"{len(shown - set(notes.connected))} shown but not connected"
        )
    failed_cards = [s for screen in found.screens for s in screen.shown.values() if s.status != 200]
    if failed_cards:
        problems.append(f"{len(failed_cards)} cards not received: {failed_cards[:3]}")
    return problems


def throughput(found: Run) -> list[tuple[str, str]]:
    notes, cpu = found.notes, found.cpu
    wall = cpu.wall_s
    events = sum(notes.events.values())
    received = found.health["ami"]["events_received"]
    sessions = sum(notes.agi_status.values())
    outcomes = Counter(outcome or "none" for outcome, _a, _o in found.rows.values())
    cards = [s for screen in found.screens for s in screen.shown.values()]
    messages = sum(screen.messages for screen in found.screens)
    serve_s, pbx_s, screens_s = cpu.processes
    return [
        ("run (go → all written and every card in hand)", f"{wall:.1f} s"),
        ("line time played", f"{(notes.ended - notes.started) * found.speed / 60:.0f} min"),
        (
            "calls placed / in the call log with an outcome",
            f"{notes.placed} / {sum(n for k, n in outcomes.items() if k != 'none')}",
        ),
        ("outcomes in the call log", ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items()))),
        (
            "connected to an operator / abandoned in the queue (PBX)",
            f"{len(notes.connected)} / {len(notes.abandoned)}",
        ),
        (
            "AMI events made by the PBX / received by serve (+ FullyBooted)",
            f"{events} / {received} ({events / wall:.0f} per s)",
        ),
        (
            "FastAGI sessions (AGISTATUS)",
            f"{sessions} ({sessions / wall:.1f} per s): "
            + ", ".join(f"{k} {n}" for k, n in sorted(notes.agi_status.items())),
        ),
        ("call-log writes (bridge)", f"{found.health['ami']['call_log_writes']['written']}"),
        (
            "live messages read by the operators' streams",
            f"{messages} ({messages / wall:.0f} per s)",
        ),
        (
            "cards fetched / asked again after a 404 / naming the operator",
            f"{len(cards)} / {sum(s.asked - 1 for s in cards)} / {sum(s.named for s in cards)}",
        ),
        (
            "CPU: serve / PBX / screens (bench)",
            f"{serve_s:.0f} / {pbx_s:.0f} / {screens_s:.0f} s",
        ),
        (
            "CPU: the machine's cores busy / of it other processes",
            f"{cpu.machine:.0f} s of {cpu.capacity:.0f} / {cpu.others:.0f} s",
        ),
        ("load average (1 min) before / after", f"{cpu.load[0]:.1f} / {cpu.load[1]:.1f}"),
        ("warnings or errors in serve's log", str(len(found.warnings))),
    ]


def report(runs: Sequence[Run], args: argparse.Namespace) -> bool:
    """Prints the tables; False when a run lost something."""
    print(
        f"{args.calls} calls, {args.concurrent} callers on the line at once, "
        f"{args.operators} operators, line time ×{args.speed:g}; "
        f"nproc {os.cpu_count()}, RAM {memory_gib():.0f} GiB\n"
    )
    print("| interval | n | p50, ms | p95, ms | max, ms |")
    print("|---|---:|---:|---:|---:|")
    for found in runs:
        for label, values in intervals(found):
            print(interval_row(f"{found.database}: {label}", values))
    whole = True
    for found in runs:
        print(f"\n| {found.database} | |\n|---|---|")
        for label, value in throughput(found):
            print(f"| {label} | {value} |")
        problems = checks(found)
        whole = whole and not problems
        print(f"\n{found.database}: " + ("nothing lost" if not problems else "PROBLEMS:"))
        for problem in problems:
            print(f"  {problem}")
        for line in found.warnings[:10]:
            print(f"  serve: {line}", file=sys.stderr)
    return whole


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=30)
    parser.add_argument("--operators", type=int, default=10)
    parser.add_argument("--speed", type=float, default=50.0)
    parser.add_argument(
        "--database-url",
        action="append",
        help="sqlite, or a PostgreSQL URL; may be repeated "
        "(default: sqlite, and TEST_DATABASE_URL when set)",
    )
    args = parser.parse_args(argv)
    urls = args.database_url or ["sqlite", os.environ.get("TEST_DATABASE_URL", "")]
    bases = [None if url == "sqlite" else url for url in urls if url]
    sys.exit(0 if report([run(base, args) for base in bases], args) else 1)


if __name__ == "__main__":
    main()
