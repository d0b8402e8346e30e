"""``seed_demo``: the period day by day, from arrivals to written rows."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlmodel import Session, col, select

from consult_line.demo.arrivals import force_coverage, plan_arrivals
from consult_line.demo.callbacks import CallbackPlanner
from consult_line.demo.callers import Callers
from consult_line.demo.calls import DEMO_LINKEDID_PREFIX, CallPlanner
from consult_line.demo.context import SeedContext
from consult_line.demo.reception import seed_reception
from consult_line.demo.staff import load_staff
from consult_line.demo.summary import DemoSummary
from consult_line.demo.writer import DayWriter
from models.rules.calendar import ProductionCalendar, require_aware
from models.tables import Call


def seed_demo(
    *,
    session: Session,
    calendar: ProductionCalendar,
    now: datetime,
    days: int = 30,
    seed: int = 7,
    training: bool = False,
) -> DemoSummary:
    """Writes ``days`` local days of demo traffic ending the day before ``now``; no commit.
    ``training``: the calls and tasks are the training line's (``models.line_scope``)."""
    require_aware(now, "now")
    if days < 1:
        raise ValueError(f"days must be at least 1: {days}")
    if _demo_present(session):
        return DemoSummary(True, 0, 0, 0, 0, 0, 0)
    staff, employees = load_staff(session, now, calendar)
    reception = seed_reception(session, now)
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not a secret
    context = SeedContext(calendar, now, rng, staff)
    today = context.local_day(now)
    period = [today - timedelta(days=offset) for offset in range(days, 0, -1)]
    summary = _seed_period(session, context, period, employees, training=training)
    return replace(summary, reception_hours=reception)


def _demo_present(session: Session) -> bool:
    query = select(Call.id).where(col(Call.linkedid).startswith(DEMO_LINKEDID_PREFIX)).limit(1)
    return session.exec(query).first() is not None


def _seed_period(
    session: Session, context: SeedContext, period: list[date], employees: int, *, training: bool
) -> DemoSummary:
    calendar, rng = context.calendar, context.rng
    arrivals = [arrival for day in period for arrival in plan_arrivals(day, calendar, rng)]
    force_coverage(arrivals, rng)
    callers = Callers(rng, context.now)
    callers.load_known(session)
    planner = CallPlanner(context, callers, CallbackPlanner(context))
    writer = DayWriter(session, rng, training=training)
    for _, of_day in groupby(arrivals, key=lambda a: context.local_day(a.at)):
        writer.write([planner.plan(arrival) for arrival in of_day])
    return DemoSummary(
        already_present=False,
        calls=writer.calls,
        callbacks=writer.callbacks,
        surveys=writer.surveys,
        clients=callers.created,
        employees=employees,
        reception_hours=0,
    )
