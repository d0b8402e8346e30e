"""written messages: registration, deadlines, notices and answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-16 10:00:00.000000

Written messages (W2–W12) come in by paper, phone, the public web form and e-mail; each is
registered with a number, its client and its deadlines (primary answer W6, substantive answer
W3–W4, abuse notice W5), and every notice or answer sent for it is kept, one row per channel
(G1–G2). New tables only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('written_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('intake', sa.Enum('paper', 'phone', 'web', 'email', name='messageintake', native_enum=False, length=24), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('sender_name', sa.String(length=255), nullable=False),
    sa.Column('sender_email', sa.String(length=255), nullable=False),
    sa.Column('sender_phone', sa.String(length=64), nullable=False),
    sa.Column('sender_address', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('email_message_id', sa.String(length=255), nullable=True),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('topic', sa.Enum('state_services', 'support_measures', 'messages', 'control_supervision', 'hours_and_visits', 'general', name='topic', native_enum=False, length=24), nullable=True),
    sa.Column('need', sa.String(length=255), nullable=False),
    sa.Column('classified_by_id', sa.Integer(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('urgency_note', sa.Text(), nullable=False),
    sa.Column('primary_due', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('abuse', sa.Enum('clean', 'suspected', 'confirmed', 'dismissed', name='abusecheck', native_enum=False, length=24), nullable=False),
    sa.Column('abuse_words', sa.String(length=255), nullable=False),
    sa.Column('abuse_notice_due', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('registered', 'acknowledged', 'redirected', 'answered', 'refused', 'abusive', name='messagestatus', native_enum=False, length=24), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('registered_by', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['classified_by_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['employees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email_message_id'),
    sa.UniqueConstraint('number')
    )
    op.create_index(op.f('ix_written_messages_client_id'), 'written_messages', ['client_id'], unique=False)
    op.create_index(op.f('ix_written_messages_owner_id'), 'written_messages', ['owner_id'], unique=False)
    op.create_index('ix_written_messages_received_at', 'written_messages', ['received_at'], unique=False)
    op.create_index('ix_written_messages_status_answer_due', 'written_messages', ['status', 'answer_due'], unique=False)
    op.create_table('message_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['written_messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_message_attachments_message_id'), 'message_attachments', ['message_id'], unique=False)
    op.create_table('message_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('primary', 'abuse', 'redirect', 'refusal', 'answer', name='noticekind', native_enum=False, length=24), nullable=False),
    sa.Column('channel', sa.Enum('phone', 'email', 'sms', 'post', 'portal', name='channel', native_enum=False, length=24), nullable=False),
    sa.Column('to_address', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('sent', 'failed', 'to_print', name='noticestate', native_enum=False, length=24), nullable=False),
    sa.Column('error', sa.String(length=255), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['written_messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_message_notices_message_id'), 'message_notices', ['message_id'], unique=False)


def downgrade() -> None:

    op.drop_index(op.f('ix_message_notices_message_id'), table_name='message_notices')
    op.drop_table('message_notices')
    op.drop_index(op.f('ix_message_attachments_message_id'), table_name='message_attachments')
    op.drop_table('message_attachments')
    op.drop_index('ix_written_messages_status_answer_due', table_name='written_messages')
    op.drop_index('ix_written_messages_received_at', table_name='written_messages')
    op.drop_index(op.f('ix_written_messages_owner_id'), table_name='written_messages')
    op.drop_index(op.f('ix_written_messages_client_id'), table_name='written_messages')
    op.drop_table('written_messages')
