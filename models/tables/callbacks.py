"""Callback tasks (C11), their agreed time windows and call-back attempts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, false
from sqlmodel import Field, SQLModel

from models.rules.callbacks import CallbackStatus
from models.tables._columns import enum_type, owner_key, utc
from models.topics import Topic


class CallbackSource(StrEnum):
    OPERATOR = "operator"  # C11: the answer could not be given live
    AFTER_HOURS = "after_hours"  # requested in the after-hours IVR
    MISSED_CALL = "missed_call"  # C13: opened automatically for a missed call
    TRANSFER_CAP = "transfer_cap"  # C10: a third transfer was refused


class CallbackChangeKind(StrEnum):
    RESCHEDULED = "rescheduled"
    CLOSED = "closed"


class AttemptResult(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"


ATTEMPT_RESULT_LABELS_RU: dict[AttemptResult, str] = {
    AttemptResult.ANSWERED: "Дозвонились",
    AttemptResult.NO_ANSWER: "Не ответил",
    AttemptResult.BUSY: "Занято",
    AttemptResult.FAILED: "Вызов не удался",
}


class CallbackTask(SQLModel, table=True):
    __tablename__ = "callback_tasks"
    __table_args__ = (
        Index("ix_callback_tasks_status_promised", "status", "promised_on"),
        Index("ix_callback_tasks_phone_status", "phone_e164", "status"),
        Index("ix_callback_tasks_requested_at", "requested_at"),  # reports by creation date
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int | None = Field(default=None, foreign_key="clients.id", index=True)
    phone_e164: str = Field(max_length=20)
    question: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    topic: Topic | None = Field(default=None, sa_type=enum_type(Topic))
    source: CallbackSource = Field(sa_type=enum_type(CallbackSource))
    # Indexed: deleting a call looks here for tasks it opened (G3 retention, the foreign key).
    origin_call_id: int | None = Field(default=None, foreign_key="calls.id", index=True)
    requested_at: datetime = Field(sa_type=utc())
    promised_on: date
    owner_id: int | None = Field(default=None, foreign_key="employees.id", index=True)
    status: CallbackStatus = Field(default=CallbackStatus.OPEN, sa_type=enum_type(CallbackStatus))
    closed_at: datetime | None = Field(default=None, sa_type=utc())
    result_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # C11: a click-to-call in flight holds the task (models.operator_access.reserve_callback):
    # the Originate's ChannelId, when and by whom. Cleared with the attempt's result; lapses
    # after models.rules.callbacks.DIAL_RESERVATION_TTL.
    dialling_channel_id: str | None = Field(default=None, max_length=64)
    dialling_since: datetime | None = Field(default=None, sa_type=utc())
    dialling_employee_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("employees.id", name="fk_callback_tasks_dialling_employee_id"),
            nullable=True,
        ),
    )
    # Opened on the training line (models.line_scope): its caller was simulated.
    training: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class CallbackWindow(SQLModel, table=True):
    __tablename__ = "callback_windows"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=owner_key("callback_tasks.id"))
    starts_at: datetime = Field(sa_type=utc())
    ends_at: datetime = Field(sa_type=utc())


class CallbackAttempt(SQLModel, table=True):
    __tablename__ = "callback_attempts"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=owner_key("callback_tasks.id"))
    at: datetime = Field(sa_type=utc())
    employee_id: int | None = Field(default=None, foreign_key="employees.id")
    channel_id: str | None = Field(default=None, max_length=64)
    result: AttemptResult = Field(sa_type=enum_type(AttemptResult))


class CallbackTaskChange(SQLModel, table=True):
    """C11: what an employee did to a task by hand, with the reason: a new date or windows
    agreed with the client (``detail`` holds the windows before and after), or the task closed
    with its outcome."""

    __tablename__ = "callback_task_changes"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=owner_key("callback_tasks.id"))
    at: datetime = Field(sa_type=utc())
    employee_id: int | None = Field(default=None, foreign_key="employees.id")
    kind: CallbackChangeKind = Field(sa_type=enum_type(CallbackChangeKind))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    promised_before: date | None = None
    promised_after: date | None = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
