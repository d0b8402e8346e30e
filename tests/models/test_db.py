"""How long a connection waits (``models.db``): the caller's engine gives up after its limit,
the service's own engine (exports, migrations, the call log) is never cut short."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from models.db import caller_path_engine, create_db_engine
from models.line_store import CallArrival, LineStore
from models.settings import Settings
from tests.db_locks import calls_write_locked

LIMIT_S = 1.0


@pytest.fixture
def caller_engine(db_engine: Engine) -> Iterator[Engine]:
    engine = caller_path_engine(db_engine.url.render_as_string(hide_password=False), LIMIT_S, 2)
    yield engine
    engine.dispose()


def _wait_setting(engine: Engine) -> str:
    """What one connection of ``engine`` is told about waiting."""
    query = "PRAGMA busy_timeout" if engine.dialect.name == "sqlite" else "SHOW statement_timeout"
    with engine.connect() as connection:
        return str(connection.exec_driver_sql(query).scalar_one())


def test_a_write_on_the_callers_engine_gives_up_on_a_held_lock(
    db_engine: Engine, caller_engine: Engine
) -> None:
    store = LineStore(caller_engine, Settings(_env_file=None))  # type: ignore[call-arg]
    arrival = CallArrival(
        linkedid="1795867285.0",
        arrived_at=datetime(2026, 12, 7, 7, 0, tzinfo=UTC),
        in_working_hours=True,
        caller_number="79281234567",
        caller_e164="+79281234567",
        caller_name="",
        did="",
        client_id=None,
    )
    with calls_write_locked(db_engine), pytest.raises(OperationalError):
        store.record_arrival(arrival)
    store.record_arrival(arrival)  # the connection is usable again once the lock is gone


def test_only_the_callers_engine_limits_each_wait(db_engine: Engine, caller_engine: Engine) -> None:
    service = create_db_engine(db_engine.url.render_as_string(hide_password=False))
    try:
        if db_engine.dialect.name == "sqlite":
            assert (_wait_setting(caller_engine), _wait_setting(service)) == ("1000", "15000")
        else:  # a long export must never meet the caller's statement timeout
            assert (_wait_setting(caller_engine), _wait_setting(service)) == ("1s", "0")
    finally:
        service.dispose()
