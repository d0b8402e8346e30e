"""Shared fixtures: freshly migrated databases, SQLite or PostgreSQL.

With ``TEST_DATABASE_URL`` set (``.ci/run`` sets it), every database is its own PostgreSQL
schema, dropped afterwards; otherwise a SQLite file in the test's temporary directory.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from models.db import create_db_engine
from models.migrate import upgrade
from tests.smtp_outbox import Outbox, ThreadedSmtp

EngineFactory = Callable[[], Engine]


class _Databases:
    """Creates empty databases for one test and removes them when it ends."""

    def __init__(self, tmp_path: Path) -> None:
        self._tmp_path = tmp_path
        self._base = os.environ.get("TEST_DATABASE_URL")
        self._schemas: list[str] = []
        self._engines: list[Engine] = []

    def new_url(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        if not self._base:
            return f"sqlite:///{self._tmp_path / f'{name}.db'}"
        with self._admin() as admin, admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        self._schemas.append(name)
        url = make_url(self._base).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def new_engine(self) -> Engine:
        engine = create_db_engine(self.new_url())
        self._engines.append(engine)
        return engine

    def close(self) -> None:
        for engine in self._engines:
            engine.dispose()
        if self._schemas:
            with self._admin() as admin, admin.begin() as connection:
                for name in self._schemas:
                    connection.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")

    def _admin(self) -> _DisposingEngine:
        assert self._base is not None
        return _DisposingEngine(create_engine(make_url(self._base)))


class _DisposingEngine:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Engine:
        return self.engine

    def __exit__(self, *_exc: object) -> None:
        self.engine.dispose()


@pytest.fixture(autouse=True)
def real_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite works with the real line (an Asterisk with its AMI secret) unless a test
    chooses the training line: ``CONSULT_LINE_PBX=auto`` would choose it on any machine
    without a secret, and the tests must not depend on the machine."""
    monkeypatch.setenv("CONSULT_LINE_PBX", "asterisk")


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[_Databases]:
    created = _Databases(tmp_path)
    yield created
    created.close()


@pytest.fixture
def database_url(databases: _Databases) -> str:
    """The URL of an empty database (no schema yet), e.g. for CLI tests that run migrate."""
    return databases.new_url()


@pytest.fixture
def empty_engine(databases: _Databases) -> Engine:
    return databases.new_engine()


@pytest.fixture
def engine_factory(databases: _Databases) -> EngineFactory:
    """Makes further fresh, migrated databases within one test (e.g. determinism checks)."""

    def make() -> Engine:
        engine = databases.new_engine()
        upgrade(engine)
        return engine

    return make


@pytest.fixture
def db_engine(engine_factory: EngineFactory) -> Engine:
    """A database migrated to the newest revision, exactly as ``consult-line migrate`` does."""
    return engine_factory()


@pytest.fixture
def outbox() -> Outbox:
    """What the test SMTP server (``smtp``) received."""
    return Outbox()


@pytest.fixture
def smtp(outbox: Outbox) -> Iterator[ThreadedSmtp]:
    """A real SMTP server on loopback, in a thread of its own, keeping mail in ``outbox``."""
    with ThreadedSmtp(outbox) as server:
        yield server
