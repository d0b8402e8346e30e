"""Time of a client's history (G4) on five years of calls with clients calling again and again.

Writes ``calls`` synthetic calls (default 2 500 000: five years of ~2000 calls a working day,
2022-01-03 on) into a migrated database — a SQLite file in a temporary folder, or the
database of ``TEST_DATABASE_URL`` in a schema of its own, dropped afterwards — with what a
history reads beside them: wrap-ups of 90 % of the answered calls, survey answers of 60 %,
transfers of 8 %, referrals of 1 %, a callback task for 80 % of the missed calls with one or
two attempts. Callers come from three groups: 50 frequent numbers (4 % of the calls, ~2000
each), 20 000 regular ones (40 %, ~50 each) and 700 000 rare ones (56 %, ~2 each); every
tenth frequent or regular number has a client record that its calls are linked to.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench_databases import database_name, fresh_database
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import (
    Call,
    CallbackAttempt,
    CallbackTask,
    CallReferral,
    CallTransfer,
    CallWrapup,
    Client,
    Department,
    Employee,
    Role,
    SurveyResponse,
)

# The console as the tests drive it (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.agent_console.console import Clock, Console

SEED = 20261209
MSK = ZoneInfo("Europe/Moscow")
FIRST_DAY = date(2022, 1, 3)
WORKING_DAYS = 1250  # five years of working days
BATCH = 20_000
OPERATORS = 20
SAMPLES = 20  # numbers timed in each group
NOW = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    first: int  # the numbers' indexes: first..first+size-1
    size: int
    share: float  # of all calls


GROUPS = (
    Group("частые (~2000 звонков)", 0, 50, 0.04),
    Group("постоянные (~50)", 50, 20_000, 0.40),
    Group("редкие (~2)", 20_050, 700_000, 0.56),
)
TOPICS = ["state_services", "support_measures", "messages", "control_supervision"]
# In the order they are written: a row's parent before it.
TABLES: list[type] = [
    Client,
    Call,
    CallWrapup,
    SurveyResponse,
    CallTransfer,
    CallReferral,
    CallbackTask,
    CallbackAttempt,
]
QUESTIONS = [
    "Сроки рассмотрения заявления на лицензию",
    "Какие документы нужны для субсидии",
    "Статус обращения от прошлой недели",
    "График плановых проверок",
]


def phone(index: int) -> str:
    return f"+7928{index:07d}"


def client_of(index: int) -> int | None:
    """Every tenth frequent or regular number has a client record (ids from 1)."""
    if index < GROUPS[2].first and index % 10 == 0:
        return index // 10 + 1
    return None


class Writer:
    """Rows collected per table and written BATCH at a time, parents before children."""

    def __init__(self, engine: Engine, order: list[type]) -> None:
        self.engine = engine
        self.order = order
        self.pending: dict[type, list[dict[str, Any]]] = {table: [] for table in order}
        self.written: dict[str, int] = {}

    def add(self, table: type, row: dict[str, Any]) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= BATCH:
            for each in self.order:
                self.flush(each)

    def flush(self, table: type) -> None:
        rows = self.pending.get(table)
        if not rows:
            return
        with self.engine.begin() as connection:
            connection.execute(insert(table), rows)
        name = table.__tablename__  # type: ignore[attr-defined]
        self.written[name] = self.written.get(name, 0) + len(rows)
        rows.clear()

    def flush_all(self) -> None:
        for table in self.order:
            self.flush(table)


def caller(rng: random.Random) -> int:
    pick = rng.random()
    for group in GROUPS:
        if pick < group.share:
            return group.first + rng.randrange(group.size)
        pick -= group.share
    return GROUPS[-1].first + rng.randrange(GROUPS[-1].size)


def group_of(number: int) -> Group:
    return next(group for group in reversed(GROUPS) if number >= group.first)


def arrivals(calls: int, rng: random.Random) -> Iterator[datetime]:
    per_day = -(-calls // WORKING_DAYS)
    day, made = FIRST_DAY, 0
    while made < calls:
        if day.weekday() < 5:
            opens = datetime(day.year, day.month, day.day, 9, tzinfo=MSK)
            for at in sorted(rng.randrange(9 * 3600) for _ in range(min(per_day, calls - made))):
                yield opens + timedelta(seconds=at)
            made += per_day
        day += timedelta(days=1)


def fill(engine: Engine, calls: int, seen: dict[str, set[int]]) -> dict[str, int]:
    """Writes the calls; ``seen`` gets, per group, up to 1000 numbers that called."""
    rng = random.Random(SEED)
    with session_scope(engine) as session:
        departments = [Department(code=f"bench-{n}", name=f"Отдел {n}") for n in (1, 2)]
        session.add_all(departments)
        session.flush()
        employees = [
            Employee(
                internal_number=str(200 + n),
                full_name=f"Сотрудникова Мария {n}",
                device=f"PJSIP/{200 + n}",
                department_id=departments[n % 2].id or 0,
                updated_at=NOW,
            )
            for n in range(OPERATORS)
        ]
        session.add_all(employees)
        session.flush()
        staff = [employee.id or 0 for employee in employees]
    writer = Writer(engine, TABLES)
    clients = sorted({c for i in range(GROUPS[2].first) if (c := client_of(i)) is not None})
    for client_id in clients:
        writer.add(
            Client,
            {
                "id": client_id,
                "phone_e164": phone((client_id - 1) * 10),
                "language": "ru",
                "preferred_channel": "phone",
                "created_at": datetime(2021, 12, 1, tzinfo=UTC),
            },
        )
    writer.flush(Client)
    task_id = 0
    for call_id, at in enumerate(arrivals(calls, rng), start=1):
        number = caller(rng)
        callers = seen.setdefault(group_of(number).name, set())
        if len(callers) < 1000:
            callers.add(number)
        roll = rng.random()
        outcome = "answered" if roll < 0.80 else "missed" if roll < 0.95 else "after_hours"
        operator = rng.choice(staff) if outcome == "answered" else None
        wait = rng.random() * (60 if outcome == "answered" else 300)
        talk = 60 + rng.random() * 400 if operator else None
        answered_at = at + timedelta(seconds=wait) if operator else None
        writer.add(
            Call,
            {
                "id": call_id,
                "linkedid": f"b{call_id}",
                "client_id": client_of(number),
                "caller_number": phone(number)[1:],
                "caller_e164": phone(number),
                "arrived_at": at,
                "in_working_hours": outcome != "after_hours",
                "topic": rng.choice(TOPICS),
                "ivr_path": "language:1>topic:1",
                "queue_wait_s": wait if outcome != "after_hours" else None,
                "answered_at": answered_at,
                "operator_id": operator,
                "ended_at": at + timedelta(seconds=wait + (talk or 0)),
                "talk_s": talk,
                "outcome": outcome,
                "missed_reason": "queue_timeout" if outcome == "missed" else None,
                "hangup_side": "caller",
            },
        )
        if operator is not None and answered_at is not None:
            _answered_rows(writer, rng, call_id, operator, answered_at, staff)
        elif outcome == "missed" and rng.random() < 0.8:
            task_id += 1
            _task_rows(writer, rng, task_id, call_id, number, at, staff)
    writer.flush_all()
    _after_bulk(engine)
    return writer.written


def _answered_rows(
    writer: Writer,
    rng: random.Random,
    call_id: int,
    operator: int,
    answered_at: datetime,
    staff: list[int],
) -> None:
    if rng.random() < 0.9:
        writer.add(
            CallWrapup,
            {
                "call_id": call_id,
                "kb_answer_found": rng.random() < 0.7,
                "question": rng.choice(QUESTIONS),
                "topic": rng.choice(TOPICS),
                "created_at": answered_at + timedelta(minutes=5),
                "operator_id": operator,
            },
        )
    if rng.random() < 0.6:
        writer.add(
            SurveyResponse,
            {
                "call_id": call_id,
                "operator_id": operator,
                "answer_received": "yes",
                "quality": rng.choice(["satisfied", "partly_satisfied", "not_satisfied"]),
                "channel": "keypad",
                "created_at": answered_at + timedelta(minutes=4),
            },
        )
    if rng.random() < 0.08:
        writer.add(
            CallTransfer,
            {
                "call_id": call_id,
                "seq": 1,
                "kind": "blind",
                "outcome": "completed",
                "from_employee_id": operator,
                "to_employee_id": rng.choice(staff),
                "to_extension": "205",
                "at": answered_at + timedelta(minutes=1),
            },
        )
    if rng.random() < 0.01:
        writer.add(
            CallReferral,
            {
                "call_id": call_id,
                "agency_title": "Управление Роспотребнадзора",
                "contacts": "+7 (8722) 68-00-00",
                "employee_id": operator,
                "at": answered_at + timedelta(minutes=2),
            },
        )


def _task_rows(
    writer: Writer,
    rng: random.Random,
    task_id: int,
    call_id: int,
    number: int,
    at: datetime,
    staff: list[int],
) -> None:
    owner = rng.choice(staff)
    writer.add(
        CallbackTask,
        {
            "id": task_id,
            "client_id": client_of(number),
            "phone_e164": phone(number),
            "question": "",
            "source": "missed_call",
            "origin_call_id": call_id,
            "requested_at": at + timedelta(minutes=5),
            "promised_on": (at + timedelta(days=3)).date(),
            "owner_id": owner,
            "status": "done",
            "closed_at": at + timedelta(days=1),
            "result_note": "Перезвонили, ответ дан",
        },
    )
    for attempt in range(1 + (rng.random() < 0.4)):
        writer.add(
            CallbackAttempt,
            {
                "task_id": task_id,
                "at": at + timedelta(hours=2 + attempt),
                "employee_id": owner,
                "result": "answered" if attempt else "no_answer",
            },
        )


def _after_bulk(engine: Engine) -> None:
    """Rows were written with their ids: PostgreSQL's sequences move past them; statistics
    as autovacuum would gather them in time."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("clients", "calls", "callback_tasks"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


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
    written = fill(engine, calls, seen)
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
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else WORKING_DAYS * 2000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    base = os.environ.get("TEST_DATABASE_URL")
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database(base, Path(folder) / "bench.db") as engine,
    ):
        measure(engine, calls, runs, database_name(base))


if __name__ == "__main__":
    main()
