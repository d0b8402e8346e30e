"""index on callback_tasks.requested_at

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00.000000

The supervisors' callback report (C11) selects tasks by the day they were created; on five
years of history it must not read the whole table for one month. An index only: no table is
rebuilt and no row is touched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_callback_tasks_requested_at', 'callback_tasks', ['requested_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_callback_tasks_requested_at', table_name='callback_tasks')
