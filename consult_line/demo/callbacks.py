"""Callback tasks (C11, C13): promised answer date, the windows agreed with the caller, and
the automatic task after a missed call, at most one a day per number."""

from __future__ import annotations

from datetime import date, datetime

from consult_line.demo.callback_progress import CallbackProgress
from consult_line.demo.context import SeedContext
from consult_line.demo.plans import CallPlan, TaskPlan
from models.rules.callbacks import TimeWindow, promised_answer_date, window_choices
from models.tables import CallbackSource, CallbackTask, Client, Employee
from models.topics import Topic

_QUESTIONS = {
    Topic.STATE_SERVICES: "Какие документы нужны для лицензии на розничную продажу алкоголя?",
    Topic.SUPPORT_MEASURES: "Каковы сроки отбора по субсидии на модернизацию производства?",
    Topic.MESSAGES: "Каков статус обращения, поданного в прошлом месяце?",
    Topic.CONTROL_SUPERVISION: "Когда плановая проверка по лицензионному контролю?",
    Topic.HOURS_AND_VISITS: "Можно ли записаться на личный приём к заместителю министра?",
    Topic.GENERAL: "Просит перезвонить: вопрос не по теме меню.",
}


class CallbackPlanner:
    def __init__(self, context: SeedContext) -> None:
        self._ctx = context
        self._progress = CallbackProgress(context)
        self._last_task_on: dict[str, date] = {}

    def after_missed_call(self, plan: CallPlan) -> None:
        """C13: an automatic callback for an identifiable number, one a day per number."""
        assert plan.client is not None
        assert plan.client.phone_e164 is not None
        assert plan.call.ended_at is not None
        phone = plan.client.phone_e164
        day = self._ctx.local_day(plan.call.arrived_at)
        if self._last_task_on.get(phone) == day:
            return
        self._last_task_on[phone] = day
        plan.task = self.task(
            CallbackSource.MISSED_CALL,
            plan.call.ended_at,
            plan.client,
            plan.call.topic,
            None,
            windows=False,
        )

    def task(
        self,
        source: CallbackSource,
        requested_at: datetime,
        client: Client,
        topic: Topic | None,
        owner: Employee | None,
        *,
        windows: bool,
    ) -> TaskPlan:
        """A task with its agreed windows, settled as far as it could have gone by now."""
        rng, calendar = self._ctx.rng, self._ctx.calendar
        assert client.phone_e164 is not None
        promised_on = promised_answer_date(requested_at, calendar, rng.choice([1, 1, 2, 3]))
        agreed = self._agreed_windows(promised_on) if windows else []
        slot = agreed[0] if agreed else self._first_window_after(requested_at)
        task = CallbackTask(
            phone_e164=client.phone_e164,
            question=_question(source, topic),
            topic=topic,
            source=source,
            requested_at=requested_at,
            promised_on=promised_on,
            owner_id=owner.id if owner else None,
        )
        plan = TaskPlan(task, agreed, [])
        self._progress.settle(plan, slot)
        return plan

    def _agreed_windows(self, promised_on: date) -> list[TimeWindow]:
        """Agreed with the caller, inside working hours by construction."""
        rng = self._ctx.rng
        choices = window_choices(promised_on, self._ctx.calendar)
        return sorted(
            rng.sample(choices, min(len(choices), rng.choice([1, 2]))),
            key=lambda w: w.starts_at,
        )

    def _first_window_after(self, requested_at: datetime) -> TimeWindow:
        calendar = self._ctx.calendar
        next_day = calendar.next_working_day(self._ctx.local_day(requested_at))
        return window_choices(next_day, calendar)[0]


def _question(source: CallbackSource, topic: Topic | None) -> str:
    # An automatic task (C13) has no question yet: nobody has talked to the caller.
    if source is CallbackSource.MISSED_CALL:
        return ""
    return _QUESTIONS[topic or Topic.GENERAL]
