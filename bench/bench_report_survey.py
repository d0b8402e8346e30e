"""Time of the survey report (C15) over years of calls.

Writes ``years`` of synthetic working-day traffic (about 500 000 calls a year, 85 % answered by
one of 40 operators, three in four of those surveyed, some partly) into a migrated database —
a SQLite file, or the database of ``TEST_DATABASE_URL`` in a schema of its own — then times what
the page does for a month and for a year (the counts by operator and by hour, and the first 200
rows), without and with filters. Prints medians and p95 in milliseconds as a Markdown table.
Run: ``.venv/bin/python bench/bench_report_survey.py [years] [runs]`` (default 1 year, 15 runs).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from functools import partial

from bench_report_missed import (
    FIRST_DAY,
    MSK,
    PagedReport,
    analyse,
    arrivals,
    on_database,
    time_page_work,
)
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.tables import Call, Department, Employee, SurveyResponse
from reports.period import Period
from reports.survey import SurveyReport, survey_report

OPERATORS = 40
FILTERS: dict[str, list[str]] = {"operator": ["1007"], "language": ["ru"]}


def fill(engine: Engine, years: int) -> int:
    rng = random.Random(15)  # reproducible traffic
    with engine.begin() as connection:
        connection.execute(insert(Department), [{"code": "line", "name": "Линия"}])
        connection.execute(
            insert(Employee),
            [
                {
                    "internal_number": str(1000 + n),
                    "full_name": f"Оператор {n}",
                    "device": f"PJSIP/{1000 + n}",
                    "department_id": 1,
                    "active": True,
                    "updated_at": datetime(2022, 1, 1, tzinfo=MSK),
                }
                for n in range(1, OPERATORS + 1)
            ],
        )
        count, calls, surveys = 0, [], []
        for at in arrivals(years, rng):
            count += 1
            answered = rng.random() < 0.85
            operator = rng.randrange(1, OPERATORS + 1) if answered else None
            surveyed = answered and rng.random() < 0.75
            calls.append(
                {
                    "id": count,
                    "linkedid": f"bench-{count}",
                    "arrived_at": at,
                    "in_working_hours": True,
                    "language": "ru" if rng.random() < 0.9 else "en",
                    "topic": "general",
                    "outcome": "answered" if answered else "missed",
                    "operator_id": operator,
                    "hangup_side": "operator" if surveyed or rng.random() < 0.5 else "caller",
                    "ended_at": at + timedelta(seconds=240),
                }
            )
            if surveyed and rng.random() < 0.85:
                surveys.append(
                    {
                        "call_id": count,
                        "operator_id": operator,
                        "answer_received": "yes" if rng.random() < 0.8 else "no",
                        "quality": None if rng.random() < 0.15 else "satisfied",
                        "channel": "keypad",
                        "created_at": at + timedelta(seconds=270),
                    }
                )
            if len(calls) == 20_000:
                connection.execute(insert(Call), calls)
                connection.execute(insert(SurveyResponse), surveys)
                calls, surveys = [], []
        if calls:
            connection.execute(insert(Call), calls)
        if surveys:
            connection.execute(insert(SurveyResponse), surveys)
    analyse(engine, "calls", "survey_responses")
    return count


def measure(engine: Engine, years: int, runs: int) -> None:
    calls = fill(engine, years)
    print(f"{calls} calls over {years} year(s), {engine.dialect.name}, {runs} runs per case")
    print()
    last = FIRST_DAY.year + years - 1
    periods = {
        "month": Period(date(last, 10, 1), date(last, 10, 31)),
        "year": Period(date(last, 1, 1), date(last, 12, 31)),
    }
    with Session(engine) as session:

        def tally(report: PagedReport) -> int:
            assert isinstance(report, SurveyReport)
            return report.tally(session).line.responded

        report_of = partial(survey_report, tz=MSK)
        time_page_work(session, periods, ({}, FILTERS), report_of, tally, "surveys", runs)


if __name__ == "__main__":
    on_database(measure)
