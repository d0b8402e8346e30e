"""Today's figures of the wallboard on a day built by hand: every expected number below is
counted from the rows written in the test, not from another query."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from tests.wallboard.samples import MSK, Calls, add_task, msk
from wallboard.today import TodayCounts, calls_query, today_counts

CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
DAY = date(2026, 12, 3)  # a Thursday, a working day 09:00-18:00
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=MSK)

ANSWERED, MISSED, AFTER_HOURS = CallOutcome.ANSWERED, CallOutcome.MISSED, CallOutcome.AFTER_HOURS


def _counts(engine: Engine, now: datetime = NOW, threshold_s: int = 20) -> TodayCounts:
    with session_scope(engine) as session:
        return today_counts(session, now=now, calendar=CALENDAR, service_level_s=threshold_s)


@pytest.fixture
def day(db_engine: Engine) -> Engine:
    with session_scope(db_engine) as session:
        calls = Calls(session)
        # Answered: waits 5, 12, exactly 20, 20.5, 50 s, and one whose wait is unknown.
        calls.add(msk(3, 9, 5), ANSWERED, wait_s=5.0)
        calls.add(msk(3, 9, 30), ANSWERED, wait_s=12.0)
        calls.add(msk(3, 10, 0), ANSWERED, wait_s=20.0)
        calls.add(msk(3, 10, 10), ANSWERED, wait_s=20.5)
        calls.add(msk(3, 11, 0), ANSWERED, wait_s=50.0)
        calls.add(msk(3, 11, 20), ANSWERED, wait_s=None)
        # Missed (C13): two hung up in the queue, one in the menu, no operators, time out.
        calls.add(msk(3, 12, 0), MISSED, wait_s=30.0, reason=MissedReason.ABANDONED_IN_QUEUE)
        calls.add(msk(3, 12, 5), MISSED, wait_s=3.0, reason=MissedReason.ABANDONED_IN_QUEUE)
        calls.add(msk(3, 12, 30), MISSED, reason=MissedReason.ABANDONED_IN_IVR)
        calls.add(msk(3, 13, 0), MISSED, reason=MissedReason.NO_OPERATORS)
        calls.add(msk(3, 13, 30), MISSED, wait_s=300.0, reason=MissedReason.QUEUE_TIMEOUT)
        # Still going on (waiting in the queue).
        calls.add(msk(3, 14, 55), None, wait_s=None)
        # After hours: early this morning, and ten minutes after the local midnight (still
        # 2 December in UTC).
        calls.add(msk(3, 7, 30), AFTER_HOURS, in_hours=False)
        calls.add(msk(3, 0, 10), AFTER_HOURS, in_hours=False)
        # Not today: yesterday evening (and 2 December in UTC too), an answer yesterday.
        calls.add(msk(2, 23, 50), AFTER_HOURS, in_hours=False)
        calls.add(msk(2, 16, 0), ANSWERED, wait_s=1.0)
        # Callback tasks (C11).
        add_task(session, DAY, CallbackStatus.OPEN)  # due today
        add_task(session, DAY, CallbackStatus.IN_PROGRESS)  # due today
        add_task(session, DAY, CallbackStatus.DONE)  # done: neither
        add_task(session, date(2026, 12, 2), CallbackStatus.OPEN)  # overdue since yesterday
        add_task(session, date(2026, 11, 30), CallbackStatus.IN_PROGRESS)  # overdue
        add_task(session, date(2026, 12, 1), CallbackStatus.CANCELLED)  # closed: neither
        add_task(session, date(2026, 12, 4), CallbackStatus.OPEN)  # tomorrow: neither
    return db_engine


def test_the_figures_of_a_day_built_by_hand(day: Engine) -> None:
    counts = _counts(day)
    assert counts.day == DAY
    assert counts.working_hours == "09:00–18:00"
    assert counts.arrived_in_hours == 12  # 6 answered + 5 missed + 1 going on
    assert counts.answered == 6
    assert counts.missed == 5  # C13
    assert {m.reason: m.count for m in counts.missed_by_reason} == {
        MissedReason.ABANDONED_IN_IVR: 1,
        MissedReason.ABANDONED_IN_QUEUE: 2,
        MissedReason.QUEUE_TIMEOUT: 1,
        MissedReason.NO_OPERATORS: 1,
        MissedReason.LEFT_QUEUE_BY_KEY: 0,
        MissedReason.UNKNOWN: 0,
    }
    labels = [m.label for m in counts.missed_by_reason]
    assert labels[0] == "Звонящий положил трубку в голосовом меню"
    assert counts.after_hours == 2
    assert counts.in_progress == 1
    # Within 20 s: 5, 12 and exactly 20. Offered: 6 answered + 4 missed (not the one who hung
    # up in the menu) = 10. 3 of 10 = 30 %.
    level = counts.service_level
    assert (level.threshold_s, level.within, level.offered, level.percent) == (20, 3, 10, 30)
    # The answered with a known wait: (5 + 12 + 20 + 20.5 + 50) / 5 = 21.5, rounded up to 22.
    assert counts.average_wait_s == 22
    # C11: two promised for today; the rest overdue, promised for earlier days.
    assert (counts.callbacks_due, counts.callbacks_overdue) == (2, 2)


def test_at_closing_time_todays_callbacks_become_overdue(day: Engine) -> None:
    # C11: the promised day's working hours are over at 18:00.
    before = _counts(day, now=msk(3, 17, 59))
    assert (before.callbacks_due, before.callbacks_overdue) == (2, 2)
    closed = _counts(day, now=msk(3, 18, 0))
    assert (closed.callbacks_due, closed.callbacks_overdue) == (0, 4)


@pytest.mark.parametrize(
    ("threshold_s", "within", "percent"),
    [
        (20, 3, 30),  # 20.0 s is within 20 s; 20.5 s is not
        (19, 2, 20),  # the 20 s answer now misses
        (21, 4, 40),  # and the 20.5 s one is within
    ],
)
def test_service_level_threshold_edge(
    day: Engine, threshold_s: int, within: int, percent: int
) -> None:
    level = _counts(day, threshold_s=threshold_s).service_level
    assert (level.within, level.offered, level.percent) == (within, 10, percent)


def test_today_is_the_lines_local_date_not_the_utc_one(db_engine: Engine) -> None:
    # 00:30 on 4 December in Moscow is still 3 December in UTC.
    now = msk(4, 0, 30)
    assert now.astimezone(UTC).date() == date(2026, 12, 3)
    with session_scope(db_engine) as session:
        calls = Calls(session)
        calls.add(msk(3, 23, 59), AFTER_HOURS, in_hours=False)  # yesterday here
        calls.add(msk(4, 0, 0), AFTER_HOURS, in_hours=False)  # the first instant of today
        calls.add(msk(4, 0, 20), AFTER_HOURS, in_hours=False)
    counts = _counts(db_engine, now=now)
    assert counts.day == date(2026, 12, 4)
    assert counts.after_hours == 2


def test_an_empty_day_on_a_holiday(db_engine: Engine) -> None:
    counts = _counts(db_engine, now=datetime(2027, 1, 2, 12, 0, tzinfo=MSK))
    assert counts.working_hours == ""  # 2 January: a public holiday
    assert (counts.arrived_in_hours, counts.answered, counts.missed) == (0, 0, 0)
    assert counts.service_level.percent is None  # nothing offered: no level, not 0 %
    assert counts.average_wait_s is None


def test_the_day_is_read_through_the_arrival_index(db_engine: Engine) -> None:
    # Five years of calls must not be scanned for one day: the query's only filter is a
    # range on arrived_at, served by ix_calls_arrived_outcome.
    if db_engine.dialect.name != "sqlite":
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    query = calls_query(DAY, MSK, 20)
    with db_engine.connect() as connection:
        compiled = query.compile(connection)
        blanks = (None,) * len(compiled.positiontup or ())  # the plan needs no values
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", blanks).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX ix_calls_arrived_outcome (arrived_at>? AND arrived_at<?)" in details
