"""visit reminders: the letters and calls of a personal-visit booking

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-23 10:00:00.000000

V3–V6: one row per (booking, kind, channel) — the confirmation letter, the reminders a day and
two hours before by e-mail and by a call — with its state, attempts and the call's result.
A new table only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table('visit_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('messagekind', 'confirmation', 'day_before', 'two_hours'), nullable=False),
    sa.Column('channel', _enum('reminderchannel', 'email', 'call'), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', _enum('reminderstate', 'pending', 'sending', 'sent', 'failed', 'skipped', 'unknown'), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channel_id', sa.String(length=64), nullable=True),
    sa.Column('call_result', _enum('callresult', 'answered', 'confirmed', 'cancelled', 'no_answer', 'busy', 'invalid_number', 'failed'), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['visit_bookings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id', 'kind', 'channel', name='uq_visit_reminders_booking_kind')
    )
    op.create_index(op.f('ix_visit_reminders_booking_id'), 'visit_reminders', ['booking_id'], unique=False)
    op.create_index('ix_visit_reminders_state_due', 'visit_reminders', ['state', 'due_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_visit_reminders_state_due', table_name='visit_reminders')
    op.drop_index(op.f('ix_visit_reminders_booking_id'), table_name='visit_reminders')
    op.drop_table('visit_reminders')
