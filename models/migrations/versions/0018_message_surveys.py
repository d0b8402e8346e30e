"""written messages: the client's survey (W12)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-19 10:00:00.000000

One row per survey link sent with a notice, holding the SHA-256 of the link's token and,
once the client has answered, the answers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('message_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_received', sa.Enum('yes', 'no', name='answerreceived', native_enum=False, length=24), nullable=True),
    sa.Column('quality', sa.Enum('satisfied', 'partly_satisfied', 'not_satisfied', name='qualityrating', native_enum=False, length=24), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['written_messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_message_surveys_message_id'), 'message_surveys', ['message_id'], unique=False)
    op.create_index(op.f('ix_message_surveys_answered_at'), 'message_surveys', ['answered_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_message_surveys_answered_at'), table_name='message_surveys')
    op.drop_index(op.f('ix_message_surveys_message_id'), table_name='message_surveys')
    op.drop_table('message_surveys')
