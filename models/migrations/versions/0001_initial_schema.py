"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 12:22:47.737829
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# G3: the client's interaction history; queried through models.history.history_view.
CREATE_VIEW_SQL = """
CREATE VIEW client_interaction_history AS
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
DROP_VIEW_SQL = 'DROP VIEW IF EXISTS client_interaction_history'


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('calendar_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.Time(), nullable=True),
    sa.Column('closes_at', sa.Time(), nullable=True),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    op.create_table('calendar_year_confirmations',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_e164', sa.String(length=20), nullable=True),
    sa.Column('full_name', sa.String(length=255), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('language', sa.Enum('ru', 'en', name='language', native_enum=False, length=24), nullable=False),
    sa.Column('preferred_channel', sa.Enum('phone', 'email', 'sms', 'post', 'portal', name='channel', native_enum=False, length=24), nullable=False),
    sa.Column('extra_channel', sa.Enum('phone', 'email', 'sms', 'post', 'portal', name='channel', native_enum=False, length=24), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('phone_e164')
    )
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('service_introductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('introduced_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_client_id'), ['client_id'], unique=False)

    op.create_table('employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('internal_number', sa.String(length=8), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('internal_number')
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_department_id'), ['department_id'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('linkedid', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('caller_number', sa.String(length=64), nullable=False),
    sa.Column('caller_e164', sa.String(length=20), nullable=True),
    sa.Column('caller_name', sa.String(length=255), nullable=False),
    sa.Column('did', sa.String(length=32), nullable=False),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('in_working_hours', sa.Boolean(), nullable=False),
    sa.Column('language', sa.Enum('ru', 'en', name='language', native_enum=False, length=24), nullable=True),
    sa.Column('ivr_path', sa.String(length=255), nullable=False),
    sa.Column('topic', sa.Enum('state_services', 'support_measures', 'messages', 'control_supervision', 'hours_and_visits', 'general', name='topic', native_enum=False, length=24), nullable=True),
    sa.Column('queue_joined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queue_wait_s', sa.Float(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('transfer_count', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('talk_s', sa.Float(), nullable=True),
    sa.Column('outcome', sa.Enum('answered', 'missed', 'after_hours', name='calloutcome', native_enum=False, length=24), nullable=True),
    sa.Column('missed_reason', sa.Enum('abandoned_in_ivr', 'abandoned_in_queue', 'queue_timeout', 'no_operators', 'left_queue_by_key', 'unknown', name='missedreason', native_enum=False, length=24), nullable=True),
    sa.Column('short_call', sa.Boolean(), nullable=False),
    sa.Column('hangup_side', sa.Enum('caller', 'operator', 'system', name='hangupside', native_enum=False, length=24), nullable=True),
    sa.Column('hangup_cause', sa.Integer(), nullable=True),
    sa.Column('hangup_cause_text', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('linkedid')
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_arrived_outcome', ['arrived_at', 'outcome'], unique=False)
        batch_op.create_index('ix_calls_client_arrived', ['client_id', 'arrived_at'], unique=False)
        batch_op.create_index('ix_calls_operator_arrived', ['operator_id', 'arrived_at'], unique=False)

    op.create_table('employee_competences',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('state_services', 'support_measures', 'messages', 'control_supervision', 'hours_and_visits', 'general', name='topic', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('employee_id', 'topic')
    )
    with op.batch_alter_table('employee_competences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_competences_topic'), ['topic'], unique=False)

    op.create_table('employee_roles',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('operator', 'expert', 'supervisor', 'kb_editor', 'admin', name='role', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('employee_id', 'role')
    )
    op.create_table('training_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('initial', 'new_service', 'periodic', name='trainingkind', native_enum=False, length=24), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_records_employee_id'), ['employee_id'], unique=False)

    op.create_table('call_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('blind', 'attended', name='transferkind', native_enum=False, length=24), nullable=False),
    sa.Column('outcome', sa.Enum('completed', 'refused', 'failed', name='transferoutcome', native_enum=False, length=24), nullable=False),
    sa.Column('from_employee_id', sa.Integer(), nullable=True),
    sa.Column('to_employee_id', sa.Integer(), nullable=True),
    sa.Column('to_extension', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_employee_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['to_employee_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id', 'seq')
    )
    with op.batch_alter_table('call_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_transfers_call_id'), ['call_id'], unique=False)

    op.create_table('callback_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('phone_e164', sa.String(length=20), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('topic', sa.Enum('state_services', 'support_measures', 'messages', 'control_supervision', 'hours_and_visits', 'general', name='topic', native_enum=False, length=24), nullable=True),
    sa.Column('source', sa.Enum('operator', 'after_hours', 'missed_call', 'transfer_cap', name='callbacksource', native_enum=False, length=24), nullable=False),
    sa.Column('origin_call_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('promised_on', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'failed', 'cancelled', name='callbackstatus', native_enum=False, length=24), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['origin_call_id'], ['calls.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callback_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_tasks_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_tasks_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_callback_tasks_phone_status', ['phone_e164', 'status'], unique=False)
        batch_op.create_index('ix_callback_tasks_status_promised', ['status', 'promised_on'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('answer_received', sa.Enum('yes', 'no', name='answerreceived', native_enum=False, length=24), nullable=True),
    sa.Column('quality', sa.Enum('satisfied', 'partly_satisfied', 'not_satisfied', name='qualityrating', native_enum=False, length=24), nullable=True),
    sa.Column('channel', sa.Enum('keypad', 'speech', name='surveychannel', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['operator_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id')
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_responses_operator_id'), ['operator_id'], unique=False)

    op.create_table('callback_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=64), nullable=True),
    sa.Column('result', sa.Enum('answered', 'no_answer', 'busy', 'failed', name='attemptresult', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['callback_tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callback_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_attempts_task_id'), ['task_id'], unique=False)

    op.create_table('callback_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['callback_tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callback_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_windows_task_id'), ['task_id'], unique=False)
    op.execute(CREATE_VIEW_SQL)


def downgrade() -> None:
    op.execute(DROP_VIEW_SQL)

    with op.batch_alter_table('callback_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_windows_task_id'))

    op.drop_table('callback_windows')
    with op.batch_alter_table('callback_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_attempts_task_id'))

    op.drop_table('callback_attempts')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_operator_id'))
        batch_op.drop_index(batch_op.f('ix_survey_responses_created_at'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('callback_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_tasks_status_promised')
        batch_op.drop_index('ix_callback_tasks_phone_status')
        batch_op.drop_index(batch_op.f('ix_callback_tasks_owner_id'))
        batch_op.drop_index(batch_op.f('ix_callback_tasks_client_id'))

    op.drop_table('callback_tasks')
    with op.batch_alter_table('call_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_transfers_call_id'))

    op.drop_table('call_transfers')
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_records_employee_id'))

    op.drop_table('training_records')
    op.drop_table('employee_roles')
    with op.batch_alter_table('employee_competences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_competences_topic'))

    op.drop_table('employee_competences')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_operator_arrived')
        batch_op.drop_index('ix_calls_client_arrived')
        batch_op.drop_index('ix_calls_arrived_outcome')

    op.drop_table('calls')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_department_id'))

    op.drop_table('employees')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_client_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    op.drop_table('service_introductions')
    op.drop_table('departments')
    op.drop_table('clients')
    op.drop_table('calendar_year_confirmations')
    op.drop_table('calendar_overrides')

