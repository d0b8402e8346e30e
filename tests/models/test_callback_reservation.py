"""A click-to-call holds its task (C11: nobody is dialled twice), on a real migrated database:
one reservation at a time, released only by its holder, lapsing after the TTL; and two
PostgreSQL sessions racing for it: exactly one wins."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from queue import Queue

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import session_scope
from models.operator_access import (
    Reservation,
    callback_target,
    record_callback_attempt,
    release_callback,
    reserve_callback,
)
from models.rules.callbacks import DIAL_RESERVATION_TTL, CallbackStatus
from models.tables import AttemptResult, CallbackSource, CallbackTask
from tests.factories import add_employee

NOW = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
WAIT_S = 5.0


def _task(engine: Engine, status: CallbackStatus = CallbackStatus.OPEN) -> int:
    with session_scope(engine) as session:
        task = CallbackTask(
            phone_e164="+79281234567",
            source=CallbackSource.OPERATOR,
            requested_at=NOW - timedelta(days=1),
            promised_on=date(2026, 12, 2),
            status=status,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        return task.id


def _reserve(
    engine: Engine, task_id: int, channel_id: str, employee_id: int, now: datetime = NOW
) -> Reservation:
    with session_scope(engine) as session:
        return reserve_callback(
            session, task_id=task_id, channel_id=channel_id, employee_id=employee_id, now=now
        )


def test_one_reservation_at_a_time_released_only_by_its_holder(db_engine: Engine) -> None:
    first, second = (
        add_employee(db_engine, "201", "PJSIP/201"),
        add_employee(db_engine, "202", "PJSIP/202"),
    )
    task_id = _task(db_engine)
    assert _reserve(db_engine, task_id, "chan-a", first).reserved
    refused = _reserve(db_engine, task_id, "chan-b", second, NOW + timedelta(seconds=5))
    assert not refused.reserved
    assert refused.target is not None
    assert refused.target.dialling is not None
    assert (refused.target.dialling.channel_id, refused.target.dialling.employee_name) == (
        "chan-a",
        "Сотрудник 201",
    )
    with session_scope(db_engine) as session:
        assert not release_callback(session, task_id=task_id, channel_id="chan-b")
        record_callback_attempt(
            session,
            task_id=task_id,
            employee_id=first,
            channel_id="chan-a",
            result=AttemptResult.BUSY,
            at=NOW,
        )  # the result ends chan-a's reservation
    assert _reserve(db_engine, task_id, "chan-b", second, NOW + timedelta(seconds=5)).reserved


def test_a_reservation_whose_result_never_came_lapses(db_engine: Engine) -> None:
    operator = add_employee(db_engine, "201", "PJSIP/201")
    task_id = _task(db_engine)
    assert _reserve(db_engine, task_id, "chan-a", operator).reserved
    just_before = NOW + DIAL_RESERVATION_TTL - timedelta(microseconds=1)
    assert not _reserve(db_engine, task_id, "chan-b", operator, just_before).reserved
    lapsed = _reserve(db_engine, task_id, "chan-b", operator, NOW + DIAL_RESERVATION_TTL)
    assert lapsed.reserved
    with Session(db_engine) as session:
        target = callback_target(session, task_id, NOW + DIAL_RESERVATION_TTL)
    assert target is not None
    assert target.dialling is not None
    assert target.dialling.channel_id == "chan-b"


@pytest.mark.parametrize("status", [CallbackStatus.DONE, CallbackStatus.CANCELLED])
def test_a_closed_or_missing_task_is_not_reserved(
    db_engine: Engine, status: CallbackStatus
) -> None:
    operator = add_employee(db_engine, "201", "PJSIP/201")
    task_id = _task(db_engine, status)
    closed = _reserve(db_engine, task_id, "chan-a", operator)
    assert not closed.reserved
    assert closed.target is not None
    assert (closed.target.status, closed.target.dialling) == (status, None)
    missing = _reserve(db_engine, 999_999, "chan-a", operator)
    assert (missing.reserved, missing.target) == (False, None)


def test_two_sessions_racing_for_the_reservation_one_wins(db_engine: Engine) -> None:
    """PostgreSQL, READ COMMITTED: the second session read the task while the first had not
    committed, then waits on the row; once the first commits, it must lose (a read-then-write
    reservation would let both win: two Originates for one citizen)."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("row locks between sessions: run with TEST_DATABASE_URL (PostgreSQL)")
    first, second = (
        add_employee(db_engine, "201", "PJSIP/201"),
        add_employee(db_engine, "202", "PJSIP/202"),
    )
    task_id = _task(db_engine)
    pids: Queue[int] = Queue()

    def contender() -> Reservation:
        with Session(db_engine) as session:
            connection = session.connection()
            pids.put(int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))
            reservation = reserve_callback(
                session, task_id=task_id, channel_id="chan-b", employee_id=second, now=NOW
            )
            session.commit()
            return reservation

    with Session(db_engine) as winner, ThreadPoolExecutor(max_workers=1) as pool:
        winner_pid = int(
            winner.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        )
        assert reserve_callback(
            winner, task_id=task_id, channel_id="chan-a", employee_id=first, now=NOW
        ).reserved
        racing = pool.submit(contender)
        contender_pid = pids.get(timeout=WAIT_S)
        _wait_until_blocked(db_engine, contender_pid, by=winner_pid)
        winner.commit()
        loser = racing.result(timeout=WAIT_S)
    assert not loser.reserved
    assert loser.target is not None
    assert loser.target.dialling is not None
    assert loser.target.dialling.channel_id == "chan-a"


def _wait_until_blocked(engine: Engine, pid: int, *, by: int) -> None:
    """Until backend ``pid`` waits for a lock held by backend ``by`` (asked of PostgreSQL)."""
    deadline = time.monotonic() + WAIT_S
    with engine.connect() as watcher:
        while True:
            blockers = watcher.exec_driver_sql(f"SELECT pg_blocking_pids({pid})").scalar_one()
            if by in blockers:
                return
            assert time.monotonic() < deadline, "the second session never waited for the first"
