"""What it costs that each line sees only its own calls (``models.line_scope``).

The same five years of calls as ``bench_wallboard.py`` (about 400 000 calls, a callback task
for one in twenty), one in ten made on the training line. Times the wallboard's figures of the
last working day and the month's missed-call report (its tally and first 200 rows), as the
console runs them: through an engine never scoped (every call), scoped to the real line and
scoped to the training line. Prints p50/p95 in milliseconds as Markdown.

Run: ``.venv/bin/python bench/bench_line_scope.py [DATABASE_URL] [runs]`` — by default a
temporary SQLite file and 30 runs; a PostgreSQL URL must name an empty database.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench_wallboard import CALENDAR, MSK, days, fill, percentile
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import create_db_engine, session_scope
from models.line_scope import scope_to_line
from models.migrate import upgrade
from reports.missed import missed_report
from reports.period import Period
from wallboard.today import today_counts

TRAINING_SHARE = 10  # one call (and task) in this many is the training line's


def _timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs + 1):  # the first run warms the caches and is left out
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples[1:], 0.5), percentile(samples[1:], 0.95)


def _mark_training(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(f"UPDATE calls SET training = true WHERE id % {TRAINING_SHARE} = 0")
        )
        connection.execute(
            text(f"UPDATE callback_tasks SET training = true WHERE id % {TRAINING_SHARE} = 0")
        )
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else ""
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = create_db_engine(url)
        upgrade(engine)
        calls, tasks = fill(engine)
        _mark_training(engine)
        today = max(day for day in days() if CALENDAR.is_working_day(day))
        now = datetime.combine(today, datetime.min.time(), MSK).replace(hour=15).astimezone(UTC)
        month = Period(today.replace(day=1), today)
        report = missed_report(month, {}, MSK)
        real, training = create_db_engine(url), create_db_engine(url)
        scope_to_line(real, training=False)
        scope_to_line(training, training=True)
        rows: list[tuple[str, str, tuple[float, float]]] = []
        for label, line in (("not scoped", engine), ("real line", real), ("training", training)):

            def wallboard(line: Engine = line) -> object:
                with session_scope(line) as session:
                    return today_counts(session, now=now, calendar=CALENDAR, service_level_s=20)

            def missed(line: Engine = line) -> object:
                with Session(line) as session:
                    return report.tally(session), report.page(session, offset=0, limit=200)

            rows.append((label, "wallboard, today", _timed(wallboard, runs)))
            rows.append((label, "missed calls, month", _timed(missed, runs)))
        for each in (engine, real, training):
            each.dispose()
    print(
        f"{engine.dialect.name}: {calls} calls, {tasks} callback tasks, one in "
        f"{TRAINING_SHARE} the training line's; {runs} runs each, Python "
        f"{sys.version.split()[0]}"
    )
    print()
    print("| engine | query | p50, ms | p95, ms |")
    print("|---|---|---:|---:|")
    for label, query, (p50, p95) in rows:
        print(f"| {label} | {query} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
