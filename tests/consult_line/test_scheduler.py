"""Scheduled jobs: calendar warnings (C3), callback reminders (C11), KB review reminders (K6),
the nightly purge of history past its term (G3)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.bus import LiveBus
from consult_line.scheduler import (
    CALLBACKS_TOPIC,
    RETENTION_BUDGET,
    SUPERVISOR_TOPIC,
    JobContext,
    notify_callback_windows,
    notify_overdue_callbacks,
    purge_expired_history,
    remind_overdue_kb_sections,
    tidy_report_counts,
    warn_unknown_calendar_years,
)
from consult_line.wiring import Services
from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome
from models.settings import Settings
from models.tables import AuditEntry, Call, CallbackSource, CallbackTask, CallbackWindow
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.factories import add_employee
from tests.models.retention_samples import GONE_CALLS, KEPT_CALLS, build_history
from tests.scripts_kb.kb_samples import write_content

MONDAY_NOON = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 12:00 MSK


def _context(engine: Engine, now: datetime, bus: LiveBus | None = None) -> JobContext:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    services = Services(settings=settings, engine=engine, clock=lambda: now)
    return JobContext(services=services, bus=bus or LiveBus(), bridge=None)


def _task(
    engine: Engine,
    *,
    promised_on: date,
    status: CallbackStatus = CallbackStatus.OPEN,
    window_start: datetime | None = None,
    owner_id: int | None = None,
) -> int:
    with Session(engine) as session:
        task = CallbackTask(
            phone_e164="+79280000001",
            source=CallbackSource.OPERATOR,
            requested_at=MONDAY_NOON - timedelta(days=7),
            promised_on=promised_on,
            status=status,
            owner_id=owner_id,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        if window_start is not None:
            session.add(
                CallbackWindow(
                    task_id=task.id,
                    starts_at=window_start,
                    ends_at=window_start + timedelta(hours=2),
                )
            )
        session.commit()
        return task.id


async def test_calendar_check_warns_for_a_year_without_decree(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
        await warn_unknown_calendar_years(_context(db_engine, datetime(2031, 5, 4, 6, tzinfo=UTC)))
    assert any("2031" in record.getMessage() for record in caplog.records)


async def test_calendar_check_is_silent_for_a_year_with_decree_and_official_calendar(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Before December only 2026 is checked (in December 2027 is too: see the health test).
    with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
        await warn_unknown_calendar_years(_context(db_engine, MONDAY_NOON - timedelta(days=14)))
    assert caplog.records == []


async def test_owner_is_told_when_an_agreed_window_opens(db_engine: Engine) -> None:
    # C11: a window starting within the next five minutes; one later and one done are not told.
    owner = add_employee(db_engine, "201", "PJSIP/201")
    soon = _task(
        db_engine,
        promised_on=date(2026, 12, 7),
        owner_id=owner,
        window_start=MONDAY_NOON + timedelta(minutes=3),
    )
    _task(db_engine, promised_on=date(2026, 12, 7), window_start=MONDAY_NOON + timedelta(hours=1))
    _task(
        db_engine,
        promised_on=date(2026, 12, 7),
        status=CallbackStatus.DONE,
        window_start=MONDAY_NOON + timedelta(minutes=1),
    )
    bus = LiveBus()
    async with bus.subscribe(CALLBACKS_TOPIC) as owners:
        await notify_callback_windows(_context(db_engine, MONDAY_NOON, bus))
        assert bus.published == 1
        message = await owners.next()
    assert (message.payload["task_id"], message.payload["owner"]) == (soon, "201")


async def test_supervisor_gets_tasks_past_their_promised_day(db_engine: Engine) -> None:
    # C11: promised Friday 04.12, still open on Monday: overdue; promised today: not yet.
    late = _task(db_engine, promised_on=date(2026, 12, 4))
    _task(db_engine, promised_on=date(2026, 12, 7))
    _task(db_engine, promised_on=date(2026, 12, 3), status=CallbackStatus.CANCELLED)
    bus = LiveBus()
    async with bus.subscribe(SUPERVISOR_TOPIC) as supervisor:
        await notify_overdue_callbacks(_context(db_engine, MONDAY_NOON, bus))
        message = await supervisor.next()
    assert [task["task_id"] for task in message.payload["tasks"]] == [late]


async def test_overdue_kb_sections_go_to_the_supervisor_and_their_departments_are_warned(
    db_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # K6: both sample sections were reviewed on 01.11; on 02.12 a month has passed.
    with session_scope(db_engine) as session:
        load_into_db(
            session=session, content=load_content(write_content(tmp_path)), now=MONDAY_NOON
        )
    bus = LiveBus()
    async with bus.subscribe(SUPERVISOR_TOPIC) as supervisor:
        with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
            await remind_overdue_kb_sections(_context(db_engine, MONDAY_NOON, bus))
        message = await supervisor.next()
    assert message.payload["kind"] == "overdue_kb_sections"
    assert [(s["id"], s["owner"]) for s in message.payload["sections"]] == [
        ("alco", "licensing"),
        ("hours", "consult"),
    ]
    assert any("отдел licensing" in record.getMessage() for record in caplog.records)


async def test_no_kb_reminder_while_sections_are_fresh(db_engine: Engine, tmp_path: Path) -> None:
    with session_scope(db_engine) as session:
        load_into_db(
            session=session, content=load_content(write_content(tmp_path)), now=MONDAY_NOON
        )
    bus = LiveBus()
    await remind_overdue_kb_sections(
        _context(db_engine, datetime(2026, 12, 1, 20, tzinfo=UTC), bus)
    )
    assert bus.published == 0


async def test_nightly_retention_removes_history_past_five_years_and_says_so(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # G3: the job runs the same purge as `consult-line retention`; a night with nothing to
    # remove leaves no audit entry.
    now = datetime(2031, 5, 10, 23, 30, tzinfo=UTC)  # 02:30 on 11 May in Moscow
    cutoff = datetime(2026, 5, 11, tzinfo=ZoneInfo("Europe/Moscow"))
    build_history(db_engine, old=cutoff - timedelta(seconds=1), new=cutoff)
    with caplog.at_level(logging.INFO, logger="consult_line.scheduler"):
        await purge_expired_history(_context(db_engine, now))
        await purge_expired_history(_context(db_engine, now))
    first, second = (r.getMessage() for r in caplog.records)
    assert first.startswith("хранение истории (лет: 5, остаётся всё с 2026-05-11): удалено — ")
    assert "звонки (calls) 7," in first
    assert first.endswith("обезличено — клиенты (clients) 1")
    assert second.endswith("старше срока ничего нет")
    with Session(db_engine) as session:
        assert set(session.exec(select(Call.linkedid)).all()) == KEPT_CALLS
        [entry] = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "retention"))
    assert entry.actor == "scheduler"


async def test_nightly_retention_stops_when_its_time_is_up_and_the_next_run_goes_on(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    night = datetime(2031, 5, 10, 23, 30, tzinfo=UTC)
    cutoff = datetime(2026, 5, 11, tzinfo=ZoneInfo("Europe/Moscow"))
    build_history(db_engine, old=cutoff - timedelta(seconds=1), new=cutoff)
    readings = iter([night])  # after the first reading the clock is past the budget

    def clock() -> datetime:
        return next(readings, night + RETENTION_BUDGET)

    context = _context(db_engine, night)
    late = JobContext(
        services=Services(settings=context.services.settings, engine=db_engine, clock=clock),
        bus=context.bus,
        bridge=None,
    )
    with caplog.at_level(logging.INFO, logger="consult_line.scheduler"):
        await purge_expired_history(late)
    assert "продолжится следующей ночью" in caplog.records[-1].getMessage()
    with Session(db_engine) as session:
        [entry] = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "retention"))
        assert entry.detail.endswith("interrupted")
        assert len(session.exec(select(Call)).all()) == len(KEPT_CALLS | GONE_CALLS)
    await purge_expired_history(_context(db_engine, night))
    with Session(db_engine) as session:
        assert set(session.exec(select(Call.linkedid)).all()) == KEPT_CALLS


async def test_nightly_tidy_removes_the_reports_counts_that_came_to_nothing(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # C13: a missed call counted, then gone (the purge, a correction): its count is zero.
    with session_scope(db_engine) as session:
        for n, outcome in enumerate((CallOutcome.MISSED, CallOutcome.MISSED)):
            session.add(
                Call(
                    linkedid=f"1797100000.{n}",
                    arrived_at=MONDAY_NOON + timedelta(hours=n),
                    in_working_hours=True,
                    outcome=outcome,
                )
            )
    with session_scope(db_engine) as session:
        session.execute(delete(Call).where(col(Call.linkedid) == "1797100000.0"))
    with caplog.at_level(logging.INFO, logger="consult_line.scheduler"):
        await tidy_report_counts(_context(db_engine, MONDAY_NOON))
    assert [r.getMessage() for r in caplog.records] == [
        "счётчики отчётов: удалено пустых строк — 1"
    ]
    with db_engine.connect() as connection:
        left = connection.execute(sql("SELECT hour, calls FROM missed_counts")).all()
    assert [tuple(row) for row in left] == [("2026-12-07 10", 1)]
