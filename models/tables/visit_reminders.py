"""The letters and calls of a personal-visit booking (V3–V6): one row each, planned ahead.

A booking gets its rows from :func:`models.rules.visit_reminders.plan` — the confirmation
letter (V5), and the reminders «за сутки» / «за 2 часа» by e-mail and by a call, as the
visitor chose (V3–V4). The unique key (booking, kind, channel) makes a second planning a
no-op, so nothing is sent twice. A row goes ``pending`` → ``sending`` (claimed by one process
before the letter is handed over or the call is placed) → ``sent`` / ``failed`` / back to
``pending`` for a retry; ``skipped`` when the booking was cancelled first, ``unknown`` when a
stop caught it mid-send (not sent again).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.rules.visit_reminders import CallResult, MessageKind, ReminderState
from models.rules.visit_slots import ReminderChannel
from models.tables._columns import enum_type, owner_key, utc


class VisitReminder(SQLModel, table=True):
    __tablename__ = "visit_reminders"
    __table_args__ = (
        UniqueConstraint("booking_id", "kind", "channel", name="uq_visit_reminders_booking_kind"),
        Index("ix_visit_reminders_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(sa_column=owner_key("visit_bookings.id"))
    kind: MessageKind = Field(sa_type=enum_type(MessageKind))
    channel: ReminderChannel = Field(sa_type=enum_type(ReminderChannel))
    due_at: datetime = Field(sa_type=utc())
    state: ReminderState = Field(default=ReminderState.PENDING, sa_type=enum_type(ReminderState))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=utc())
    claimed_at: datetime | None = Field(default=None, sa_type=utc())
    # The Originate's ChannelId of the current call attempt: the channel that may hear it.
    channel_id: str | None = Field(default=None, max_length=64)
    call_result: CallResult | None = Field(default=None, sa_type=enum_type(CallResult))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(sa_type=utc())
    finished_at: datetime | None = Field(default=None, sa_type=utc())
