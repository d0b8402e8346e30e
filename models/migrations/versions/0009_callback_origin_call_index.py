"""index on callback_tasks.origin_call_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00.000000

The purge of history past its term (G3) deletes calls by the thousand; for every one of them
the database looks for callback tasks that the call opened. Without this index PostgreSQL
reads the whole callback_tasks table for each deleted call. An index only: no table is
rebuilt and no row is touched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_callback_tasks_origin_call_id'), 'callback_tasks', ['origin_call_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_callback_tasks_origin_call_id'), table_name='callback_tasks')
