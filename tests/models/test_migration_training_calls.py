"""Revision 0013 adds ``training`` to calls and callback tasks: the rows already there are the
real line's; it downgrades cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from models.migrate import alembic_config, schema_drift, upgrade
from tests.models.test_migration_call_card import _downgrade


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def _before_0013(engine: Engine) -> str:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    revision = ScriptDirectory.from_config(config).get_revision("0013")
    assert revision is not None
    assert isinstance(revision.down_revision, str)
    return revision.down_revision


def test_existing_rows_are_the_real_lines(db_engine: Engine) -> None:
    _downgrade(db_engine, _before_0013(db_engine))
    assert "training" not in _columns(db_engine, "calls")
    assert "training" not in _columns(db_engine, "callback_tasks")
    with db_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO calls (linkedid, caller_number, caller_name, did, arrived_at, "
                "in_working_hours, ivr_path, transfer_count, short_call) "
                "VALUES ('1795867058.0', '', '', '', :at, true, '', 0, false)"
            ),
            {"at": datetime(2026, 11, 28, 12, tzinfo=UTC)},
        )
    upgrade(db_engine)
    with db_engine.connect() as connection:
        marked = connection.execute(text("SELECT training FROM calls")).scalar_one()
    assert not marked
    assert schema_drift(db_engine) == []
