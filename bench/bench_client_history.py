"""Time of a client's history (G4) on five years of calls with clients calling again and again.

Writes ``calls`` calls (default 2 500 000) of five years of a busy line (``five_years_line``:
realistic outcomes, callbacks, surveys, transfers, referrals; 50 frequent numbers with ~2000
calls each, 20 000 regular ones with ~50, 700 000 rare ones with ~2; every tenth frequent or
regular number has a client record that its calls are linked to) into a migrated database — a
SQLite file in a temporary folder, or the database of ``TEST_DATABASE_URL`` in a schema of its
own, dropped afterwards.

Then, through the real app (in-process, as a signed-in supervisor), for 20 numbers of each
group: the search by number (``GET /clients?phone=``; the first one creates the client's
record), the history page (``GET /clients/{id}``, the newest 100 entries), the document for
the client (``/print``) and the JSON file (``/export.json``), each history the whole of it.
Prints p50/p95 in milliseconds as a Markdown table.

Run: ``.venv/bin/python bench/bench_client_history.py [calls] [runs]`` (default 2 500 000
calls, 5 runs of each view per number).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_databases import database_name, fresh_database
from five_years_line import CALLS, GROUPS, NOW, SEED, fill, phone
from sqlalchemy import text
from sqlalchemy.engine import Engine

from models.tables import Role

# The console as the tests drive it (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.agent_console.console import Clock, Console

SAMPLES = 20  # numbers timed in each group


# --------------------------------------------------------------------------- timing


def percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def timed(work: Callable[[], int]) -> float:
    started = time.perf_counter()
    status = work()
    elapsed = (time.perf_counter() - started) * 1000
    assert status in (200, 303), status
    return elapsed


def measure(engine: Engine, calls: int, runs: int, label: str) -> None:
    started = time.perf_counter()
    seen: dict[str, set[int]] = {}
    written = fill(engine, calls, seen).written
    print(
        f"{label}: "
        + ", ".join(f"{name} {count}" for name, count in written.items())
        + f"; written in {time.perf_counter() - started:.0f} s; {runs} runs per view and number"
    )
    console = Console(engine, Clock(NOW))
    console.add_user("bench", Role.SUPERVISOR)
    browser = console.signed_in("bench")
    rng = random.Random(SEED + 1)
    print()
    print(
        "| номера | звонков у номера, медиана | поиск p50 / p95, мс | страница p50 / p95, мс "
        "| документ p50 / p95, мс | JSON p50 / p95, мс |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for group in GROUPS:
        numbers = rng.sample(sorted(seen[group.name]), SAMPLES)
        samples: dict[str, list[float]] = {"search": [], "page": [], "print": [], "json": []}
        sizes = []
        for number in numbers:
            found: dict[str, str] = {}

            def search(number: int = number, found: dict[str, str] = found) -> int:
                response = browser.get("/clients", params={"phone": phone(number)})
                found["at"] = response.headers.get("location", "")
                return response.status_code

            samples["search"].append(timed(search))
            path = found["at"]
            assert path.startswith("/clients/"), (number, path)
            with engine.connect() as connection:
                sizes.append(
                    connection.execute(
                        text("SELECT count(*) FROM calls WHERE caller_e164 = :p"),
                        {"p": phone(number)},
                    ).scalar_one()
                )
            for view, suffix in (("page", ""), ("print", "/print"), ("json", "/export.json")):
                browser.get(path + suffix)  # warm
                for _ in range(runs):
                    samples[view].append(
                        timed(lambda url=path + suffix: browser.get(url).status_code)
                    )
        cells = [
            f"{statistics.median(samples[v]):.0f} / {percentile(samples[v], 0.95):.0f}"
            for v in ("search", "page", "print", "json")
        ]
        print(
            f"| {group.name} | {statistics.median(sizes):.0f} | " + " | ".join(cells) + " |",
            flush=True,
        )


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else CALLS
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    base = os.environ.get("TEST_DATABASE_URL")
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database(base, Path(folder) / "bench.db") as engine,
    ):
        measure(engine, calls, runs, database_name(base))


if __name__ == "__main__":
    main()
