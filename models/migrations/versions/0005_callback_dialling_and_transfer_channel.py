"""callback_tasks.dialling_*: a click-to-call holds its task (C11); call_transfers.channel_id:
the channel the transfer guard ran on, so AMI settles the attempt (C10)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000

Nullable columns only, added in place (as in 0002: no batch mode, so SQLite never rebuilds a
table and no row is touched; the foreign key is an inline REFERENCES on SQLite and a named
constraint on PostgreSQL). Existing tasks hold no reservation; existing transfer rows have
no channel and are never settled again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAME = 'fk_callback_tasks_dialling_employee_id'


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    op.add_column('callback_tasks', sa.Column('dialling_channel_id', sa.String(length=64), nullable=True))
    op.add_column('callback_tasks', sa.Column('dialling_since', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'callback_tasks',
        sa.Column('dialling_employee_id', sa.Integer(), sa.ForeignKey('employees.id', name=FK_NAME), nullable=True),
        inline_references=_sqlite(),
    )
    op.add_column('call_transfers', sa.Column('channel_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('call_transfers', 'channel_id')
    if not _sqlite():
        op.drop_constraint(FK_NAME, 'callback_tasks', type_='foreignkey')
    op.drop_column('callback_tasks', 'dialling_employee_id')
    op.drop_column('callback_tasks', 'dialling_since')
    op.drop_column('callback_tasks', 'dialling_channel_id')
