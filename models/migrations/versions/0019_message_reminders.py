"""written messages: deadline reminders to staff, employees' e-mail, messages in the history view

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-21 10:00:00.000000

Employees get an e-mail address (where the reminders of written messages' deadlines go), and
``message_reminders`` remembers the one letter a person gets a day. The view
``client_interaction_history`` (G3: one history across channels) gains the written messages.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VIEW_CALLS_TASKS_SURVEYS = """
SELECT client_id, 'call' AS kind, id AS ref_id, arrived_at AS occurred_at,
       'phone' AS channel, COALESCE(outcome, 'in_progress') AS status,
       COALESCE(topic, '') AS summary
  FROM calls WHERE client_id IS NOT NULL
UNION ALL
SELECT client_id, 'callback', id, requested_at, 'phone', status, question
  FROM callback_tasks WHERE client_id IS NOT NULL
UNION ALL
SELECT c.client_id, 'survey', s.id, s.created_at, s.channel,
       CASE WHEN s.answer_received IS NOT NULL AND s.quality IS NOT NULL
            THEN 'completed' ELSE 'partial' END,
       COALESCE(s.answer_received, '') || '/' || COALESCE(s.quality, '')
  FROM survey_responses s JOIN calls c ON c.id = s.call_id
 WHERE c.client_id IS NOT NULL
"""
_VIEW_MESSAGES = """
UNION ALL
SELECT client_id, 'message', id, received_at, intake, status, number
  FROM written_messages WHERE client_id IS NOT NULL
"""
_DROP_VIEW = 'DROP VIEW IF EXISTS client_interaction_history'


def _create_view(sql: str) -> None:
    op.execute('CREATE VIEW client_interaction_history AS' + sql)


def upgrade() -> None:
    with op.batch_alter_table('employees') as batch:
        batch.add_column(sa.Column('email', sa.String(length=255), nullable=True))
    op.create_table('message_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('numbers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'employee_id', name='uq_message_reminders_day')
    )
    op.create_index(op.f('ix_message_reminders_employee_id'), 'message_reminders', ['employee_id'], unique=False)
    op.execute(_DROP_VIEW)
    _create_view(_VIEW_CALLS_TASKS_SURVEYS + _VIEW_MESSAGES)


def downgrade() -> None:
    op.execute(_DROP_VIEW)
    _create_view(_VIEW_CALLS_TASKS_SURVEYS)
    op.drop_index(op.f('ix_message_reminders_employee_id'), table_name='message_reminders')
    op.drop_table('message_reminders')
    # Not in batch mode: SQLite would copy ``employees`` and drop the original, which the
    # rows of other tables refer to. SQLite 3.35+ drops a plain column in place.
    op.drop_column('employees', 'email')
