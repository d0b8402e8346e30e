"""Two days of the line (Monday 5 and Tuesday 6 October 2026, Moscow time) with eight missed
calls of every reason and callback state, and calls the missed-call report must leave out.
The tests that read them work out their figures by hand from the list below.

=====  ================  ==================  =====  =====  =====  ====================  ======
call   arrived (MSK)     reason              wait   line   short  topic                 task
=====  ================  ==================  =====  =====  =====  ====================  ======
m0     05.10 00:00:00    unknown             —      10     no     —                     —
m1     05.10 09:05:00    abandoned_in_ivr    —      3      yes    —                     —
m2     05.10 09:40:10    abandoned_in_queue  45.26  80     no     state_services        open
m3     05.10 10:15:00    queue_timeout       300    320    no     support_measures      done
m4     05.10 10:50:00    no_operators        0      4      yes    support_measures      in_progress
m5     06.10 09:10:00    abandoned_in_queue  12     30     no     messages              done (m3's)
m6     06.10 17:59:59    queue_timeout       300    301    no     control_supervision   failed
m7     06.10 11:30:00    left_queue_by_key   5.5    8      no     —                     cancelled
=====  ================  ==================  =====  =====  =====  ====================  ======

Left out: an answered call, an after-hours one, a call still in progress, and missed calls at
04.10 23:59:59 and 07.10 00:30 Moscow time (outside the period; the first is inside it for a
line two hours east, where it is 05.10 01:59:59).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.tables import (
    AttemptResult,
    Call,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    Department,
    Employee,
)
from models.topics import Topic
from reports.period import Period

MSK = ZoneInfo("Europe/Moscow")
PERIOD = Period(date(2026, 10, 5), date(2026, 10, 6))
ALIEVA = "Алиева Патимат Руслановна"
OMAROV = "Омаров Руслан Магомедович"


def msk(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, second, tzinfo=MSK)


def add_sample_calls(engine: Engine) -> None:
    with session_scope(engine) as session:
        department = Department(code="dep-cons", name="Отдел консультаций")
        session.add(department)
        session.flush()
        assert department.id is not None
        people = {}
        for number, name in (("201", ALIEVA), ("202", OMAROV)):
            person = Employee(
                internal_number=number,
                full_name=name,
                device=f"PJSIP/{number}",
                department_id=department.id,
                updated_at=datetime(2026, 9, 1, tzinfo=UTC),
            )
            session.add(person)
            session.flush()
            people[number] = person.id

        def task(
            phone: str,
            status: CallbackStatus,
            owner: str | None = None,
            closed_at: datetime | None = None,
            note: str = "",
            attempts: tuple[tuple[datetime, AttemptResult], ...] = (),
        ) -> int:
            row = CallbackTask(
                phone_e164=phone,
                source=CallbackSource.MISSED_CALL,
                requested_at=msk(5, 9),
                promised_on=date(2026, 10, 7),
                owner_id=people[owner] if owner else None,
                status=status,
                closed_at=closed_at,
                result_note=note,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            for at, result in attempts:
                session.add(
                    CallbackAttempt(task_id=row.id, at=at, result=result, employee_id=row.owner_id)
                )
            return row.id

        open_task = task("+79280000002", CallbackStatus.OPEN)
        done = task(
            "+79280000003",
            CallbackStatus.DONE,
            "201",
            msk(6, 14, 5),
            "Ответ дан",
            ((msk(6, 10), AttemptResult.NO_ANSWER), (msk(6, 14), AttemptResult.ANSWERED)),
        )
        in_progress = task(
            "+79280000004",
            CallbackStatus.IN_PROGRESS,
            "201",
            attempts=((msk(5, 12), AttemptResult.BUSY),),
        )
        failed = task(
            "+79280000006",
            CallbackStatus.FAILED,
            "202",
            msk(7, 15, 5),
            "Не дозвонились дважды",
            ((msk(7, 10), AttemptResult.NO_ANSWER), (msk(7, 15), AttemptResult.NO_ANSWER)),
        )
        cancelled = task(
            "+79280000007", CallbackStatus.CANCELLED, closed_at=msk(6, 12), note="Перезвонил сам"
        )

        def call(
            linkedid: str,
            arrived_at: datetime,
            outcome: CallOutcome | None,
            reason: MissedReason | None = None,
            *,
            caller: str = "",
            line_s: float = 60,
            wait: float | None = None,
            short: bool = False,
            topic: Topic | None = None,
            task_id: int | None = None,
        ) -> None:
            session.add(
                Call(
                    linkedid=linkedid,
                    caller_number=caller.removeprefix("+") or "anonymous",
                    caller_e164=caller or None,
                    arrived_at=arrived_at,
                    in_working_hours=outcome is not CallOutcome.AFTER_HOURS,
                    topic=topic,
                    queue_wait_s=wait,
                    ended_at=arrived_at + timedelta(seconds=line_s) if outcome else None,
                    outcome=outcome,
                    missed_reason=reason,
                    short_call=short,
                    callback_task_id=task_id,
                )
            )

        missed = CallOutcome.MISSED
        call("m0", msk(5, 0), missed, MissedReason.UNKNOWN, line_s=10)
        call(
            "m1",
            msk(5, 9, 5),
            missed,
            MissedReason.ABANDONED_IN_IVR,
            caller="+79280000001",
            line_s=3,
            short=True,
        )
        call(
            "m2",
            msk(5, 9, 40, 10),
            missed,
            MissedReason.ABANDONED_IN_QUEUE,
            caller="+79280000002",
            line_s=80,
            wait=45.26,
            topic=Topic.STATE_SERVICES,
            task_id=open_task,
        )
        call(
            "m3",
            msk(5, 10, 15),
            missed,
            MissedReason.QUEUE_TIMEOUT,
            caller="+79280000003",
            line_s=320,
            wait=300,
            topic=Topic.SUPPORT_MEASURES,
            task_id=done,
        )
        call(
            "m4",
            msk(5, 10, 50),
            missed,
            MissedReason.NO_OPERATORS,
            caller="+79280000004",
            line_s=4,
            wait=0,
            short=True,
            topic=Topic.SUPPORT_MEASURES,
            task_id=in_progress,
        )
        call(
            "m5",
            msk(6, 9, 10),
            missed,
            MissedReason.ABANDONED_IN_QUEUE,
            caller="+79280000003",
            line_s=30,
            wait=12,
            topic=Topic.MESSAGES,
            task_id=done,
        )
        call(
            "m6",
            msk(6, 17, 59, 59),
            missed,
            MissedReason.QUEUE_TIMEOUT,
            caller="+79280000006",
            line_s=301,
            wait=300,
            topic=Topic.CONTROL_SUPERVISION,
            task_id=failed,
        )
        call(
            "m7",
            msk(6, 11, 30),
            missed,
            MissedReason.LEFT_QUEUE_BY_KEY,
            caller="+79280000007",
            line_s=8,
            wait=5.5,
            task_id=cancelled,
        )
        # Left out of the report.
        call("answered", msk(5, 11), CallOutcome.ANSWERED, caller="+79280000010")
        call("after-hours", msk(5, 19), CallOutcome.AFTER_HOURS, caller="+79280000011")
        call("in-progress", msk(6, 12), None, caller="+79280000012")
        call("before", msk(4, 23, 59, 59), missed, MissedReason.ABANDONED_IN_IVR, short=True)
        call("after", msk(7, 0, 30), missed, MissedReason.NO_OPERATORS, caller="+79280000013")
