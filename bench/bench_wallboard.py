"""Today's figures of the wallboard (``wallboard.today.today_counts``) on five years of calls.

Fills an empty, migrated database with the calls of 2022-01-01..2026-12-31 (fixed seed: 300
on a working day, most in its hours, 30 on a day off; answered, missed by every reason, after
hours) and a callback task for every twentieth call (the old ones closed). Then times
``today_counts`` for 15:00 of the last working day, as the page and ``GET /wallboard/today``
call it, and again with the index on ``arrived_at`` dropped, to show what it saves. Prints
p50/p95 in milliseconds as Markdown.

Run: ``.venv/bin/python bench/bench_wallboard.py [DATABASE_URL] [runs]`` — by default a
temporary SQLite file and 50 runs; a PostgreSQL URL must name an empty database.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from models.db import create_db_engine, session_scope
from models.migrate import upgrade
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Call, CallbackSource, CallbackTask
from wallboard.today import today_counts

SEED = 20261203
MSK = ZoneInfo("Europe/Moscow")
FIRST, LAST = date(2022, 1, 1), date(2026, 12, 31)
PER_WORKING_DAY, PER_DAY_OFF = 300, 30
BATCH = 20_000
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)


def days() -> Iterator[date]:
    day = FIRST
    while day <= LAST:
        yield day
        day += timedelta(days=1)


def call_rows(rng: random.Random) -> Iterator[dict[str, Any]]:
    number = 0
    for day in days():
        working = CALENDAR.is_working_day(day)
        for _ in range(PER_WORKING_DAY if working else PER_DAY_OFF):
            number += 1
            # Most calls of a working day come in its hours, the rest at any time.
            in_day = 9 * 3600 + rng.randrange(9 * 3600) if rng.random() < 0.9 else None
            second = in_day if working and in_day is not None else rng.randrange(86_400)
            arrived = datetime.combine(day, datetime.min.time(), MSK) + timedelta(seconds=second)
            in_hours = CALENDAR.is_open(arrived)
            wait = round(rng.expovariate(1 / 25), 3)
            if not in_hours:
                outcome, reason, wait_s = CallOutcome.AFTER_HOURS, None, None
            elif rng.random() < 0.85:
                outcome, reason, wait_s = CallOutcome.ANSWERED, None, wait
            else:
                outcome, reason = CallOutcome.MISSED, rng.choice(list(MissedReason))
                wait_s = None if reason is MissedReason.ABANDONED_IN_IVR else wait
            yield {
                "linkedid": f"{int(arrived.timestamp())}.{number}",
                "caller_number": f"7928{rng.randrange(10**7):07d}",
                "arrived_at": arrived,
                "in_working_hours": in_hours,
                "queue_wait_s": wait_s,
                "outcome": outcome,
                "missed_reason": reason,
                "ended_at": arrived + timedelta(minutes=3),
                "transfer_count": 0,
                "short_call": False,
            }


def task_row(call: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    promised = call["arrived_at"].astimezone(MSK).date() + timedelta(days=rng.randrange(1, 5))
    recent = promised >= LAST - timedelta(days=7)
    return {
        "phone_e164": "+" + call["caller_number"],
        "question": "",
        "source": CallbackSource.MISSED_CALL,
        "requested_at": call["arrived_at"],
        "promised_on": promised,
        "status": CallbackStatus.OPEN if recent else CallbackStatus.DONE,
        "result_note": "",
    }


def fill(engine: Engine) -> tuple[int, int]:
    rng = random.Random(SEED)
    calls = tasks = 0
    batch: list[dict[str, Any]] = []
    task_batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for row in call_rows(rng):
            batch.append(row)
            if rng.random() < 0.05:
                task_batch.append(task_row(row, rng))
            if len(batch) == BATCH:
                connection.execute(insert(Call), batch)
                connection.execute(insert(CallbackTask), task_batch)
                calls, tasks = calls + len(batch), tasks + len(task_batch)
                batch, task_batch = [], []
        connection.execute(insert(Call), batch)
        connection.execute(insert(CallbackTask), task_batch)
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    return calls + len(batch), tasks + len(task_batch)


def percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def timings_ms(engine: Engine, now: datetime, runs: int) -> list[float]:
    samples = []
    for _ in range(runs + 1):  # the first run warms the caches and is left out
        started = time.perf_counter()
        with session_scope(engine) as session:
            today_counts(session, now=now, calendar=CALENDAR, service_level_s=20)
        samples.append((time.perf_counter() - started) * 1000)
    return samples[1:]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else ""
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(url or f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        started = time.perf_counter()
        calls, tasks = fill(engine)
        filled_s = time.perf_counter() - started
        today = max(day for day in days() if CALENDAR.is_working_day(day))
        now = datetime.combine(today, datetime.min.time(), MSK).replace(hour=15).astimezone(UTC)
        with session_scope(engine) as session:
            counts = today_counts(session, now=now, calendar=CALENDAR, service_level_s=20)
        indexed = timings_ms(engine, now, runs)
        with engine.begin() as connection:  # what the index saves: the same without it
            connection.execute(text("DROP INDEX ix_calls_arrived_outcome"))
        scanned = timings_ms(engine, now, runs)
        engine.dispose()
    name = engine.dialect.name
    print(
        f"{name}: {calls} calls, {tasks} callback tasks ({FIRST}..{LAST}), filled in "
        f"{filled_s:.0f} s; {today}: {counts.arrived_in_hours} calls in working hours, "
        f"{counts.answered} answered; {runs} runs each, Python {sys.version.split()[0]}"
    )
    print()
    print("| database | calls | index on arrived_at | p50, ms | p95, ms |")
    print("|---|---:|---|---:|---:|")
    for label, samples in (("yes", indexed), ("dropped", scanned)):
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        print(f"| {name} | {calls} | {label} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
