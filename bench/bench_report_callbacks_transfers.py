"""Time of the callback (C11) and transfer (C10) reports over years of traffic.

Writes ``years`` of synthetic working-day traffic (about 500 000 calls a year; 15 % missed, 80 %
of those with a callback task of 0–3 attempts owned by one of ten employees; a quarter of the
answered calls transferred once or twice, one in twenty of those refused a third time) into a
migrated database: a SQLite file in a temporary folder, or the database of ``TEST_DATABASE_URL``
in a schema of its own (``bench_report_missed``). Then times what each page does for the last
whole month and the last year: the counts and the first 200 rows, without and with a filter. Prints
medians and p95 in milliseconds as a Markdown table.
Run: ``.venv/bin/python bench/bench_report_callbacks_transfers.py [years] [runs]`` (default 5
years, 9 runs).
"""

from __future__ import annotations

import random
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bench_report_missed import CALLS_A_DAY, FIRST_DAY, MSK, percentile, run_on, timed_ms
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.settings import Settings
from models.tables import (
    CallbackAttempt,
    CallbackTask,
    CallTransfer,
    Department,
    Employee,
)
from models.tables.calls import Call
from reports.callbacks import callbacks_report
from reports.period import Period
from reports.transfers import transfers_report

EMPLOYEES = 10
RESULTS = ("answered", "no_answer", "busy", "failed")
STATUSES = ("open", "in_progress", "done", "done", "done", "failed", "cancelled")


class _Writer:
    """Rows gathered per table and inserted 20 000 at a time."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.pending: dict[Any, list[dict[str, Any]]] = {}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) == 20_000:
            self.flush(table)

    def flush(self, table: Any) -> None:
        if self.pending.get(table):
            self.connection.execute(insert(table), self.pending[table])
            self.pending[table] = []


def fill(engine: Engine, years: int) -> int:
    rng = random.Random(17)  # reproducible traffic
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Department), [{"id": n, "code": f"d{n}", "name": f"Отдел {n}"} for n in (1, 2)]
        )
        connection.execute(
            insert(Employee),
            [
                {
                    "id": n,
                    "internal_number": str(200 + n),
                    "full_name": f"Сотрудник {n}",
                    "device": f"PJSIP/{200 + n}",
                    "department_id": 1 + n % 2,
                    "active": True,
                    "updated_at": now,
                }
                for n in range(1, EMPLOYEES + 1)
            ],
        )
        writer = _Writer(connection)
        calls = tasks = 0
        for offset in range(365 * years):
            day = FIRST_DAY + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            opens = datetime(day.year, day.month, day.day, 9, tzinfo=MSK)
            for _ in range(CALLS_A_DAY):
                calls += 1
                at = opens + timedelta(seconds=rng.randrange(9 * 3600))
                missed = rng.random() < 0.15
                transfers = 0 if missed or rng.random() >= 0.25 else rng.choice((1, 1, 2, 2, 3))
                writer.add(
                    Call,
                    {
                        "id": calls,
                        "linkedid": f"bench-{calls}",
                        "arrived_at": at,
                        "in_working_hours": True,
                        "outcome": "missed" if missed else "answered",
                        "answered_at": None if missed else at + timedelta(seconds=20),
                        "operator_id": None if missed else rng.randrange(1, EMPLOYEES + 1),
                        "transfer_count": min(transfers, 2),
                        "ended_at": at + timedelta(seconds=300),
                    },
                )
                for seq in range(1, transfers + 1):
                    writer.add(
                        CallTransfer,
                        {
                            "call_id": calls,
                            "seq": seq,
                            "kind": rng.choice(("blind", "attended")),
                            "outcome": "refused" if seq == 3 else "completed",
                            "to_employee_id": rng.randrange(1, EMPLOYEES + 1),
                            "to_extension": "201",
                            "at": at + timedelta(minutes=seq),
                        },
                    )
                if missed and rng.random() < 0.8:
                    tasks += 1
                    status = rng.choice(STATUSES)
                    writer.add(
                        CallbackTask,
                        {
                            "id": tasks,
                            "phone_e164": f"+7928{calls:07d}",
                            "source": "missed_call",
                            "requested_at": at,
                            "promised_on": day + timedelta(days=rng.randrange(2, 6)),
                            "owner_id": rng.randrange(1, EMPLOYEES + 1),
                            "status": status,
                            "closed_at": at + timedelta(days=2)
                            if status in ("done", "failed", "cancelled")
                            else None,
                        },
                    )
                    for attempt in range(rng.randrange(4)):
                        writer.add(
                            CallbackAttempt,
                            {
                                "task_id": tasks,
                                "at": at + timedelta(days=1, hours=attempt),
                                "result": rng.choice(RESULTS),
                            },
                        )
            for table in (Call, CallTransfer, CallbackTask, CallbackAttempt):
                writer.flush(table)  # keys point only at rows already written
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("calls", "call_transfers", "callback_tasks", "callback_attempts"):
                connection.exec_driver_sql(f"ANALYZE {table}")
    return calls


def measure(engine: Engine, years: int, runs: int) -> None:
    calls = fill(engine, years)
    print(f"{calls} calls over {years} year(s), {engine.dialect.name}, {runs} runs per case")
    print()
    print("| report | period | filters | rows | counts p50 / p95, ms | first page p50 / p95, ms |")
    print("|---|---|---|---:|---:|---:|")
    last = FIRST_DAY + timedelta(days=365 * years - 1)
    month_end = last.replace(day=1) - timedelta(days=1)  # the last whole month
    periods = {
        "month": Period(month_end.replace(day=1), month_end),
        "year": Period(last - timedelta(days=364), last),
    }
    now = datetime.combine(last, datetime.min.time(), tzinfo=MSK)
    settings = Settings(database_url="sqlite://")
    cases: list[tuple[str, Callable[[Period, dict[str, list[str]]], Any], dict[str, list[str]]]]
    cases = [
        ("callbacks", callbacks_report, {}),
        ("callbacks", callbacks_report, {"term": ["missed"], "owner": ["203"]}),
        ("transfers", transfers_report, {}),
        ("transfers", transfers_report, {"outcome": ["refused"], "department": ["d1"]}),
    ]
    with Session(engine) as session:
        for name, period in periods.items():
            for report_name, build, filters in cases:
                report = build(period, filters, MSK).prepared(session, now, settings)
                tally = report.tally(session)
                rows = getattr(tally, "total", None) or getattr(tally, "attempts", 0)
                counts = timed_ms(partial(report.tally, session), runs)
                first = timed_ms(partial(report.page, session, offset=0, limit=200), runs)
                shown = " ".join(f"{k}={v[0]}" for k, v in filters.items()) or "—"
                print(
                    f"| {report_name} | {name} | {shown} | {rows} "
                    f"| {statistics.median(counts):.0f} / {percentile(counts, 0.95):.0f} "
                    f"| {statistics.median(first):.0f} / {percentile(first, 0.95):.0f} |"
                )


def main() -> None:
    years = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    run_on(partial(measure, years=years, runs=runs))


if __name__ == "__main__":
    main()
