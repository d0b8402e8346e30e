"""Time of the report of operators (C4, K7) over years of calls.

Writes ``years`` of synthetic working-day traffic (1920 calls a day, about 500 000 a year; 85 %
answered by one of 20 operators, talk time known, 95 % of the answered with a wrap-up, 2 %
dismissed) into a fresh migrated database (``bench_databases``: SQLite, or PostgreSQL with
``TEST_DATABASE_URL``), then times what the page does — the operators' rows with their counts
and training — for a month and for the last year, with and without a department filter.
Prints medians and p95 in milliseconds as a Markdown table.
Run: ``.venv/bin/python bench/bench_report_operators.py [years] [runs]`` (default 5 years, 9).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench_databases import database_name, fresh_database
from bench_report_missed import percentile, timed_ms
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.tables import (
    Call,
    CallWrapup,
    Department,
    Employee,
    EmployeeRole,
    TrainingEntry,
    WrapupDismissal,
)
from reports.operators import operators_report
from reports.period import Period

MSK = ZoneInfo("Europe/Moscow")
FIRST_DAY = date(2022, 1, 3)
CALLS_A_DAY = 1920
OPERATORS = 20
BATCH = 20_000


def fill(engine: Engine, years: int) -> tuple[int, date]:
    rng = random.Random(11)  # reproducible traffic
    now = datetime(2022, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for n, code in enumerate(("line", "second")):
            connection.execute(insert(Department).values(id=n + 1, code=code, name=code))
        for n in range(1, OPERATORS + 1):
            connection.execute(
                insert(Employee).values(
                    id=n, internal_number=str(200 + n), full_name=f"Оператор {n:02d}",
                    device=f"PJSIP/{200 + n}", department_id=1 + n % 2, active=True,
                    updated_at=now,
                )
            )  # fmt: skip
            connection.execute(insert(EmployeeRole).values(employee_id=n, role="operator"))
            connection.execute(
                insert(TrainingEntry).values(
                    employee_id=n, kind="initial", completed_on=date(2021, 6, n), subject=""
                )
            )
        count, last = 0, FIRST_DAY
        calls: list[dict[str, object]] = []
        for offset in range(365 * years):
            day = FIRST_DAY + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            last = day
            opens = datetime(day.year, day.month, day.day, 9, tzinfo=MSK)
            for _ in range(CALLS_A_DAY):
                count += 1
                at = opens + timedelta(seconds=rng.randrange(9 * 3600))
                answered = rng.random() < 0.85
                talk = rng.uniform(20, 600)
                calls.append(
                    {
                        "id": count,
                        "linkedid": f"bench-{count}",
                        "arrived_at": at,
                        "in_working_hours": True,
                        "outcome": "answered" if answered else "missed",
                        "answered_at": at + timedelta(seconds=20) if answered else None,
                        "operator_id": rng.randrange(1, OPERATORS + 1) if answered else None,
                        "talk_s": talk if answered else None,
                        "ended_at": at + timedelta(seconds=30 + talk),
                    }
                )
                if len(calls) == BATCH:
                    _write(connection, calls, rng)
                    calls = []
        if calls:
            _write(connection, calls, rng)
    if engine.dialect.name == "postgresql":  # the statistics autovacuum would gather in time
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("calls", "call_wrapups", "wrapup_dismissals"):
                connection.exec_driver_sql(f"ANALYZE {table}")
    return count, last


def _write(connection: object, calls: list[dict[str, object]], rng: random.Random) -> None:
    wrapups, dismissals = [], []
    for call in calls:
        if call["operator_id"] is None:
            continue
        chance = rng.random()
        row = {"call_id": call["id"], "employee_id": call["operator_id"]}
        if chance < 0.95:
            wrapups.append(
                {"call_id": call["id"], "kb_answer_found": True, "created_at": call["ended_at"]}
            )
        elif chance < 0.97:
            dismissals.append({**row, "at": call["ended_at"], "reason": "тест"})
    execute = connection.execute  # type: ignore[attr-defined]
    execute(insert(Call), calls)
    if wrapups:
        execute(insert(CallWrapup), wrapups)
    if dismissals:
        execute(insert(WrapupDismissal), dismissals)


def measure(engine: Engine, years: int, runs: int, base: str | None) -> None:
    started = time.perf_counter()
    calls, last = fill(engine, years)
    filled = time.perf_counter() - started
    print(
        f"{calls} calls over {years} year(s) ({filled:.0f} s to write), "
        f"{database_name(base)}, {runs} runs per case\n"
    )
    print("| period | filter | answered | rows p50 / p95, ms |")
    print("|---|---|---:|---:|")
    periods = {
        "month": Period(last - timedelta(days=29), last),
        "year": Period(last - timedelta(days=364), last),
    }
    with Session(engine) as session:
        assert session.execute(select(Call.id).limit(1)).first() is not None
        for name, period in periods.items():
            for filters in ({}, {"department": ["second"]}):
                report = operators_report(period, filters, MSK, last)
                answered = sum(row.calls.answered for row in report.listing(session))
                samples = timed_ms(lambda r=report: r.listing(session), runs)
                label = " ".join(f"{k}={v[0]}" for k, v in filters.items()) or "—"
                print(
                    f"| {name} | {label} | {answered} "
                    f"| {statistics.median(samples):.0f} / {percentile(samples, 0.95):.0f} |"
                )


def main() -> None:
    years = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    base = os.environ.get("TEST_DATABASE_URL")
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database(base, Path(folder) / "bench.db") as engine,
    ):
        measure(engine, years, runs, base)


if __name__ == "__main__":
    main()
