"""What the reports' counts (migration 0014, ``models.tables.report_counts``) cost the writing of
a call: the same calls written through the line's real stores into a database at the newest
revision (triggers keep the counts) and into one at revision 0013 (no counts, no triggers).

Each call is what the line writes for it, one transaction per step as in service: the arrival
(``LineStore.record_arrival``), the voice menu's choice (``record_ivr``), the end from the AMI
call log (``CallLogStore.record_finished``, which classifies the call and opens the callback
task of a missed one, C13) and, for an answered call the operator hung up, both survey answers
one at a time (``save_survey``, C15). The calls are the recorded ones of ``tests/ami/captures``
(answered and surveyed, abandoned in the queue, no operators), each written again under a new
Linkedid, a minute apart, on a working day. Prints milliseconds per call, p50 and p95 of
batches of 50, for each database.

Run: ``.venv/bin/python bench/bench_count_triggers.py [calls]`` (default 3000); with
``TEST_DATABASE_URL`` set, PostgreSQL too.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import command
from bench_databases import database_name, fresh_database
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ami.call_record import CallLogEntry
from models.call_log_store import CallLogStore
from models.line_store import CallArrival, LineStore
from models.migrate import alembic_config
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.tables import HangupSide
from models.topics import Topic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.ami.captures import final_entry

MSK = ZoneInfo("Europe/Moscow")
FIRST = datetime(2026, 12, 7, 9, 0, tzinfo=MSK)  # a Monday
CAPTURES = ("x-full-flow-ivr-queue-survey", "b-abandoned", "c2-noagents-joinempty")
BATCH = 50


def settings_for(engine: Engine) -> Settings:
    return Settings(database_url=engine.url.render_as_string(hide_password=False))


def moved(entry: CallLogEntry, number: int) -> CallLogEntry:
    """The recorded call again, ``number`` minutes after the first, under its own Linkedid."""
    shift = FIRST + timedelta(minutes=number) - entry.arrived_at

    def at(value: datetime | None) -> datetime | None:
        return value + shift if value else None

    return replace(
        entry,
        linkedid=f"1797000000.{number}",
        arrived_at=entry.arrived_at + shift,
        queue_joined_at=at(entry.queue_joined_at),
        answered_at=at(entry.answered_at),
        ended_at=at(entry.ended_at),
        caller_number=f"7928{number:07d}",
    )


def write_call(line: LineStore, log: CallLogStore, entry: CallLogEntry) -> None:
    line.record_arrival(
        CallArrival(
            linkedid=entry.linkedid,
            arrived_at=entry.arrived_at,
            in_working_hours=True,
            caller_number=entry.caller_number,
            caller_e164=f"+{entry.caller_number}",
            caller_name="",
            did="",
            client_id=None,
        )
    )
    line.record_ivr(entry.linkedid, "language:1>topic:2", Topic.SUPPORT_MEASURES, None)
    assert entry.ended_at is not None
    log.record_finished(entry, entry.ended_at)
    if entry.hangup_side is HangupSide.OPERATOR or entry.answered_at is not None:
        at = entry.ended_at
        line.save_survey(entry.linkedid, None, AnswerReceived.YES, None, at)
        line.save_survey(entry.linkedid, None, None, QualityRating.SATISFIED, at)


def per_call_ms(engine: Engine, calls: int) -> list[float]:
    settings = settings_for(engine)
    line, log = LineStore(engine, settings), CallLogStore(engine, settings)
    recorded = [final_entry(name) for name in CAPTURES]
    batches: list[float] = []
    for first in range(0, calls, BATCH):
        started = time.perf_counter()
        for number in range(first, min(first + BATCH, calls)):
            write_call(line, log, moved(recorded[number % len(recorded)], number))
        batches.append((time.perf_counter() - started) * 1000 / BATCH)
    return batches


def counts_of(engine: Engine) -> str:
    """What the triggers counted: the bench must have written missed and surveyed calls."""
    with engine.connect() as connection:
        missed = connection.execute(text("SELECT sum(calls) FROM missed_counts")).scalar_one()
        answered, rated = connection.execute(
            text("SELECT sum(answered_calls), sum(complete) FROM survey_counts")
        ).one()
    if not (missed and answered and rated):
        raise SystemExit(f"nothing counted: {missed=}, {answered=}, {rated=}")
    return f"missed {missed}, answered {answered}, surveys complete {rated}"


def without_counts(engine: Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    bases = [None] + ([url] if (url := os.environ.get("TEST_DATABASE_URL")) else [])
    print(f"{calls} calls, ms per call over batches of {BATCH}: p50 / p95")
    print("| база | счётчики | p50, мс | p95, мс |")
    print("|---|---|---:|---:|")
    for base in bases:
        for counted in (False, True):
            with (
                tempfile.TemporaryDirectory() as folder,
                fresh_database(base, Path(folder) / "bench.db") as engine,
            ):
                if not counted:
                    without_counts(engine)
                found = per_call_ms(engine, calls)
                if counted:
                    print(f"<!-- counted: {counts_of(engine)} -->")
                cuts = statistics.quantiles(found, n=20, method="inclusive")
                print(
                    f"| {database_name(base)} | {'есть' if counted else 'нет (0013)'} "
                    f"| {statistics.median(found):.2f} | {cuts[18]:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
