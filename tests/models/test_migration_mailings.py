"""Revision 0021 adds the three tables of information mailings (M1–M4) and nothing else; it
downgrades cleanly and comes back without drift."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from models.migrate import schema_drift, upgrade
from tests.models.test_migration_call_card import _downgrade, _tables

MAILING_TABLES = {"mailing_subscribers", "mailings", "mailing_deliveries"}


def test_mailing_tables_come_and_go_with_their_revision(db_engine: Engine) -> None:  # M1–M4
    head = _tables(db_engine)
    _downgrade(db_engine, "0021")  # the later revisions' tables go first
    before = _tables(db_engine)
    assert before >= MAILING_TABLES
    _downgrade(db_engine, "0020")
    assert _tables(db_engine) == before - MAILING_TABLES
    upgrade(db_engine)
    assert _tables(db_engine) == head
    assert schema_drift(db_engine) == []
