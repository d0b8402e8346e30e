"""calls.callback_task_id: the callback task a missed call is attached to (C13)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 14:00:00.000000

No batch mode here, on purpose. On SQLite a batch operation rebuilds ``calls`` (copy, DROP
TABLE, rename). With ``PRAGMA foreign_keys=ON`` (models/db.py) that DROP TABLE deletes the
rows first: ``call_transfers`` and ``survey_responses`` would lose theirs through ON DELETE
CASCADE, and a ``callback_tasks.origin_call_id`` makes it fail; the rename also trips over
the G3 history view. SQLite (3.26 and newer) adds a nullable column with an inline REFERENCES
in place, and drops it in place (3.35 and newer), so existing rows are never touched.
PostgreSQL gets the same column with a named constraint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAME = 'fk_calls_callback_task_id'


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    op.add_column(
        'calls',
        sa.Column('callback_task_id', sa.Integer(), sa.ForeignKey('callback_tasks.id', name=FK_NAME), nullable=True),
        inline_references=_sqlite(),
    )
    op.create_index(op.f('ix_calls_callback_task_id'), 'calls', ['callback_task_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_calls_callback_task_id'), table_name='calls')
    if not _sqlite():
        op.drop_constraint(FK_NAME, 'calls', type_='foreignkey')
    op.drop_column('calls', 'callback_task_id')
