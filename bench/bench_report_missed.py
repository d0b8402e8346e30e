"""Time of the missed-call report (C13) over a year or more of calls.

Writes ``years`` of synthetic working-day traffic (about 500 000 calls a year, 15 % missed,
most with a callback task) into a migrated database: a SQLite file in a temporary folder, or
the database of ``TEST_DATABASE_URL`` in a schema of its own, dropped afterwards. Then times
what the page does for the month and the year (the counts, and the first 200 rows), without
and with filters, and the whole year written as CSV and as XLSX. Prints medians and p95 in
milliseconds as a Markdown table.
Run: ``.venv/bin/python bench/bench_report_missed.py [years] [runs]`` (default 1 year, 15 runs).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from models.db import create_db_engine
from models.migrate import upgrade
from models.rules.missed import MissedReason
from models.tables import Call, CallbackTask
from reports.missed import MISSED, MissedReport, missed_report
from reports.period import Period
from reports.report import export_csv, export_xlsx

MSK = ZoneInfo("Europe/Moscow")
FIRST_DAY = date(2022, 1, 3)
CALLS_A_DAY = 1920
TASKS = 20_000
FILTERS: dict[str, list[str]] = {"reason": ["queue_timeout"], "callback": ["none"]}


def fill(engine: Engine, years: int) -> int:
    rng = random.Random(11)  # reproducible traffic
    reasons = [reason.value for reason in MissedReason]
    statuses = ("open", "in_progress", "done", "failed", "cancelled")
    with engine.begin() as connection:
        connection.execute(
            insert(CallbackTask),
            [
                {
                    "phone_e164": f"+7928{n:07d}",
                    "source": "missed_call",
                    "requested_at": datetime(2022, 1, 3, 9, tzinfo=MSK),
                    "promised_on": FIRST_DAY,
                    "status": rng.choice(statuses),
                }
                for n in range(TASKS)
            ],
        )
        count, batch = 0, []
        for at in arrivals(years, rng):
            missed = rng.random() < 0.15
            batch.append(
                {
                    "linkedid": f"bench-{count}",
                    "arrived_at": at,
                    "in_working_hours": True,
                    "outcome": "missed" if missed else "answered",
                    "missed_reason": rng.choice(reasons) if missed else None,
                    "short_call": rng.random() < 0.1,
                    "queue_wait_s": rng.random() * 300,
                    "ended_at": at + timedelta(seconds=60),
                    "callback_task_id": rng.randrange(1, TASKS + 1)
                    if missed and rng.random() < 0.8
                    else None,
                }
            )
            count += 1
            if len(batch) == 20_000:
                connection.execute(insert(Call), batch)
                batch = []
        if batch:
            connection.execute(insert(Call), batch)
    analyse(engine, "calls", "callback_tasks")
    return count


def arrivals(years: int, rng: random.Random) -> Iterator[datetime]:
    """CALLS_A_DAY calls at random between 9:00 and 18:00 of every working day from FIRST_DAY."""
    for offset in range(365 * years):
        day = FIRST_DAY + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        opens = datetime(day.year, day.month, day.day, 9, tzinfo=MSK)
        for _ in range(CALLS_A_DAY):
            yield opens + timedelta(seconds=rng.randrange(9 * 3600))


def analyse(engine: Engine, *tables: str) -> None:
    """On PostgreSQL, the statistics autovacuum would gather in time."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f"ANALYZE {table}")


def percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def timed_ms(work: Callable[[], object], runs: int) -> list[float]:
    work()  # warm the caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


class PagedReport(Protocol):
    def page(self, session: Session, *, offset: int, limit: int) -> Sequence[object]: ...


def time_page_work(
    session: Session,
    periods: dict[str, Period],
    filter_sets: Sequence[dict[str, list[str]]],
    report_of: Callable[[Period, dict[str, list[str]]], PagedReport],
    tally: Callable[[PagedReport], int],
    what: str,
    runs: int,
) -> None:
    """What the page does (``tally``: its counts, returning the table's size, then the first
    200 rows) for each period and filters, as a Markdown table."""
    print(f"| period | filters | {what} | counts p50 / p95, ms | first page p50 / p95, ms |")
    print("|---|---|---:|---:|---:|")
    for name, period in periods.items():
        for filters in filter_sets:
            report = report_of(period, filters)
            total = tally(report)
            counts = timed_ms(partial(tally, report), runs)
            first = timed_ms(partial(report.page, session, offset=0, limit=200), runs)
            print(
                f"| {name} | {' '.join(f'{k}={v[0]}' for k, v in filters.items()) or '—'} "
                f"| {total} | {statistics.median(counts):.0f} / {percentile(counts, 0.95):.0f} "
                f"| {statistics.median(first):.0f} / {percentile(first, 0.95):.0f} |"
            )


def measure(engine: Engine, years: int, runs: int) -> None:
    calls = fill(engine, years)
    print(f"{calls} calls over {years} year(s), {engine.dialect.name}, {runs} runs per case")
    print()
    periods = {
        "month": Period(date(2022, 10, 1), date(2022, 10, 31)),
        "year": Period(date(2022, 1, 1), date(2022, 12, 31)),
    }
    with Session(engine) as session:

        def tally(report: PagedReport) -> int:
            assert isinstance(report, MissedReport)
            return report.tally(session).total

        time_page_work(
            session,
            periods,
            ({}, FILTERS),
            partial(missed_report, tz=MSK),
            tally,
            "missed",
            runs,
        )
        year = missed_report(periods["year"], {}, MSK)
        for label, write in (
            ("CSV", lambda: export_csv(year, session, io.StringIO())),
            ("XLSX", lambda: export_xlsx(MISSED, year, session, io.BytesIO())),
        ):
            started = time.perf_counter()
            rows = write()
            print(f"\nthe year as {label}: {rows} rows in {time.perf_counter() - started:.1f} s")


def main() -> None:
    on_database(measure)


def on_database(measure: Callable[[Engine, int, int], None]) -> None:
    """``measure(engine, years, runs)`` (from the command line) on a fresh migrated database:
    a SQLite file, or a schema of its own in ``TEST_DATABASE_URL``, dropped afterwards."""
    years = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    run_on(partial(measure, years=years, runs=runs))


def run_on(work: Callable[[Engine], None]) -> None:
    """``work`` on a fresh migrated database: SQLite in a temporary folder, or a schema of its
    own in ``TEST_DATABASE_URL``, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        with tempfile.TemporaryDirectory() as folder:
            engine = create_db_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(engine)
            work(engine)
            engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = create_db_engine(url.render_as_string(hide_password=False))
        upgrade(engine)
        work(engine)
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


if __name__ == "__main__":
    main()
