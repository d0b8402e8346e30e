"""survey answers' channel and confidence, the caller's spoken question

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-15 10:00:00.000000

Callers may answer the voice menu by voice. The survey keeps how each of its two answers came
(keypad or speech) and, for a spoken one, the recognizer's confidence (C15); the call keeps
what the caller said their question was, when the line asks for it, with its confidence.
Columns with defaults only: existing answers were given on the keypad (their survey's channel
says so) and existing calls have no spoken question; nothing is rebuilt, and the counts'
triggers (0014) are left as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = sa.Enum('keypad', 'speech', name='surveychannel', native_enum=False, length=24)


def upgrade() -> None:
    op.add_column('survey_responses', sa.Column('answer_received_channel', CHANNEL, nullable=True))
    op.add_column('survey_responses', sa.Column('answer_received_confidence', sa.Float(), nullable=True))
    op.add_column('survey_responses', sa.Column('quality_channel', CHANNEL, nullable=True))
    op.add_column('survey_responses', sa.Column('quality_confidence', sa.Float(), nullable=True))
    op.execute(
        "UPDATE survey_responses SET answer_received_channel = channel "
        "WHERE answer_received IS NOT NULL"
    )
    op.execute("UPDATE survey_responses SET quality_channel = channel WHERE quality IS NOT NULL")
    op.add_column('calls', sa.Column('spoken_question', sa.Text(), server_default='', nullable=False))
    op.add_column('calls', sa.Column('spoken_question_confidence', sa.Float(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of the tables would
    # drop the counts' triggers on them.
    op.drop_column('calls', 'spoken_question_confidence')
    op.drop_column('calls', 'spoken_question')
    op.drop_column('survey_responses', 'quality_confidence')
    op.drop_column('survey_responses', 'quality_channel')
    op.drop_column('survey_responses', 'answer_received_confidence')
    op.drop_column('survey_responses', 'answer_received_channel')
