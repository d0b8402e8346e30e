"""What the console's queue and callback actions read and write (``ami/actions.py``).

* the training check before an operator joins the queue or comes back from a pause (C4):
  the employee's device and name for the queue, and their training status today;
* the callback task a click-to-call is for, and the attempt it leaves on the task (C11).

Click-to-call holds its task while it is in flight, so that nobody is dialled twice (a double
click, two operators, a retry after an unknown outcome): :func:`reserve_callback` is one
conditional UPDATE, made before the Originate, that succeeds only for an active task no live
click-to-call holds; it stores the Originate's ChannelId, when and by whom. On PostgreSQL a
concurrent UPDATE of the row waits for the first to commit and then re-checks the condition,
so of two racing sessions exactly one wins; SQLite runs one writer at a time. The attempt's
result releases the reservation (:func:`record_callback_attempt`, or :func:`release_callback`
when nothing was sent); one whose result never came lapses after
``models.rules.callbacks.DIAL_RESERVATION_TTL``.

Short synchronous functions that take the session; ``today``/``at``/``now`` are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from models.rules.calendar import require_aware
from models.rules.callbacks import (
    ACTIVE_STATUSES,
    CallbackStatus,
    reservation_cutoff,
    reservation_live,
)
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
class Dialling:
    """A live click-to-call holding a task."""

    channel_id: str
    since: datetime
    employee_id: int | None
    employee_name: str  # "" when unknown


@dataclass(frozen=True, slots=True)
class CallbackTarget:
    task_id: int
    status: CallbackStatus
    dialling: Dialling | None = None  # the live reservation, if any

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Reservation:
    """What :func:`reserve_callback` did: ``reserved`` True when this click holds the task;
    otherwise ``target`` says why not (None: no such task; closed; or who is dialling)."""

    reserved: bool
    target: CallbackTarget | None


def operator_for_login(
    session: Session, internal_number: str, today: date
) -> OperatorAccess | None:
    """The active employee with this internal number and their training status on ``today``;
    None when there is no such active employee."""
    employee = session.exec(
        select(Employee).where(Employee.internal_number == internal_number, col(Employee.active))
    ).first()
    return _access(session, employee, today)


def operator_for_employee(session: Session, employee_id: int, today: date) -> OperatorAccess | None:
    """The same for the signed-in employee (the console knows their id)."""
    employee = session.get(Employee, employee_id)
    return _access(session, employee if employee is not None and employee.active else None, today)


def _access(session: Session, employee: Employee | None, today: date) -> OperatorAccess | None:
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


def callback_target(session: Session, task_id: int, now: datetime) -> CallbackTarget | None:
    """The task as a click-to-call sees it at ``now``; None when there is no such task."""
    task = session.get(CallbackTask, task_id)
    if task is None or task.id is None:
        return None
    dialling = None
    if task.dialling_channel_id and reservation_live(task.dialling_since, now):
        assert task.dialling_since is not None
        employee = (
            session.get(Employee, task.dialling_employee_id)
            if task.dialling_employee_id is not None
            else None
        )
        dialling = Dialling(
            channel_id=task.dialling_channel_id,
            since=task.dialling_since,
            employee_id=task.dialling_employee_id,
            employee_name=employee.full_name if employee else "",
        )
    return CallbackTarget(task_id=task.id, status=task.status, dialling=dialling)


def reserve_callback(
    session: Session, *, task_id: int, channel_id: str, employee_id: int, now: datetime
) -> Reservation:
    """Makes ``channel_id`` (the Originate's ChannelId, chosen before it is sent) the task's
    one click-to-call, atomically: only an active task without a live reservation is taken."""
    require_aware(now, "now")
    taken = session.connection().execute(
        update(CallbackTask)
        .where(
            col(CallbackTask.id) == task_id,
            col(CallbackTask.status).in_(ACTIVE_STATUSES),
            or_(
                col(CallbackTask.dialling_channel_id).is_(None),
                col(CallbackTask.dialling_since).is_(None),
                col(CallbackTask.dialling_since) <= reservation_cutoff(now),
            ),
        )
        .values(
            dialling_channel_id=channel_id,
            dialling_since=now,
            dialling_employee_id=employee_id,
        )
    )
    session.expire_all()  # the ORM must not serve a copy read before the UPDATE
    return Reservation(reserved=taken.rowcount == 1, target=callback_target(session, task_id, now))


def release_callback(session: Session, *, task_id: int, channel_id: str) -> bool:
    """Ends the task's reservation if ``channel_id`` still holds it (a later click-to-call's
    reservation is never touched). True when one was released."""
    released = session.connection().execute(
        update(CallbackTask)
        .where(
            col(CallbackTask.id) == task_id,
            col(CallbackTask.dialling_channel_id) == channel_id,
        )
        .values(dialling_channel_id=None, dialling_since=None, dialling_employee_id=None)
    )
    session.expire_all()
    return released.rowcount == 1


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
    result is known, and the reservation that ChannelId holds ends with it. A second write for
    the same ChannelId returns the first row unchanged, so the console and the AMI bridge may
    both report it."""
    require_aware(at, "at")
    release_callback(session, task_id=task_id, channel_id=channel_id)
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
