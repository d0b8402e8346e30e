"""calls.training, callback_tasks.training: what the training line made

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 10:00:00.000000

The training line (a simulated Asterisk inside ``serve``) keeps its own database by default;
when it is pointed at the real line's, its calls and the callback tasks they open are marked,
and each line's console sees only its own (``models.line_scope``). Two columns with a default:
every existing row is the real line's; nothing is rebuilt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('calls', sa.Column('training', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('callback_tasks', sa.Column('training', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('callback_tasks', 'training')
    op.drop_column('calls', 'training')
