"""Fresh migrated databases for the benches: a SQLite file, or a schema of a PostgreSQL server.

``fresh_database(None, path)`` is a new SQLite file at ``path``; ``fresh_database(url, path)``
a new schema on the PostgreSQL server at ``url`` (``postgresql+psycopg://...``), the engine's
connections set to it and the schema dropped afterwards. Either is migrated as ``consult-line
migrate`` does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from models.db import create_db_engine
from models.migrate import upgrade


@contextmanager
def fresh_database(base: str | None, path: Path) -> Iterator[Engine]:
    """A migrated empty database: the SQLite file ``path``, or a new schema under ``base``."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    if base is None:
        url = f"sqlite:///{path}"
    else:
        with _admin(base) as admin, admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        options = {"options": f"-csearch_path={schema}"}
        url = make_url(base).update_query_dict(options).render_as_string(False)
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if base is not None:
            with _admin(base) as admin, admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def database_name(base: str | None) -> str:
    return "SQLite" if base is None else "PostgreSQL"


@contextmanager
def _admin(base: str) -> Iterator[Engine]:
    engine = create_engine(make_url(base))
    try:
        yield engine
    finally:
        engine.dispose()
