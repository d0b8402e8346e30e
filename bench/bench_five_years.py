"""Time of the supervisors' pages on five years of a busy line, on SQLite and PostgreSQL.

Writes ``--calls`` calls (default 2 500 000) of five years of a busy line (``five_years_line``:
realistic outcomes and missed-call reasons, callbacks, surveys, transfers, clients calling again
and again, today's calls up to 12:00 of 2026-12-09) into a migrated database: a SQLite file, and
a schema of its own in the database of ``TEST_DATABASE_URL`` when it is set (PostgreSQL, the
counts' tables compacted and ``ANALYZE`` after loading: ``five_years_line``). Then times through
the real app (in-process, as a signed-in supervisor, the clock at that 12:00) each page of
:data:`MEASURED`, ``--runs`` times (default 15) after one warm-up: the missed-call report for
the last whole month (also with a reason chosen) and for the last 365 days, the wallboard's
today counts, a frequent, a regular and a rare caller's history (the search by number, then the
page it leads to) and the survey report for the last 365 days (also for one operator, and for
English-speaking callers), each with the query string its form sends. Prints a Markdown table
per database: the page, the rows it involves, p50 and p95 in milliseconds.

Generating takes minutes. With ``--keep DIR`` (default ``var/bench``) the SQLite file
``DIR/five_years.sqlite3`` and the PostgreSQL schema ``bench_five_years`` are kept and used
again by the next run if they hold ``--calls`` calls (else they are made anew); one behind the
code's migrations is upgraded first. Without ``--keep`` both are temporary, as in the other
benches.

Run: ``.venv/bin/python bench/bench_five_years.py [--calls N] [--runs N] [--sqlite-only]
[--keep [DIR]]``; ``make bench-five-years`` keeps the data in ``var/bench``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench_databases import database_name, fresh_database
from bench_report_missed import percentile, timed_ms
from five_years_line import CALLS, GROUPS, MSK, NOW, TODAY, Group, fill, phone
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col

from models.db import create_db_engine
from models.migrate import current_revision, pending_migrations, shipped_head, upgrade
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Call, Employee, Language, Role, SurveyResponse, UserAccount
from reports.period import Period

# The console as the tests drive it (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.agent_console.console import Clock, Console

KEEP_DIR = Path("var/bench")
SQLITE_FILE = "five_years.sqlite3"
SCHEMA = "bench_five_years"
LOGIN = "bench-supervisor"
RUNS = 15
_MONTH_END = TODAY.replace(day=1) - timedelta(days=1)
MONTH = Period(_MONTH_END.replace(day=1), _MONTH_END)  # the last whole month
YEAR = Period(TODAY - timedelta(days=364), TODAY)  # the last 365 days
OPERATOR = "1007"  # an operator's internal number (five_years_line.FIRST_NUMBER on)


@dataclass(slots=True)
class Site:
    """The app over one database, a supervisor signed in, and the numbers whose history is read."""

    engine: Engine
    browser: Any  # fastapi.testclient.TestClient
    numbers: dict[str, str]  # group name → a number of the group that called
    histories: dict[str, str] = field(default_factory=dict)  # number → its history's path

    def count(self, query: Any) -> int:
        return count(self.engine, query)


def count(engine: Engine, query: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


@dataclass(frozen=True, slots=True)
class Measured:
    """A page: how it is asked for, and the rows it involves (said in words)."""

    get: Callable[[Site], Any]  # returns the response
    involved: Callable[[Site], str]


def report(name: str, period: Period, **filters: str) -> Callable[[Site], Any]:
    """The report's page as its form asks for it (``agent_console/templates/report_macros``)."""
    params = {"since": period.since.isoformat(), "until": period.until.isoformat(), **filters}
    if name == "missed":
        params = {"chart": "day", "short": "all", **params}
    return lambda site: site.browser.get(f"/reports/{name}", params=params)


def arrived(period: Period) -> list[Any]:
    start, end = period.bounds(MSK)
    return [col(Call.arrived_at) >= start, col(Call.arrived_at) < end]


def missed_calls(period: Period, reason: MissedReason | None = None) -> Callable[[Site], str]:
    conditions = [*arrived(period), col(Call.outcome) == CallOutcome.MISSED]
    if reason is not None:
        conditions.append(col(Call.missed_reason) == reason)
    query = select(func.count()).select_from(Call).where(*conditions)
    return lambda site: f"{site.count(query)} missed calls"


def answered_calls(
    period: Period, operator: str | None = None, language: Language | None = None
) -> Callable[[Site], str]:
    conditions = [*arrived(period), col(Call.outcome) == CallOutcome.ANSWERED]
    if language is not None:
        conditions.append(col(Call.language) == language)
    if operator is not None:
        number = select(col(Employee.id)).where(col(Employee.internal_number) == operator)
        conditions.append(col(Call.operator_id) == number.scalar_subquery())
    calls = select(func.count()).select_from(Call).where(*conditions)
    surveys = select(func.count()).select_from(SurveyResponse).join(Call).where(*conditions)
    return lambda site: f"{site.count(calls)} answered calls, {site.count(surveys)} surveys"


def today_calls(site: Site) -> str:
    query = select(func.count()).select_from(Call).where(*arrived(Period(TODAY, TODAY)))
    return f"{site.count(query)} calls today"


def history(group: Group) -> Measured:
    """The search by a number of the group (303), then the history page it leads to."""

    def get(site: Site) -> Any:
        number = site.numbers[group.name]
        found = site.browser.get("/clients", params={"phone": number})
        assert found.status_code == 303, (number, found.status_code)
        return site.browser.get(found.headers["location"])

    def involved(site: Site) -> str:
        number = site.numbers[group.name]
        query = select(func.count()).select_from(Call).where(col(Call.caller_e164) == number)
        return f"{site.count(query)} calls of the number"

    return Measured(get, involved)


# What is timed: a page's name → how it is asked for and what it involves.
MEASURED: dict[str, Measured] = {
    "missed calls, last month": Measured(report("missed", MONTH), missed_calls(MONTH)),
    "missed calls, last month, reason=queue_timeout": Measured(
        report("missed", MONTH, reason=MissedReason.QUEUE_TIMEOUT.value),
        missed_calls(MONTH, MissedReason.QUEUE_TIMEOUT),
    ),
    "missed calls, last 365 days": Measured(report("missed", YEAR), missed_calls(YEAR)),
    "wallboard, today's counts (/wallboard/today)": Measured(
        lambda site: site.browser.get("/wallboard/today"), today_calls
    ),
    **{f"client search + history, {group.name}": history(group) for group in GROUPS},
    "survey, last 365 days": Measured(report("survey", YEAR), answered_calls(YEAR)),
    f"survey, last 365 days, operator={OPERATOR}": Measured(
        report("survey", YEAR, operator=OPERATOR), answered_calls(YEAR, OPERATOR)
    ),
    # Not among the counts by hour (models.tables.report_counts): grouped from the calls.
    "survey, last 365 days, language=en": Measured(
        report("survey", YEAR, language=Language.EN.value),
        answered_calls(YEAR, language=Language.EN),
    ),
}


# --------------------------------------------------------------------------- the databases


@contextmanager
def database(base: str | None, keep: Path | None) -> Iterator[Engine]:
    """A temporary migrated database (``keep`` None), or the kept one, made if missing."""
    if keep is None:
        with (
            tempfile.TemporaryDirectory() as folder,
            fresh_database(base, Path(folder) / "bench.db") as engine,
        ):
            yield engine
        return
    if base is None:
        keep.mkdir(parents=True, exist_ok=True)
        engine = create_db_engine(f"sqlite:///{keep / SQLITE_FILE}")
    else:
        admin = create_engine(make_url(base))
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        admin.dispose()
        url = make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
        engine = create_db_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()


def kept_at(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    return f"schema {SCHEMA}"


def made_anew(engine: Engine) -> None:
    """The kept database emptied: the SQLite file removed, the PostgreSQL schema recreated."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {SCHEMA} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
        engine.dispose()


def ready(engine: Engine, calls: int, kept: bool) -> str:
    """The five years in ``engine``'s database, written now or found kept; what was done."""
    revision = current_revision(engine)
    if revision is not None and pending_migrations(engine):
        print(f"{kept_at(engine)}: migrating from {revision} to {shipped_head()}", flush=True)
        started = time.perf_counter()
        upgrade(engine)
        print(f"  migrated in {time.perf_counter() - started:.0f} s", flush=True)
    elif revision is None:
        upgrade(engine)
    if kept:
        have = count(engine, select(func.count()).select_from(Call))
        if have == calls:
            return f"kept, {kept_at(engine)}"
        if have:
            print(f"{kept_at(engine)} has {have} calls, not {calls}: made anew", flush=True)
            made_anew(engine)
            upgrade(engine)
    started = time.perf_counter()
    writer = fill(engine, calls)
    spent = time.perf_counter() - started
    print(", ".join(f"{name} {count}" for name, count in writer.written.items()))
    return f"written in {spent:.0f} s ({writer.seconds:.0f} s of it by the database)" + (
        f", kept: {kept_at(engine)}" if kept else ""
    )


# --------------------------------------------------------------------------- timing


def called(engine: Engine, group: Group) -> str:
    """The group's first number (from the middle of its range on) that has calls."""
    for index in range(group.first + group.size // 2, group.first + group.size):
        query = select(func.count()).select_from(Call).where(col(Call.caller_e164) == phone(index))
        if count(engine, query):
            return phone(index)
    raise LookupError(f"no number of {group.name} called")


def signed_in(engine: Engine) -> Any:
    console = Console(engine, Clock(NOW))
    if not count(engine, select(func.count()).where(col(UserAccount.login) == LOGIN)):
        console.add_user(LOGIN, Role.SUPERVISOR)
    return console.signed_in(LOGIN)


def measure(engine: Engine, runs: int) -> list[tuple[str, str, list[float]]]:
    site = Site(engine, signed_in(engine), {g.name: called(engine, g) for g in GROUPS})
    found = []
    for name, measured in MEASURED.items():

        def work(name: str = name, measured: Measured = measured) -> None:
            response = measured.get(site)
            assert response.status_code == 200, (name, response.status_code)

        found.append((name, measured.involved(site), timed_ms(work, runs)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=CALLS, help="calls in five years")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each page")
    parser.add_argument("--sqlite-only", action="store_true", help="not TEST_DATABASE_URL")
    parser.add_argument(
        "--keep", nargs="?", const=KEEP_DIR, type=Path, metavar="DIR", help="keep and reuse"
    )
    args = parser.parse_args()
    bases: list[str | None] = [None]
    if not args.sqlite_only and os.environ.get("TEST_DATABASE_URL"):
        bases.append(os.environ["TEST_DATABASE_URL"])
    for base in bases:
        with database(base, args.keep) as engine:
            done = ready(engine, args.calls, args.keep is not None)
            results = measure(engine, args.runs)
        print()
        print(
            f"**{database_name(base)}**: {args.calls} calls, {done}; now "
            f"{NOW.astimezone(MSK):%Y-%m-%d %H:%M} Moscow, month {MONTH.label()}, year "
            f"{YEAR.label()}; {args.runs} runs after a warm-up; load average "
            f"{os.getloadavg()[0]:.1f}"
        )
        print()
        print("| what | rows involved | p50, ms | p95, ms |")
        print("|---|---|---:|---:|")
        for name, involved, samples in results:
            print(
                f"| {name} | {involved} | {statistics.median(samples):.0f} "
                f"| {percentile(samples, 0.95):.0f} |",
                flush=True,
            )
        print()


if __name__ == "__main__":
    main()
