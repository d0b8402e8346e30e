"""What /health pays for showing the reconciliation sources: ``inspect_sources`` on large files.

Run: .venv/bin/python bench/bench_log_sources.py [runs]

The recorded CDR and queue_log lines (``tests/fixtures/asterisk``) are repeated into a
``Master.csv`` of ~26 MB and a ``queue_log`` of ~11 MB in a temporary folder; each run reads
the end of both, detects the CDR layout and checks its zone against the Uniqueids.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from ami.log_sources import QUEUE_LOG_TAIL_BYTES, TAIL_BYTES, inspect_sources
from models.settings import Settings

# The recordings are read through the tests' one helper (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.asterisk_captures import Kind, capture_lines, capture_names

CDR_COPIES = 2000
QUEUE_LOG_COPIES = 5000


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cdr, queue_log = root / "Master.csv", root / "queue_log"
        cdr_lines = [line for n in capture_names(Kind.CDR) for line in capture_lines(n, Kind.CDR)]
        queue_lines = [
            line for n in capture_names(Kind.QUEUE_LOG) for line in capture_lines(n, Kind.QUEUE_LOG)
        ]
        with cdr.open("w", encoding="utf-8") as file:
            for _ in range(CDR_COPIES):
                file.writelines(cdr_lines)
        with queue_log.open("w", encoding="utf-8") as file:
            for _ in range(QUEUE_LOG_COPIES):
                file.writelines(queue_lines)
        settings = Settings(
            database_url=f"sqlite:///{root / 'unused.db'}",
            cdr_path=cdr,
            queue_log_path=queue_log,
            cdr_timezone="UTC",
        )
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            inspect_sources(settings)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        size_mb = (cdr.stat().st_size + queue_log.stat().st_size) / 1e6
        print(
            f"files {size_mb:.0f} MB, tails {TAIL_BYTES // 1024} KB (CDR) and "
            f"{QUEUE_LOG_TAIL_BYTES // 1024} KB (queue_log), {runs} runs"
        )
        print(f"p50 {statistics.median(timings):.1f} ms, p95 {timings[int(runs * 0.95)]:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
