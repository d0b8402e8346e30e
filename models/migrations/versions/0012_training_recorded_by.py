"""training_records.recorded_by: who recorded a training in the console

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-10 10:00:00.000000

A training recorded in the console (C4) carries the supervisor who recorded it; the staff
file's import then leaves it alone instead of removing what the file does not list. Rows
recorded in the console before this column are found by their audit entries
(``training_recorded``: the employee, kind, day, service or note) and marked with the actor of
the entry; every other row is the file's.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('training_records') as batch:
        batch.add_column(
            sa.Column('recorded_by', sa.String(length=255), nullable=True)
        )
    bind = op.get_bind()
    entries = bind.execute(
        sa.text(
            "SELECT actor, subject, detail FROM audit_log"
            " WHERE action = 'training_recorded' ORDER BY id"
        )
    ).all()
    for actor, subject, detail in entries:
        found = _recorded(subject, detail)
        if found is None:
            continue
        number, kind, completed_on, training_subject = found
        bind.execute(
            sa.text(
                "UPDATE training_records SET recorded_by = :actor"
                " WHERE recorded_by IS NULL AND kind = :kind AND completed_on = :completed_on"
                " AND subject = :subject AND employee_id IN"
                " (SELECT id FROM employees WHERE internal_number = :number)"
            ),
            {
                "actor": actor,
                "kind": kind,
                "completed_on": completed_on,
                "subject": training_subject,
                "number": number,
            },
        )


def _recorded(subject: str, detail: str) -> tuple[str, str, date, str] | None:
    """(internal number, kind, day, training subject) of a ``training_recorded`` entry, whose
    detail is ``kind=K completed_on=YYYY-MM-DD[ service=CODE][ note=TEXT]``."""
    if not subject.startswith('employee:'):
        return None
    head, _, note = detail.partition(' note=')
    fields = dict(part.split('=', 1) for part in head.split() if '=' in part)
    try:
        kind, completed_on = fields['kind'], date.fromisoformat(fields['completed_on'])
    except (KeyError, ValueError):
        return None
    training_subject = fields.get('service', '') if kind == 'new_service' else note
    return subject.removeprefix('employee:'), kind, completed_on, training_subject


def downgrade() -> None:
    with op.batch_alter_table('training_records') as batch:
        batch.drop_column('recorded_by')
