"""Revision 0006 adds the call card's three tables and nothing else; it downgrades cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from models.migrate import alembic_config, schema_drift, upgrade

CARD_TABLES = {"call_referrals", "wrapup_dismissals", "callback_task_changes"}
# Undone too by a downgrade to 0005: 0007 (accounts), 0014 (the reports' counts), 0016 (messages),
# 0018 (their surveys), 0019 (the reminders of their deadlines), 0021 (information mailings),
# 0022 (personal visits), 0023 (their letters and calls), 0024 (their ratings).
LATER_TABLES = {
    "user_accounts",
    "user_sessions",
    "missed_counts",
    "survey_counts",
    "written_messages",
    "message_attachments",
    "message_notices",
    "message_surveys",
    "message_reminders",
    "mailing_subscribers",
    "mailings",
    "mailing_deliveries",
    "reception_points",
    "reception_hours",
    "visit_bookings",
    "visit_cancel_links",
    "visit_reminders",
    "visit_surveys",
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_call_card_tables_come_and_go_with_their_revision(db_engine: Engine) -> None:
    before = _tables(db_engine)
    assert before >= CARD_TABLES
    _downgrade(db_engine, "0005")
    assert _tables(db_engine) == before - CARD_TABLES - LATER_TABLES
    upgrade(db_engine)
    assert _tables(db_engine) == before
    assert schema_drift(db_engine) == []
