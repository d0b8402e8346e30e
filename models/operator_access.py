"""What the console's queue and callback actions read and write (``ami/actions.py``).

* the training check before an operator joins the queue or comes back from a pause (C4):
  the employee's device and name for the queue, and their training status today;
* the callback task a click-to-call is for, and the attempt it leaves on the task (C11).

Short synchronous functions that take the session; ``today``/``at`` are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.rules.calendar import require_aware
from models.rules.callbacks import ACTIVE_STATUSES, CallbackStatus
from models.rules.training import TrainingRecord, TrainingStatus, training_status
from models.tables import (
    AttemptResult,
    CallbackAttempt,
    CallbackTask,
    Employee,
    ServiceIntroduction,
    TrainingEntry,
)


@dataclass(frozen=True, slots=True)
class OperatorAccess:
    employee_id: int
    internal_number: str
    device: str  # queue member interface and Originate channel, e.g. "PJSIP/201"
    full_name: str
    training: TrainingStatus  # C4, as of the day asked


@dataclass(frozen=True, slots=True)
class CallbackTarget:
    task_id: int
    status: CallbackStatus

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def operator_for_login(
    session: Session, internal_number: str, today: date
) -> OperatorAccess | None:
    """The active employee with this internal number and their training status on ``today``;
    None when there is no such active employee."""
    employee = session.exec(
        select(Employee).where(Employee.internal_number == internal_number, col(Employee.active))
    ).first()
    if employee is None or employee.id is None:
        return None
    records = [
        TrainingRecord(entry.kind, entry.completed_on)
        for entry in session.exec(
            select(TrainingEntry).where(TrainingEntry.employee_id == employee.id)
        )
    ]
    introductions = list(session.exec(select(col(ServiceIntroduction.introduced_on))))
    return OperatorAccess(
        employee_id=employee.id,
        internal_number=employee.internal_number,
        device=employee.device,
        full_name=employee.full_name,
        training=training_status(records, introductions, today),
    )


def callback_target(session: Session, task_id: int) -> CallbackTarget | None:
    task = session.get(CallbackTask, task_id)
    if task is None or task.id is None:
        return None
    return CallbackTarget(task_id=task.id, status=task.status)


def record_callback_attempt(
    session: Session,
    *,
    task_id: int,
    employee_id: int,
    channel_id: str,
    result: AttemptResult,
    at: datetime,
) -> int:
    """One attempt on the task, keyed by the Originate's ChannelId; written once, when its
    result is known. A second write for the same ChannelId returns the first row unchanged,
    so the console and the AMI bridge may both report it."""
    require_aware(at, "at")
    present = session.exec(
        select(CallbackAttempt).where(
            CallbackAttempt.task_id == task_id, CallbackAttempt.channel_id == channel_id
        )
    ).first()
    if present is not None and present.id is not None:
        return present.id
    attempt = CallbackAttempt(
        task_id=task_id, at=at, employee_id=employee_id, channel_id=channel_id, result=result
    )
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    return attempt.id
