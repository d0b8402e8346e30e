"""information mailings (M1–M4): the consent register, the mailings and their deliveries

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-22 10:00:00.000000

The register of consents (one row per normalised address: pending, confirmed or withdrawn, when
and how), the mailings (draft, sending, paused, done) and one delivery per mailing and
subscriber, so that sending goes on after a restart and nobody gets a letter twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mailing_subscribers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('state', sa.Enum('pending', 'confirmed', 'withdrawn', name='consentstate', native_enum=False, length=24), nullable=False),
    sa.Column('consent_source', sa.Enum('public_page', name='consentsource', native_enum=False, length=24), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
    sa.Column('confirm_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_source', sa.Enum('link', 'one_click', 'staff', name='withdrawalsource', native_enum=False, length=24), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('confirm_token_hash'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('mailing_subscribers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_subscribers_state'), ['state'], unique=False)

    op.create_table('mailings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'sending', 'paused', 'done', name='mailingstate', native_enum=False, length=24), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('form_key', sa.String(length=64), nullable=False),
    sa.Column('started_by', sa.String(length=128), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_key')
    )
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailings_state'), ['state'], unique=False)

    op.create_table('mailing_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailing_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'sending', 'sent', 'failed', 'skipped', 'unknown', name='deliverystate', native_enum=False, length=24), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('unsubscribe_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['mailing_id'], ['mailings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['mailing_subscribers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mailing_id', 'subscriber_id'),
    sa.UniqueConstraint('unsubscribe_hash')
    )
    with op.batch_alter_table('mailing_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_deliveries_mailing_id'), ['mailing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailing_deliveries_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailing_deliveries_subscriber_id'), ['subscriber_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mailing_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_deliveries_subscriber_id'))
        batch_op.drop_index(batch_op.f('ix_mailing_deliveries_state'))
        batch_op.drop_index(batch_op.f('ix_mailing_deliveries_mailing_id'))

    op.drop_table('mailing_deliveries')
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailings_state'))

    op.drop_table('mailings')
    with op.batch_alter_table('mailing_subscribers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_subscribers_state'))

    op.drop_table('mailing_subscribers')
