"""Revision 0012 marks the trainings recorded in the console before it by their audit
entries (C4), so that the next staff import keeps them; the file's rows stay the file's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from models.migrate import alembic_config, schema_drift, upgrade

REVISION = "0012"


def _downgrade_before(engine: Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    previous = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(previous, str)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, previous)


def test_console_trainings_are_found_by_their_audit_entries(db_engine: Engine) -> None:  # C4
    _downgrade_before(db_engine)
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with db_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO departments (id, code, name) VALUES (1, 'consult', 'Линия')")
        )
        for employee_id, number in ((1, "201"), (2, "202")):
            connection.execute(
                text(
                    "INSERT INTO employees"
                    " (id, internal_number, full_name, device, department_id, active, updated_at)"
                    " VALUES (:id, :number, 'Оператор', :device, 1, :active, :at)"
                ),
                {
                    "id": employee_id,
                    "number": number,
                    "device": f"PJSIP/{number}",
                    "active": True,
                    "at": at,
                },
            )
        trainings = (
            (1, 1, "initial", date(2025, 9, 1), "Вводное обучение"),  # the file's
            (2, 1, "periodic", date(2026, 11, 2), "после отпуска"),  # the console's, a note
            (3, 1, "new_service", date(2026, 11, 3), "alco-license-epgu"),  # the console's
            (4, 2, "periodic", date(2026, 11, 2), "после отпуска"),  # 202: the file's
        )
        for row_id, employee_id, kind, day, subject in trainings:
            connection.execute(
                text(
                    "INSERT INTO training_records (id, employee_id, kind, completed_on, subject)"
                    " VALUES (:id, :employee, :kind, :day, :subject)"
                ),
                {
                    "id": row_id,
                    "employee": employee_id,
                    "kind": kind,
                    "day": day,
                    "subject": subject,
                },
            )
        entries = (
            (
                "web:supervisor",
                "employee:201",
                "kind=periodic completed_on=2026-11-02 note=после отпуска",
            ),
            (
                "web:admin",
                "employee:201",
                "kind=new_service completed_on=2026-11-03 service=alco-license-epgu",
            ),
            ("web:admin", "employee:201", "kind=initial completed_on=bad"),  # unreadable: skipped
        )
        for actor, subject, detail in entries:
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, subject, detail)"
                    " VALUES (:at, :actor, 'training_recorded', :subject, :detail)"
                ),
                {"at": at, "actor": actor, "subject": subject, "detail": detail},
            )

    upgrade(db_engine)

    with db_engine.connect() as connection:
        marked = connection.execute(
            text("SELECT id, recorded_by FROM training_records ORDER BY id")
        ).all()
    assert [tuple(row) for row in marked] == [
        (1, None),
        (2, "web:supervisor"),
        (3, "web:admin"),
        (4, None),
    ]
    assert schema_drift(db_engine) == []
