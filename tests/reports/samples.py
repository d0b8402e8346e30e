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

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.tables import AttemptResult, Call, CallbackAttempt, CallbackSource, CallbackTask
from models.topics import Topic
from reports.period import Period
from tests.call_card.samples import add_person

MSK = ZoneInfo("Europe/Moscow")
PERIOD = Period(date(2026, 10, 5), date(2026, 10, 6))
ALIEVA = "Алиева Патимат Руслановна"
OMAROV = "Омаров Руслан Магомедович"
STAFF = (("201", ALIEVA), ("202", OMAROV))
_CallRow = tuple[
    str,
    datetime,
    CallOutcome | None,
    MissedReason | None,
    str,
    float,
    float | None,
    bool,
    Topic | None,
    int | None,
]


def msk(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, second, tzinfo=MSK)


def add_sample_calls(engine: Engine) -> None:
    people = {number: add_person(engine, number, name) for number, name in STAFF}
    with session_scope(engine) as session:

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
        missed, reason, topic = CallOutcome.MISSED, MissedReason, Topic
        # linkedid, arrived, outcome, reason, caller (+792800000NN; "": none), on the line (s),
        # wait in the queue (s), short, topic, callback task
        calls: tuple[_CallRow, ...] = (
            ("m0", msk(5, 0), missed, reason.UNKNOWN, "", 10, None, False, None, None),
            ("m1", msk(5, 9, 5), missed, reason.ABANDONED_IN_IVR, "1", 3, None, True, None, None),
            ("m2", msk(5, 9, 40, 10), missed, reason.ABANDONED_IN_QUEUE, "2", 80, 45.26, False,
             topic.STATE_SERVICES, open_task),
            ("m3", msk(5, 10, 15), missed, reason.QUEUE_TIMEOUT, "3", 320, 300, False,
             topic.SUPPORT_MEASURES, done),
            ("m4", msk(5, 10, 50), missed, reason.NO_OPERATORS, "4", 4, 0, True,
             topic.SUPPORT_MEASURES, in_progress),
            ("m5", msk(6, 9, 10), missed, reason.ABANDONED_IN_QUEUE, "3", 30, 12, False,
             topic.MESSAGES, done),
            ("m6", msk(6, 17, 59, 59), missed, reason.QUEUE_TIMEOUT, "6", 301, 300, False,
             topic.CONTROL_SUPERVISION, failed),
            ("m7", msk(6, 11, 30), missed, reason.LEFT_QUEUE_BY_KEY, "7", 8, 5.5, False, None,
             cancelled),
            # Left out of the report.
            ("answered", msk(5, 11), CallOutcome.ANSWERED, None, "10", 60, None, False, None, None),
            ("after-hours", msk(5, 19), CallOutcome.AFTER_HOURS, None, "11", 60, None, False,
             None, None),
            ("in-progress", msk(6, 12), None, None, "12", 60, None, False, None, None),
            ("before", msk(4, 23, 59, 59), missed, reason.ABANDONED_IN_IVR, "", 60, None, True,
             None, None),
            ("after", msk(7, 0, 30), missed, reason.NO_OPERATORS, "13", 60, None, False, None,
             None),
        )  # fmt: skip
        for (
            linkedid,
            arrived_at,
            outcome,
            why,
            caller,
            line_s,
            wait,
            short,
            about,
            task_id,
        ) in calls:
            phone = f"+792800000{int(caller):02d}" if caller else None
            session.add(
                Call(
                    linkedid=linkedid,
                    caller_number=phone.removeprefix("+") if phone else "anonymous",
                    caller_e164=phone,
                    arrived_at=arrived_at,
                    in_working_hours=outcome is not CallOutcome.AFTER_HOURS,
                    topic=about,
                    queue_wait_s=wait,
                    ended_at=arrived_at + timedelta(seconds=line_s) if outcome else None,
                    outcome=outcome,
                    missed_reason=why,
                    short_call=short,
                    callback_task_id=task_id,
                )
            )
