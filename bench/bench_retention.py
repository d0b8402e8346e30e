"""The purge of history past five years (G3) on eight years of a busy line.

Fills an empty, migrated database (fixed seed) with 855 calls a day from 2019-01-01 to
2026-12-31 (2.5 million): 80 % answered, most of them with a wrap-up, some with a survey
answer, a transfer or a referral; 15 % missed, most of which open a callback task closed two
days later after an attempt; 60 % of the calls from ~300 000 client records that come and go
over the years. Then, in a fresh process (so that its peak memory is the purge's own):

* the dry run (``plan``) on 1 January 2027, cut-off 1 January 2022;
* the run itself in batches of ``models.retention.BATCH_SIZE``: the longest batch, and the
  longest time from a batch's first change to its commit (on SQLite: the longest hold of
  the write lock, which the callers' FastAGI routes and the call log would wait for);
* the next night's run (one more day past its term) and its dry run; on PostgreSQL after
  ``VACUUM ANALYZE``, as autovacuum has done by then after a large delete.

Run: ``.venv/bin/python bench/bench_retention.py [DATABASE_URL] [calls-per-day]`` — by
default a temporary SQLite file; a PostgreSQL URL must name an empty database.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, event, insert, text, update
from sqlalchemy.engine import Connection

from models.db import create_db_engine
from models.migrate import upgrade
from models.retention import BATCH_SIZE, Tally, plan, purge_batches
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.rules.retention import retention_cutoff
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferOutcome
from models.tables import (
    AttemptResult,
    Call,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallReferral,
    CallTransfer,
    CallWrapup,
    Client,
    SurveyResponse,
    TransferKind,
)

SEED = 20261207
MSK = ZoneInfo("Europe/Moscow")
FIRST, LAST = date(2019, 1, 1), date(2026, 12, 31)
NOW = datetime(2027, 1, 1, 2, 30, tzinfo=MSK)  # the nightly job's hour
CLIENTS_PER_DAY, CLIENT_WINDOW = 100, 20_000  # a client calls for ~200 days
DAYS_PER_INSERT = 20


class Filler:
    def __init__(self, connection: Connection, per_day: int) -> None:
        self.connection = connection
        self.per_day = per_day
        self.rng = random.Random(SEED)
        self.call_id = self.task_id = 0
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.links: list[dict[str, int]] = []
        self.counts: dict[str, int] = {}

    def clients(self) -> None:
        total = ((LAST - FIRST).days + 1) * CLIENTS_PER_DAY + CLIENT_WINDOW
        for first in range(0, total, 50_000):
            self.connection.execute(
                insert(Client),
                [
                    {
                        "id": n + 1,
                        "phone_e164": f"+7928{n:07d}",
                        "full_name": f"Клиент {n}",
                        "created_at": datetime.combine(
                            FIRST + timedelta(days=n // CLIENTS_PER_DAY), datetime.min.time(), MSK
                        ),
                    }
                    for n in range(first, min(first + 50_000, total))
                ],
            )

    def day(self, day: date) -> None:
        rng = self.rng
        offset = (day - FIRST).days * CLIENTS_PER_DAY
        for _ in range(self.per_day):
            self.call_id += 1
            at = datetime.combine(day, datetime.min.time(), MSK) + timedelta(
                seconds=9 * 3600 + rng.randrange(9 * 3600)
            )
            roll = rng.random()
            outcome = (
                CallOutcome.ANSWERED
                if roll < 0.8
                else CallOutcome.MISSED
                if roll < 0.95
                else CallOutcome.AFTER_HOURS
            )
            client = offset + rng.randrange(CLIENT_WINDOW) + 1 if rng.random() < 0.6 else None
            self._add(
                Call,
                id=self.call_id,
                linkedid=f"{int(at.timestamp())}.{self.call_id}",
                client_id=client,
                caller_number=f"7928{rng.randrange(10**7):07d}",
                arrived_at=at,
                in_working_hours=True,
                outcome=outcome,
                missed_reason=MissedReason.ABANDONED_IN_QUEUE
                if outcome is CallOutcome.MISSED
                else None,
                ended_at=at + timedelta(minutes=4),
            )
            if outcome is CallOutcome.ANSWERED:
                self._answered(at)
            elif outcome is CallOutcome.MISSED and rng.random() < 0.6:
                self._task(at, client)

    def _answered(self, at: datetime) -> None:
        rng, call = self.rng, self.call_id
        if rng.random() < 0.7:
            question = "Как продлить лицензию на розничную продажу алкоголя?"
            self._add(
                CallWrapup, call_id=call, kb_answer_found=True, question=question, created_at=at
            )
        if rng.random() < 0.3:
            self._add(
                SurveyResponse,
                call_id=call,
                answer_received=AnswerReceived.YES,
                quality=QualityRating.SATISFIED,
                created_at=at + timedelta(minutes=5),
            )
        if rng.random() < 0.05:
            self._add(
                CallTransfer,
                call_id=call,
                seq=1,
                kind=TransferKind.BLIND,
                outcome=TransferOutcome.COMPLETED,
                at=at + timedelta(minutes=2),
            )
        if rng.random() < 0.01:
            self._add(CallReferral, call_id=call, agency_title="Роспотребнадзор", at=at)

    def _task(self, at: datetime, client: int | None) -> None:
        self.task_id += 1
        closed = at + timedelta(days=2)
        self._add(
            CallbackTask,
            id=self.task_id,
            client_id=client,
            phone_e164="+79280000000",
            source=CallbackSource.MISSED_CALL,
            origin_call_id=self.call_id,
            requested_at=at,
            promised_on=at.date() + timedelta(days=1),
            status=CallbackStatus.DONE if closed < NOW else CallbackStatus.OPEN,
            closed_at=closed if closed < NOW else None,
        )
        self._add(CallbackAttempt, task_id=self.task_id, at=closed, result=AttemptResult.ANSWERED)
        self.links.append({"call": self.call_id, "task": self.task_id})

    def _add(self, model: Any, **row: Any) -> None:
        self.rows.setdefault(model, []).append(row)

    def flush(self) -> None:
        for model in (Call, CallbackTask, CallWrapup, SurveyResponse, CallTransfer):
            self._insert(model)
        for model in (CallReferral, CallbackAttempt):
            self._insert(model)
        if self.links:
            self.connection.execute(
                update(Call)
                .where(Call.id == bindparam("call"))  # type: ignore[arg-type]
                .values(callback_task_id=bindparam("task")),
                self.links,
            )
        self.links = []

    def _insert(self, model: Any) -> None:
        rows = self.rows.pop(model, [])
        if rows:
            self.connection.execute(insert(model), rows)
            name = model.__tablename__
            self.counts[name] = self.counts.get(name, 0) + len(rows)


def days() -> Iterator[date]:
    day = FIRST
    while day <= LAST:
        yield day
        day += timedelta(days=1)


def fill(url: str, per_day: int) -> None:
    engine = create_db_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as connection:
        filler = Filler(connection, per_day)
        filler.clients()
        for n, day in enumerate(days(), start=1):
            filler.day(day)
            if n % DAYS_PER_INSERT == 0:
                filler.flush()
        filler.flush()
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    engine.dispose()
    counts = ", ".join(f"{name} {count}" for name, count in filler.counts.items())
    print(f"filled in {time.perf_counter() - started:.0f} s: {counts}")


def measure(url: str) -> None:
    engine = create_db_engine(url)
    first_change: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _changes(*args: Any) -> None:
        if not args[2].lstrip().startswith("SELECT") and not first_change:
            first_change.append(time.perf_counter())

    print(f"{engine.dialect.name}, Python {sys.version.split()[0]}, batch size {BATCH_SIZE}")
    print(
        "| night | cut-off | dry run, s | rows | batches | run, s | longest batch, ms "
        "| longest from change to commit, ms |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for night, now in enumerate((NOW, NOW + timedelta(days=1)), start=1):
        cutoff = retention_cutoff(now, MSK, 5)
        started = time.perf_counter()
        with engine.connect() as connection:
            planned = plan(connection=connection, cutoff=cutoff)
        planned_s = time.perf_counter() - started
        tally, longest, writing, slowest = Tally(), 0.0, 0.0, ""
        started = time.perf_counter()
        batches = purge_batches(engine=engine, cutoff=cutoff)
        while True:
            began = time.perf_counter()
            first_change.clear()
            batch = next(batches, None)
            if batch is None:
                break
            ended = time.perf_counter()
            longest = max(longest, ended - began)
            if ended - first_change[0] > writing:
                writing, slowest = ended - first_change[0], batch[0].part.value
            tally.add(batch)
        run_s = time.perf_counter() - started
        assert tally.changes == planned
        print(
            f"| {night} | {cutoff.date()} | {planned_s:.1f} | {tally.rows} | {tally.batches} "
            f"| {run_s:.1f} | {longest * 1000:.0f} | {writing * 1000:.0f} ({slowest}) |"
        )
        if night == 1 and engine.dialect.name == "postgresql":
            # What autovacuum does after a large delete, well before the next night.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print("  " + ", ".join(f"{i.part.value} {i.rows}" for i in tally.changes if i.rows))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the measuring process: {peak_mb:.0f} MB")
    engine.dispose()


def main() -> None:
    if sys.argv[1:2] == ["--fill"]:
        fill(sys.argv[2], int(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
        return
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else ""
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 855
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{Path(folder) / 'bench.db'}"
        for step in (["--fill", url, str(per_day)], ["--measure", url]):
            subprocess.run([sys.executable, __file__, *step], check=True)


if __name__ == "__main__":
    main()
