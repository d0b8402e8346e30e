"""Writes one day of planned calls: a few flushes per day, never one per row."""

from __future__ import annotations

import random

from sqlmodel import Session

from consult_line.demo.common import row_id
from consult_line.demo.plans import CallPlan, TaskPlan
from consult_line.demo.transfers import transfer_row
from models.tables import (
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    CallTransfer,
    SurveyResponse,
)


class DayWriter:
    """Counts what it wrote: ``calls``, ``callbacks`` and ``surveys``."""

    def __init__(self, session: Session, rng: random.Random, *, training: bool = False) -> None:
        self._session = session
        self._rng = rng
        self._training = training  # written for the training line (models.line_scope)
        self.calls = self.callbacks = self.surveys = 0

    def write(self, plans: list[CallPlan]) -> None:
        """New clients first, then the calls, then what needs their ids, then task rows."""
        if not plans:
            return
        new_clients = {id(p.client): p.client for p in plans if p.client and p.client.id is None}
        self._session.add_all(new_clients.values())
        self._session.flush()
        for plan in plans:
            plan.call.client_id = plan.client.id if plan.client else None
            plan.call.training = self._training
        self._session.add_all(plan.call for plan in plans)
        self._session.flush()
        tasks = self._add_children(plans)
        self._session.flush()
        self._session.add_all(_task_rows(tasks))
        for plan in plans:  # C13: a missed call points at the callback task it opened
            if plan.task is not None and plan.task.task.source is CallbackSource.MISSED_CALL:
                plan.call.callback_task_id = row_id(plan.task.task)
        self._session.flush()
        self.calls += len(plans)

    def _add_children(self, plans: list[CallPlan]) -> list[TaskPlan]:
        rows: list[CallTransfer | SurveyResponse | CallbackTask] = []
        tasks: list[TaskPlan] = []
        for plan in plans:
            call_id = row_id(plan.call)
            for seq, (record, source, target) in enumerate(plan.transfers, start=1):
                rows.append(transfer_row(call_id, seq, record, source, target, self._rng))
            if plan.survey is not None:
                plan.survey.call_id = call_id
                rows.append(plan.survey)
                self.surveys += 1
            if plan.task is not None:
                plan.task.task.origin_call_id = call_id
                plan.task.task.client_id = plan.client.id if plan.client else None
                plan.task.task.training = self._training
                rows.append(plan.task.task)
                tasks.append(plan.task)
        self._session.add_all(rows)
        self.callbacks += len(tasks)
        return tasks


def _task_rows(tasks: list[TaskPlan]) -> list[CallbackWindow | CallbackAttempt]:
    rows: list[CallbackWindow | CallbackAttempt] = []
    for plan in tasks:
        task_id = row_id(plan.task)
        rows += [
            CallbackWindow(task_id=task_id, starts_at=w.starts_at, ends_at=w.ends_at)
            for w in plan.windows
        ]
        for attempt in plan.attempts:
            attempt.task_id = task_id
            rows.append(attempt)
    return rows
