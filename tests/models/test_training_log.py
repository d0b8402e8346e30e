"""A completed training recorded from the console (C4): the same training sent twice at the same
moment (two requests of a double click) is written once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.rules.training import TrainingKind
from models.tables import AuditEntry, TrainingEntry
from models.training_log import TrainingInput, record_training
from tests.reports.operator_samples import add_operators

AT = datetime(2026, 10, 14, 7, 0, tzinfo=UTC)


def test_a_training_sent_twice_at_once_is_recorded_once(db_engine: Engine) -> None:  # C4
    davudov = add_operators(db_engine)["204"]
    item = TrainingInput(
        davudov, "204", "Давудов Арсен", TrainingKind.INITIAL, "", date(2026, 10, 13), ""
    )
    second: list[bool] = []

    def again() -> None:
        with session_scope(db_engine) as session:
            second.append(record_training(session, item, at=AT, actor="web:admin"))

    with session_scope(db_engine) as session:
        assert record_training(session, item, at=AT, actor="web:supervisor")
        racer = threading.Thread(target=again)
        racer.start()
        time.sleep(0.3)  # the second request now waits for the first one's lock
        assert second == []
    racer.join(timeout=30)
    assert second == [False]
    with Session(db_engine) as session:
        rows = session.exec(select(TrainingEntry).where(col(TrainingEntry.employee_id) == davudov))
        assert [(row.kind, row.completed_on) for row in rows] == [
            (TrainingKind.INITIAL, date(2026, 10, 13))
        ]
        actors = session.exec(
            select(AuditEntry.actor).where(col(AuditEntry.action) == "training_recorded")
        ).all()
        assert actors == ["web:supervisor"]
