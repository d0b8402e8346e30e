"""kb_sections and kb_entries: the knowledge base (K1–K7)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:00:00.000000

Two new tables only; no existing table is altered, so nothing is rebuilt on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kb_sections',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('last_reviewed', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('kb_entries',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('section_id', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('last_reviewed', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Enum('file', 'edit', name='kbsource', native_enum=False, length=24), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['section_id'], ['kb_sections.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_kb_entries_section_id'), 'kb_entries', ['section_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_kb_entries_section_id'), table_name='kb_entries')
    op.drop_table('kb_entries')
    op.drop_table('kb_sections')
