"""personal visits: reception points, reception hours, bookings and their cancellation links

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-22 10:00:00.000000

Personal visits (V1–V6, V11, V12): the places and hours of reception, loaded from the schedule
file, and the bookings of slots, of which one slot of one employee holds at most one active
booking (a partial unique index). New tables only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status = 'booked'")


def _channel(name: str, nullable: bool) -> sa.Column[str]:
    kind = sa.Enum('line', 'web', 'portal', 'staff', name='visitchannel', native_enum=False, length=24)
    return sa.Column(name, kind, nullable=nullable)


def upgrade() -> None:
    op.create_table('reception_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_ru', sa.String(length=255), nullable=False),
    sa.Column('name_en', sa.String(length=255), nullable=False),
    sa.Column('address_ru', sa.String(length=255), nullable=False),
    sa.Column('address_en', sa.String(length=255), nullable=False),
    sa.Column('room_ru', sa.String(length=255), nullable=False),
    sa.Column('room_en', sa.String(length=255), nullable=False),
    sa.Column('directions_ru', sa.Text(), nullable=False),
    sa.Column('directions_en', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('reception_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['point_id'], ['reception_points.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id', 'weekday', 'opens', name='uq_reception_hours_start')
    )
    op.create_index(op.f('ix_reception_hours_employee_id'), 'reception_hours', ['employee_id'], unique=False)
    op.create_index(op.f('ix_reception_hours_point_id'), 'reception_hours', ['point_id'], unique=False)
    op.create_table('visit_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('booked', 'cancelled', name='visitstatus', native_enum=False, length=24), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('phone_e164', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('language', sa.Enum('ru', 'en', name='language', native_enum=False, length=24), nullable=False),
    sa.Column('interpreter', sa.Enum('none', 'sign_language', 'tactile', name='interpreter', native_enum=False, length=24), nullable=False),
    sa.Column('remind_day_before', sa.Boolean(), nullable=False),
    sa.Column('remind_two_hours', sa.Boolean(), nullable=False),
    sa.Column('remind_by_email', sa.Boolean(), nullable=False),
    sa.Column('remind_by_call', sa.Boolean(), nullable=False),
    _channel('channel', nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    _channel('cancelled_via', nullable=True),
    sa.Column('cancelled_by', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ),
    sa.ForeignKeyConstraint(['point_id'], ['reception_points.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_visit_bookings_client_id'), 'visit_bookings', ['client_id'], unique=False)
    op.create_index(op.f('ix_visit_bookings_phone_e164'), 'visit_bookings', ['phone_e164'], unique=False)
    op.create_index('ix_visit_bookings_starts_at', 'visit_bookings', ['starts_at'], unique=False)
    op.create_index('uq_visit_bookings_active_slot', 'visit_bookings', ['employee_id', 'starts_at'], unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.create_table('visit_cancel_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['visit_bookings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_visit_cancel_links_booking_id'), 'visit_cancel_links', ['booking_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_visit_cancel_links_booking_id'), table_name='visit_cancel_links')
    op.drop_table('visit_cancel_links')
    op.drop_index('uq_visit_bookings_active_slot', table_name='visit_bookings')
    op.drop_index('ix_visit_bookings_starts_at', table_name='visit_bookings')
    op.drop_index(op.f('ix_visit_bookings_phone_e164'), table_name='visit_bookings')
    op.drop_index(op.f('ix_visit_bookings_client_id'), table_name='visit_bookings')
    op.drop_table('visit_bookings')
    op.drop_index(op.f('ix_reception_hours_point_id'), table_name='reception_hours')
    op.drop_index(op.f('ix_reception_hours_employee_id'), table_name='reception_hours')
    op.drop_table('reception_hours')
    op.drop_table('reception_points')
