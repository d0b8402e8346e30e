"""user_accounts (sign-in of employees: login, argon2 hash, lockout) and user_sessions
(server-side sessions, only the token's hash stored)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00.000000

Two new tables only; no existing table is altered, so nothing is rebuilt on SQLite. Accounts
are created afterwards with `consult-line user add` (or `seed-demo` for the demo staff).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('user_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id'),
    sa.UniqueConstraint('login')
    )
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['user_accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_user_sessions_account_id'), 'user_sessions', ['account_id'], unique=False)
    op.create_index(op.f('ix_user_sessions_last_seen_at'), 'user_sessions', ['last_seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_user_sessions_last_seen_at'), table_name='user_sessions')
    op.drop_index(op.f('ix_user_sessions_account_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
    op.drop_table('user_accounts')
