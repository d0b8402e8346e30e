"""Callback tasks and transfers of Monday 5 and Tuesday 6 October 2026 (Moscow time), read at
Wednesday 14 October, 10:00. Working hours 09:00–18:00; 10 and 11 October are a weekend.
The tests work out their figures by hand from the lists below.

Callback tasks (C11); the deadline is the promised day's 18:00, or midnight after a day off.
Each: created (MSK), source, promised, owner; attempts; status and when closed → term:

* t1  05.10 09:30, missed call, 08.10, Alieva; 06.10 10:00 no answer, 08.10 17:30 answered;
  done 08.10 17:40 → kept
* t2  05.10 11:00, after hours, 07.10, Alieva; 07.10 18:30 answered; done 07.10 18:35 →
  missed (late)
* t3  05.10 12:00, operator, 08.10, Omarov; no attempt; done 08.10 12:00 → kept (closed)
* t4  05.10 15:00, missed call, 08.10, Omarov; 06.10 10:00 busy, 07.10 10:00 no answer;
  failed 07.10 11:00 → missed
* t10 05.10 17:00, operator, 10.10 (Saturday), Omarov; 10.10 20:00 answered; done 10.10
  20:05 → kept (by midnight)
* t5  06.10 09:15, transfer cap, 09.10, nobody; no attempt; open → missed, overdue now
* t6  06.10 10:00, missed call, 15.10, Alieva; 07.10 10:00 no answer; in progress → open
* t7  06.10 13:00, after hours, 09.10, Omarov; 08.10 11:00 answered; in progress → kept,
  and overdue now (still active past the deadline)
* t8  06.10 16:00, operator, 09.10, nobody; no attempt; cancelled 06.10 17:00 → cancelled
* t9  06.10 23:59:59, missed call, 09.10, Alieva; no attempt; done 09.10 10:00 → kept

Left out: tasks created at 04.10 23:59:59 and 07.10 00:00.

Transfers (C10), of calls answered by Alieva (operator) in the period; experts Kurbanov
(department "law", «Юридический отдел») and Gadzhieva (department "support", «Отдел мер
поддержки»):

====  ============  ========  ===================================================
call  arrived       outcome   attempts (seq: kind, to, outcome)
====  ============  ========  ===================================================
c1    05.10 10:00   answered  —
c2    05.10 11:00   answered  1: blind → Kurbanov, completed
c3    05.10 12:00   answered  1: blind → Kurbanov, completed; 2: attended → Gadzhieva,
                              completed; 3: blind → Kurbanov, refused (the third)
c4    06.10 09:30   answered  1: attended → Gadzhieva, failed; 2: blind → 999 (nobody),
                              failed; 3: blind → Gadzhieva, completed
c5    06.10 15:00   —         (in progress) 1: attended → Kurbanov, pending
====  ============  ========  ===================================================

Left out: a call of 07.10 with one completed transfer to Kurbanov.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome
from models.rules.transfers import TransferOutcome
from models.tables import (
    AttemptResult,
    Call,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallTransfer,
    Employee,
    TransferKind,
)
from models.tables.clients import Client
from tests.call_card.samples import add_department, add_person
from tests.reports.samples import ALIEVA, OMAROV, msk

NOW = msk(14, 10)
KURBANOV = "Курбанов Шамиль Ахмедович"
GADZHIEVA = "Гаджиева Мадина Саидовна"
CLIENT = "Магомедова Аминат Исаевна"

_Attempts = tuple[tuple[datetime, AttemptResult], ...]
_Transfer = tuple[TransferKind, str, TransferOutcome]


def _person(engine: Engine, number: str, name: str) -> int:
    """The employee with internal ``number``, added unless the other samples did."""
    with session_scope(engine) as session:
        found = session.exec(select(Employee).where(Employee.internal_number == number)).first()
        if found is not None and found.id is not None:
            return found.id
    return add_person(engine, number, name)


def add_sample_tasks(engine: Engine) -> dict[str, int]:
    """The tasks above; their ids by name."""
    people = {"201": _person(engine, "201", ALIEVA), "202": _person(engine, "202", OMAROV)}
    source, status, result = CallbackSource, CallbackStatus, AttemptResult
    # name, created, source, promised (day of October), owner, attempts, status, closed
    tasks: tuple[
        tuple[
            str,
            datetime,
            CallbackSource,
            int,
            str | None,
            _Attempts,
            CallbackStatus,
            datetime | None,
        ],
        ...,
    ] = (
        ("t1", msk(5, 9, 30), source.MISSED_CALL, 8, "201",
         ((msk(6, 10), result.NO_ANSWER), (msk(8, 17, 30), result.ANSWERED)),
         status.DONE, msk(8, 17, 40)),
        ("t2", msk(5, 11), source.AFTER_HOURS, 7, "201", ((msk(7, 18, 30), result.ANSWERED),),
         status.DONE, msk(7, 18, 35)),
        ("t3", msk(5, 12), source.OPERATOR, 8, "202", (), status.DONE, msk(8, 12)),
        ("t4", msk(5, 15), source.MISSED_CALL, 8, "202",
         ((msk(6, 10), result.BUSY), (msk(7, 10), result.NO_ANSWER)), status.FAILED, msk(7, 11)),
        ("t10", msk(5, 17), source.OPERATOR, 10, "202", ((msk(10, 20), result.ANSWERED),),
         status.DONE, msk(10, 20, 5)),
        ("t5", msk(6, 9, 15), source.TRANSFER_CAP, 9, None, (), status.OPEN, None),
        ("t6", msk(6, 10), source.MISSED_CALL, 15, "201", ((msk(7, 10), result.NO_ANSWER),),
         status.IN_PROGRESS, None),
        ("t7", msk(6, 13), source.AFTER_HOURS, 9, "202", ((msk(8, 11), result.ANSWERED),),
         status.IN_PROGRESS, None),
        ("t8", msk(6, 16), source.OPERATOR, 9, None, (), status.CANCELLED, msk(6, 17)),
        ("t9", msk(6, 23, 59, 59), source.MISSED_CALL, 9, "201", (), status.DONE, msk(9, 10)),
        ("before", msk(4, 23, 59, 59), source.MISSED_CALL, 7, "201", (), status.OPEN, None),
        ("after", msk(7, 0), source.MISSED_CALL, 9, "201", (), status.OPEN, None),
    )  # fmt: skip
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        client = Client(phone_e164="+79280000001", full_name=CLIENT, created_at=msk(1, 9))
        session.add(client)
        session.flush()
        for number, (name, created, origin, day, owner, attempts, state, closed) in enumerate(
            tasks, start=1
        ):
            task = CallbackTask(
                client_id=client.id if name == "t1" else None,
                phone_e164=f"+792800000{number:02d}",
                source=origin,
                requested_at=created,
                promised_on=date(2026, 10, day),
                owner_id=people[owner] if owner else None,
                status=state,
                closed_at=closed,
                result_note="Ответ дан" if state is status.DONE else "",
            )
            session.add(task)
            session.flush()
            assert task.id is not None
            ids[name] = task.id
            for at, outcome in attempts:
                session.add(
                    CallbackAttempt(
                        task_id=task.id, at=at, result=outcome, employee_id=task.owner_id
                    )
                )
    return ids


def add_sample_transfers(engine: Engine) -> None:
    alieva = _person(engine, "201", ALIEVA)
    kurbanov = add_person(
        engine, "301", KURBANOV, department_id=add_department(engine, "law", "Юридический отдел")
    )
    gadzhieva = add_person(
        engine,
        "302",
        GADZHIEVA,
        department_id=add_department(engine, "support", "Отдел мер поддержки"),
    )
    targets = {"301": kurbanov, "302": gadzhieva, "999": None}
    blind, attended = TransferKind.BLIND, TransferKind.ATTENDED
    done, failed = TransferOutcome.COMPLETED, TransferOutcome.FAILED
    refused, pending = TransferOutcome.REFUSED, TransferOutcome.PENDING
    answered = CallOutcome.ANSWERED
    calls: tuple[tuple[str, datetime, CallOutcome | None, tuple[_Transfer, ...]], ...] = (
        ("c1", msk(5, 10), answered, ()),
        ("c2", msk(5, 11), answered, ((blind, "301", done),)),
        ("c3", msk(5, 12), answered,
         ((blind, "301", done), (attended, "302", done), (blind, "301", refused))),
        ("c4", msk(6, 9, 30), answered,
         ((attended, "302", failed), (blind, "999", failed), (blind, "302", done))),
        ("c5", msk(6, 15), None, ((attended, "301", pending),)),
        ("later", msk(7, 10), answered, ((blind, "301", done),)),
    )  # fmt: skip
    with session_scope(engine) as session:
        for number, (linkedid, arrived, outcome, attempts) in enumerate(calls, start=1):
            call = Call(
                linkedid=linkedid,
                caller_number=f"7928100000{number}",
                caller_e164=f"+7928100000{number}",
                arrived_at=arrived,
                in_working_hours=True,
                answered_at=arrived + timedelta(seconds=20),
                operator_id=alieva,
                transfer_count=sum(1 for *_, result in attempts if result is done),
                ended_at=arrived + timedelta(minutes=10) if outcome else None,
                outcome=outcome,
            )
            session.add(call)
            session.flush()
            assert call.id is not None
            for seq, (kind, extension, result) in enumerate(attempts, start=1):
                session.add(
                    CallTransfer(
                        call_id=call.id,
                        seq=seq,
                        kind=kind,
                        outcome=result,
                        to_employee_id=targets[extension],
                        to_extension=extension,
                        at=arrived + timedelta(minutes=seq),
                    )
                )
