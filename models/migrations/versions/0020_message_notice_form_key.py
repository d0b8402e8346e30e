"""written messages: the notice form's one-time key

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-21 10:00:00.000000

A notice is composed in the console and sent by every channel of the client at once; each
channel's row keeps the form's one-time key, so that the same form sent twice (a double click,
a reload) sends once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('message_notices') as batch:
        batch.add_column(sa.Column('form_key', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('message_notices') as batch:
        batch.drop_column('form_key')
