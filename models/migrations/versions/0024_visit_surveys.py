"""personal visits: the rating after the visit; visits in the history view

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-23 10:00:00.000000

``visit_surveys`` keeps the rating of a visit (V13): the link sent to the visitor after the visit,
or the answers an employee recorded at the reception, one row per visit. The view
``client_interaction_history`` (G3: one history across channels) gains the visit bookings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VIEW_UNTIL_0019 = """
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
UNION ALL
SELECT client_id, 'message', id, received_at, intake, status, number
  FROM written_messages WHERE client_id IS NOT NULL
"""
_VIEW_VISITS = """
UNION ALL
SELECT client_id, 'visit', id, starts_at, channel, status, interpreter
  FROM visit_bookings WHERE client_id IS NOT NULL
"""
_DROP_VIEW = 'DROP VIEW IF EXISTS client_interaction_history'


def _create_view(sql: str) -> None:
    op.execute('CREATE VIEW client_interaction_history AS' + sql)


def upgrade() -> None:
    op.create_table('visit_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_received', sa.Enum('yes', 'no', name='answerreceived', native_enum=False, length=24), nullable=True),
    sa.Column('quality', sa.Enum('satisfied', 'partly_satisfied', 'not_satisfied', name='qualityrating', native_enum=False, length=24), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['visit_bookings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_visit_surveys_answered_at'), 'visit_surveys', ['answered_at'], unique=False)
    op.execute(_DROP_VIEW)
    _create_view(_VIEW_UNTIL_0019 + _VIEW_VISITS)


def downgrade() -> None:
    op.execute(_DROP_VIEW)
    _create_view(_VIEW_UNTIL_0019)
    op.drop_index(op.f('ix_visit_surveys_answered_at'), table_name='visit_surveys')
    op.drop_table('visit_surveys')
