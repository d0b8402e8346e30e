"""A large soak of the call log under faults, with figures for the README.

Run: .venv/bin/python bench/soak_line.py [calls] [cuts] [database-url]

``calls`` overlapping calls (400 by default) made from the recordings are played through the
real AMI bridge over a loopback socket twice: once uncut, once with ``cuts`` AMI link cuts (6 by
default), the service stopped and started again, and the database locked for a while, each at a
point the seed chooses. The two call logs are compared on the fields a live and a reconciled
record both know, and every number with a missed call must have exactly one callback task.
SQLite files in a temporary folder by default; a PostgreSQL URL (``postgresql+psycopg://...``)
as the third argument runs both on fresh schemas there. The harness is the suite's
(``tests/ami/soak.py``); ``tests/ami/test_soak.py`` runs a small one on every test run.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from bench_databases import database_name, fresh_database

# The harness lives with the tests (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.ami.soak import compare, faults_for, make_workload, play

SEED = 20261203
MEAN_GAP_S = 1.0  # a call every second on average: dozens in progress at any moment


async def soak(calls: int, cuts: int, base: str | None) -> bool:
    workload = make_workload(calls, seed=SEED, mean_gap_s=MEAN_GAP_S, numbers=max(4, calls // 4))
    faults = faults_for(workload, seed=SEED, cuts=cuts)
    span = workload.events[-1].at - workload.events[0].at
    print(f"calls: {calls}, stream {span}, AMI events {len(workload.events)}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "uncut").mkdir()
        (folder / "faulty").mkdir()
        with (
            fresh_database(base, folder / "soak0.db") as first,
            fresh_database(base, folder / "soak1.db") as second,
        ):
            uncut = await play(workload, first, folder / "uncut")
            faulty = await play(workload, second, folder / "faulty", faults)
    verdict = compare(uncut, faulty)
    for line in faulty.fault_log:
        print(f"  {line}")
    print(f"database: {database_name(base)}")
    print(f"uncut run: {uncut.real_seconds:.1f} s real; faulty run: {faulty.real_seconds:.1f} s")
    print(f"calls equal to the uncut run: {verdict.same} of {verdict.calls}")
    print(f"calls begun while the link was down and adopted at a re-login: {faulty.adopted}")
    print(
        f"numbers with a missed call: {verdict.missed_numbers}, "
        f"without exactly one callback task: {len(verdict.numbers_without_one_task)}"
    )
    for difference in verdict.differences[:20]:
        print(f"  differs: {difference}")
    return verdict.ok


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    cuts = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    base = sys.argv[3] if len(sys.argv) > 3 else None
    sys.exit(0 if asyncio.run(soak(calls, cuts, base)) else 1)


if __name__ == "__main__":
    main()
