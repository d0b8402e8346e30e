"""Rows the call card's tests write straight into a migrated database, and their clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.callbacks import CallbackStatus, TimeWindow
from models.rules.missed import CallOutcome
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    Client,
    Department,
    Employee,
    EmployeeCompetence,
    Language,
)
from models.topics import Topic

MSK = ZoneInfo("Europe/Moscow")
# Thursday 3 December 2026, 10:00 in Makhachkala: the line is open.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=MSK)
CREATED = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
CALLER = "+79281234567"


def msk(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


def window(day: int, start: int, end: int, month: int = 12) -> TimeWindow:
    return TimeWindow(msk(day, start, month=month), msk(day, end, month=month))


def add_department(engine: Engine, code: str, name: str) -> int:
    with session_scope(engine) as session:
        department = Department(code=code, name=name)
        session.add(department)
        session.flush()
        assert department.id is not None
        return department.id


def add_person(
    engine: Engine,
    number: str,
    full_name: str,
    *,
    department_id: int | None = None,
    topics: Sequence[Topic] = (),
    active: bool = True,
    device: str | None = None,
) -> int:
    """An employee with internal ``number``, device ``PJSIP/<number>`` and competences."""
    if department_id is None:
        department_id = add_department(engine, f"dep-{number}", f"Отдел {number}")
    with session_scope(engine) as session:
        employee = Employee(
            internal_number=number,
            full_name=full_name,
            device=f"PJSIP/{number}" if device is None else device,
            department_id=department_id,
            active=active,
            updated_at=CREATED,
        )
        session.add(employee)
        session.flush()
        assert employee.id is not None
        for topic in topics:
            session.add(EmployeeCompetence(employee_id=employee.id, topic=topic))
        return employee.id


def add_client(engine: Engine, phone: str, full_name: str | None, language: Language) -> int:
    with session_scope(engine) as session:
        client = Client(
            phone_e164=phone, full_name=full_name, language=language, created_at=CREATED
        )
        session.add(client)
        session.flush()
        assert client.id is not None
        return client.id


def add_call(
    engine: Engine,
    linkedid: str,
    *,
    operator_id: int | None = None,
    arrived_at: datetime = NOW - timedelta(minutes=5),
    ended: bool = False,
    caller_e164: str | None = CALLER,
    client_id: int | None = None,
    topic: Topic | None = Topic.STATE_SERVICES,
    language: Language | None = Language.RU,
    outcome: CallOutcome | None = None,
) -> int:
    """A call of the line; answered when ``operator_id`` is given, ended when ``ended``."""
    answered_at = arrived_at + timedelta(seconds=40) if operator_id is not None else None
    with session_scope(engine) as session:
        call = Call(
            linkedid=linkedid,
            client_id=client_id,
            caller_number=caller_e164.removeprefix("+") if caller_e164 else "",
            caller_e164=caller_e164,
            caller_name="CID NAME",
            arrived_at=arrived_at,
            in_working_hours=True,
            language=language,
            ivr_path="language:1>topic:1",
            topic=topic,
            answered_at=answered_at,
            operator_id=operator_id,
            ended_at=arrived_at + timedelta(minutes=3) if ended else None,
            outcome=(outcome or (CallOutcome.ANSWERED if operator_id else CallOutcome.MISSED))
            if ended
            else None,
        )
        session.add(call)
        session.flush()
        assert call.id is not None
        return call.id


def add_task(
    engine: Engine,
    *,
    phone: str = CALLER,
    promised_on: date = date(2026, 12, 4),
    owner_id: int | None = None,
    status: CallbackStatus = CallbackStatus.OPEN,
    windows: Sequence[TimeWindow] = (),
    requested_at: datetime = NOW - timedelta(days=1),
    source: CallbackSource = CallbackSource.MISSED_CALL,
    client_id: int | None = None,
) -> int:
    with session_scope(engine) as session:
        task = CallbackTask(
            client_id=client_id,
            phone_e164=phone,
            source=source,
            requested_at=requested_at,
            promised_on=promised_on,
            owner_id=owner_id,
            status=status,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        for agreed in windows:
            session.add(
                CallbackWindow(task_id=task.id, starts_at=agreed.starts_at, ends_at=agreed.ends_at)
            )
        return task.id
