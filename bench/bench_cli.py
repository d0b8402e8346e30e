"""Wall time of short ``consult-line`` commands, each a fresh process as an administrator runs it.

Times ``--help``, ``calendar --help`` and ``check-config`` (on a migrated SQLite database in a
temporary folder, so the working directory's ``.env`` plays no part). Prints the median and p95
per command in milliseconds as a Markdown table.
Run: ``.venv/bin/python bench/bench_cli.py [runs]`` (default 15 runs per command).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = Path(sys.executable).with_name("consult-line")
CASES: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("calendar", "--help"),
    ("check-config",),
)


def run_ms(args: tuple[str, ...], *, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(  # the exit code is not checked: check-config may warn about the calendar
        [str(CLI), *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return (time.perf_counter() - started) * 1000


def percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        env = {
            **os.environ,
            "CONSULT_LINE_DATABASE_URL": f"sqlite:///{cwd / 'consult-line.db'}",
        }
        subprocess.run(
            [str(CLI), "migrate"], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL
        )
        print(f"{runs} runs per command, Python {sys.version.split()[0]}")
        print()
        print("| command | median, ms | p95, ms |")
        print("|---|---:|---:|")
        for args in CASES:
            run_ms(args, cwd=cwd, env=env)  # warm the file cache
            samples = [run_ms(args, cwd=cwd, env=env) for _ in range(runs)]
            name = " ".join(("consult-line", *args))
            print(
                f"| `{name}` | {statistics.median(samples):.0f} | {percentile(samples, 0.95):.0f} |"
            )


if __name__ == "__main__":
    main()
