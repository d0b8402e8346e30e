"""How far a callback task got before now (C11): status, attempts and closing.

Every status turns up at least once: each is forced at the first task where it could have
happened, then statuses are drawn by weight.
"""

from __future__ import annotations

import random
from datetime import timedelta

from consult_line.demo.common import pick, row_id
from consult_line.demo.context import SeedContext
from consult_line.demo.plans import TaskPlan
from models.rules.callbacks import CallbackStatus, TimeWindow
from models.tables import AttemptResult, CallbackAttempt

_STATUS_WEIGHTS = {
    CallbackStatus.DONE: 75,
    CallbackStatus.FAILED: 10,
    CallbackStatus.CANCELLED: 8,
    CallbackStatus.IN_PROGRESS: 4,  # stuck: the overdue report has something to show
    CallbackStatus.OPEN: 3,
}
_RESULT_NOTES = {
    CallbackStatus.DONE: "Перезвонили, ответ на вопрос дан.",
    CallbackStatus.FAILED: "Три попытки без ответа, заявка закрыта.",
    CallbackStatus.CANCELLED: "Заявитель дозвонился на линию сам, ответ получен.",
}
_ATTEMPT_SHARES = (0.1, 0.4, 0.7)  # of the window: when the three attempts are made


class CallbackProgress:
    def __init__(self, context: SeedContext) -> None:
        self._ctx = context
        # Forced once each, at the first task where they could have happened (coverage).
        self._pending_statuses = [
            CallbackStatus.DONE,
            CallbackStatus.FAILED,
            CallbackStatus.CANCELLED,
            CallbackStatus.IN_PROGRESS,
            CallbackStatus.OPEN,
        ]

    def settle(self, plan: TaskPlan, slot: TimeWindow) -> None:
        """Status, attempts and closing as far as they could have happened before now."""
        rng, task, now = self._ctx.rng, plan.task, self._ctx.now
        length = slot.ends_at - slot.starts_at
        times = [slot.starts_at + length * share for share in _ATTEMPT_SHARES]
        possible = sum(1 for at in times if at + timedelta(minutes=10) < now)
        status = self._status(possible, slot.starts_at < now)
        if task.owner_id is None and status is not CallbackStatus.OPEN:
            on_duty = self._ctx.staff.on_duty(self._ctx.local_day(slot.starts_at))
            task.owner_id = row_id(rng.choice(on_duty))
        task.status = status
        results = _attempt_results(rng, status)
        plan.attempts = [
            CallbackAttempt(task_id=0, at=at, employee_id=task.owner_id, result=result)
            for at, result in zip(times, results, strict=False)
        ]
        self._close(plan, status, slot)

    def _close(self, plan: TaskPlan, status: CallbackStatus, slot: TimeWindow) -> None:
        task = plan.task
        if status in (CallbackStatus.DONE, CallbackStatus.FAILED):
            closing = timedelta(minutes=self._ctx.rng.uniform(1, 8))
            task.closed_at = plan.attempts[-1].at + closing
            task.result_note = _RESULT_NOTES[status]
        elif status is CallbackStatus.CANCELLED:
            task.closed_at = slot.starts_at
            task.result_note = _RESULT_NOTES[status]

    def _status(self, possible_attempts: int, slot_started: bool) -> CallbackStatus:
        feasible = {CallbackStatus.OPEN}
        if slot_started:
            feasible.add(CallbackStatus.CANCELLED)
        if possible_attempts >= 1:
            feasible |= {CallbackStatus.IN_PROGRESS}
        if possible_attempts >= 3:
            feasible |= {CallbackStatus.DONE, CallbackStatus.FAILED}
        for status in self._pending_statuses:
            if status in feasible:
                self._pending_statuses.remove(status)
                return status
        if possible_attempts >= 3:
            return pick(self._ctx.rng, _STATUS_WEIGHTS)
        return CallbackStatus.IN_PROGRESS if possible_attempts else CallbackStatus.OPEN


def _attempt_results(rng: random.Random, status: CallbackStatus) -> list[AttemptResult]:
    missed = [AttemptResult.NO_ANSWER, AttemptResult.BUSY]
    if status is CallbackStatus.DONE:
        return [rng.choice(missed) for _ in range(rng.randint(0, 2))] + [AttemptResult.ANSWERED]
    if status is CallbackStatus.FAILED:
        return [rng.choice([*missed, AttemptResult.FAILED]) for _ in range(3)]
    if status is CallbackStatus.IN_PROGRESS:
        return [rng.choice(missed)]
    return []
