"""index on calls (caller_e164, arrived_at)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00.000000

A client's history (G4) is found by the client's record and by the number: most callers have
no client record, so their calls are looked up by the caller's E.164 number, newest first. On
five years of calls that must not read the whole table. An index only: no table is rebuilt and
no row is touched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_calls_caller_arrived', 'calls', ['caller_e164', 'arrived_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_calls_caller_arrived', table_name='calls')
