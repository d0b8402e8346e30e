"""The reminders of written messages' deadlines sent to staff: one letter per person per day.

A row is written *before* the letter goes (it claims the person's letter of the day: two runs at
once cannot both send it) and removed again when the letter could not be handed to the mail
server, so that a later run that day may try again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables._columns import owner_key, utc


class MessageReminder(SQLModel, table=True):
    __tablename__ = "message_reminders"
    __table_args__ = (UniqueConstraint("day", "employee_id", name="uq_message_reminders_day"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date  # the line's local day the reminder is for
    employee_id: int = Field(sa_column=owner_key("employees.id"))
    email: str = Field(max_length=255)  # where it went
    sent_at: datetime = Field(sa_type=utc())
    numbers: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
