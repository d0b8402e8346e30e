"""kb_entry_versions (K1–K6 upkeep) and call_wrapups (K7)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00.000000

Two new tables only; no existing table is altered, so nothing is rebuilt on SQLite. Entries
loaded before this revision get their current text as version 1, so every entry has a history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kb_entry_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('changed_by', sa.String(length=128), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Enum('file', 'edit', name='kbsource', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['kb_entries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id', 'version')
    )
    op.create_index(op.f('ix_kb_entry_versions_entry_id'), 'kb_entry_versions', ['entry_id'], unique=False)
    op.execute(
        "INSERT INTO kb_entry_versions"
        " (entry_id, version, kind, title, body, tags, topics, changed_by, changed_at, source)"
        " SELECT id, 1, kind, title, body, tags, topics, 'kb load', updated_at, source"
        " FROM kb_entries"
    )
    op.create_table('call_wrapups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('kb_answer_found', sa.Boolean(), nullable=False),
    sa.Column('kb_entry_id', sa.String(length=64), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('topic', sa.Enum('state_services', 'support_measures', 'messages', 'control_supervision', 'hours_and_visits', 'general', name='topic', native_enum=False, length=24), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kb_entry_id'], ['kb_entries.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id')
    )
    op.create_index(op.f('ix_call_wrapups_created_at'), 'call_wrapups', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_call_wrapups_created_at'), table_name='call_wrapups')
    op.drop_table('call_wrapups')
    op.drop_index(op.f('ix_kb_entry_versions_entry_id'), table_name='kb_entry_versions')
    op.drop_table('kb_entry_versions')
