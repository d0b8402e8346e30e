"""call_referrals (C14), wrapup_dismissals (K7), callback_task_changes (C11): what the
operator's call card records

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00.000000

Three new tables only; no existing table is altered, so nothing is rebuilt on SQLite and no
row is touched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('call_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('agency_entry_id', sa.String(length=64), nullable=True),
    sa.Column('agency_title', sa.String(length=255), nullable=False),
    sa.Column('contacts', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_entry_id'], ['kb_entries.id'], ),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id', 'agency_entry_id')
    )
    op.create_index(op.f('ix_call_referrals_call_id'), 'call_referrals', ['call_id'], unique=False)
    op.create_table('wrapup_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id')
    )
    op.create_table('callback_task_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('rescheduled', 'closed', name='callbackchangekind', native_enum=False, length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('promised_before', sa.Date(), nullable=True),
    sa.Column('promised_after', sa.Date(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['callback_tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_callback_task_changes_task_id'), 'callback_task_changes', ['task_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_callback_task_changes_task_id'), table_name='callback_task_changes')
    op.drop_table('callback_task_changes')
    op.drop_table('wrapup_dismissals')
    op.drop_index(op.f('ix_call_referrals_call_id'), table_name='call_referrals')
    op.drop_table('call_referrals')
