"""written messages: the console form's one-time key

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-18 10:00:00.000000

The console's registration form carries a one-time key; the same form sent twice (a double
click, a reload) finds the message it registered instead of registering a second one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('written_messages') as batch:
        batch.add_column(sa.Column('form_key', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_written_messages_form_key', ['form_key'])


def downgrade() -> None:
    with op.batch_alter_table('written_messages') as batch:
        batch.drop_constraint('uq_written_messages_form_key', type_='unique')
        batch.drop_column('form_key')
