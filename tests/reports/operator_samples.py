"""Six operators, their training and their calls of Monday 5 and Tuesday 6 October 2026 (Moscow
time), seen on Wednesday 14 October 2026. The tests work out their figures by hand from here.

Services: ``grant-2024`` introduced 01.06.2024, ``alco-epgu`` introduced 01.09.2024.

=== =================== ========= ========================================= ===================
no. operator            dept.     training                                  on 14.10.2026
=== =================== ========= ========================================= ===================
201 Алиева Патимат      consult   initial 10.05.2023, new 10.09.2024        trained until
                                  (alco), periodic 02.03.2026               02.03.2028
202 Баширов Омар        consult   initial 01.07.2024                        new service alco-epgu
                                                                            (since 01.09.2024)
203 Гасанова Зарема     second    initial 16.05.2022, new 20.09.2024 (alco) expired 20.09.2026
204 Давудов Арсен       second    —                                         no initial
205 Ибрагимова Мадина   consult   initial 01.11.2022, new 05.11.2024 (alco) due 05.11.2026
206 Курбанов Тимур      consult   — (no longer active)                      no initial
207 Магомедов Руслан    consult   — (no longer active, no call: left out)
=== =================== ========= ========================================= ===================

Calls (answered ones; ``owed``: ended without a wrap-up or a dismissal):

====  ================  ========  =======  ===========================
no.   arrived (MSK)     operator  talk, s  wrap-up
====  ================  ========  =======  ===========================
a1    05.10 09:00       201       120      written
a2    05.10 10:00       201       300      owed
a3    06.10 11:00       201       60       dismissed
a4    06.10 12:00       201       —        none, the call goes on
b1    05.10 00:00:00    202       46       owed
b2    06.10 23:59:59    202       30       owed
c1    05.10 14:00       203       200      written
e1    06.10 09:30       205       —        owed (talk time unknown)
k1    05.10 16:00       206       90       written
====  ================  ========  =======  ===========================

Left out: 202's calls of 04.10 23:59:59 and 07.10 00:00 (outside the period), a missed call.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.missed import CallOutcome, MissedReason
from models.rules.training import TrainingKind
from models.tables import (
    Call,
    CallWrapup,
    Department,
    Employee,
    EmployeeRole,
    Role,
    ServiceIntroduction,
    TrainingEntry,
    WrapupDismissal,
)
from reports.period import Period

MSK = ZoneInfo("Europe/Moscow")
PERIOD = Period(date(2026, 10, 5), date(2026, 10, 6))
TODAY = date(2026, 10, 14)
NOW = datetime(2026, 10, 14, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
CREATED = datetime(2026, 1, 1, tzinfo=UTC)

ALIEVA, BASHIROV, GASANOVA = "Алиева Патимат", "Баширов Омар", "Гасанова Зарема"
DAVUDOV, IBRAGIMOVA, KURBANOV = "Давудов Арсен", "Ибрагимова Мадина", "Курбанов Тимур"
MAGOMEDOV = "Магомедов Руслан"
INITIAL, NEW, PERIODIC = TrainingKind.INITIAL, TrainingKind.NEW_SERVICE, TrainingKind.PERIODIC

_OPERATORS: tuple[tuple[str, str, str, bool, tuple[tuple[TrainingKind, date, str], ...]], ...] = (
    ("201", ALIEVA, "consult", True, (
        (INITIAL, date(2023, 5, 10), ""),
        (NEW, date(2024, 9, 10), "alco-epgu"),
        (PERIODIC, date(2026, 3, 2), ""),
    )),
    ("202", BASHIROV, "consult", True, ((INITIAL, date(2024, 7, 1), ""),)),
    ("203", GASANOVA, "second", True, (
        (INITIAL, date(2022, 5, 16), ""),
        (NEW, date(2024, 9, 20), "alco-epgu"),
    )),
    ("204", DAVUDOV, "second", True, ()),
    ("205", IBRAGIMOVA, "consult", True, (
        (INITIAL, date(2022, 11, 1), ""),
        (NEW, date(2024, 11, 5), "alco-epgu"),
    )),
    ("206", KURBANOV, "consult", False, ()),
    ("207", MAGOMEDOV, "consult", False, ()),
)  # fmt: skip


def msk(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, second, tzinfo=MSK)


def add_operators(engine: Engine) -> dict[str, int]:
    """The operators and services above; returns employee ids by internal number."""
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        departments = {}
        for code, name in (("consult", "Консультации"), ("second", "Вторая линия")):
            department = Department(code=code, name=name)
            session.add(department)
            session.flush()
            assert department.id is not None
            departments[code] = department.id
        for code, title, introduced_on in (
            ("grant-2024", "Грант 2024", date(2024, 6, 1)),
            ("alco-epgu", "Лицензия через ЕПГУ", date(2024, 9, 1)),
        ):
            session.add(ServiceIntroduction(code=code, title=title, introduced_on=introduced_on))
        for number, name, department, active, training in _OPERATORS:
            employee = Employee(
                internal_number=number,
                full_name=name,
                device=f"PJSIP/{number}",
                department_id=departments[department],
                active=active,
                updated_at=CREATED,
            )
            session.add(employee)
            session.flush()
            assert employee.id is not None
            ids[number] = employee.id
            session.add(EmployeeRole(employee_id=employee.id, role=Role.OPERATOR))
            for kind, completed_on, subject in training:
                session.add(
                    TrainingEntry(
                        employee_id=employee.id,
                        kind=kind,
                        completed_on=completed_on,
                        subject=subject,
                    )
                )
    return ids


def add_operator_calls(engine: Engine) -> dict[str, int]:
    ids = add_operators(engine)
    with session_scope(engine) as session:
        # linkedid, arrived, operator, talk (s), ended, wrap-up: "written", "dismissed", ""
        calls: tuple[tuple[str, datetime, str, float | None, bool, str], ...] = (
            ("a1", msk(5, 9), "201", 120, True, "written"),
            ("a2", msk(5, 10), "201", 300, True, ""),
            ("a3", msk(6, 11), "201", 60, True, "dismissed"),
            ("a4", msk(6, 12), "201", None, False, ""),
            ("b1", msk(5, 0), "202", 46, True, ""),
            ("b2", msk(6, 23, 59, 59), "202", 30, True, ""),
            ("c1", msk(5, 14), "203", 200, True, "written"),
            ("e1", msk(6, 9, 30), "205", None, True, ""),
            ("k1", msk(5, 16), "206", 90, True, "written"),
            ("before", msk(4, 23, 59, 59), "202", 100, True, ""),
            ("after", msk(7, 0), "202", 100, True, ""),
        )
        for linkedid, arrived, number, talk, ended, wrapup in calls:
            answered = arrived + timedelta(seconds=10)
            call = Call(
                linkedid=linkedid,
                arrived_at=arrived,
                in_working_hours=True,
                answered_at=answered,
                operator_id=ids[number],
                talk_s=talk,
                ended_at=answered + timedelta(seconds=(talk or 5) + 1) if ended else None,
                outcome=CallOutcome.ANSWERED if ended else None,
            )
            session.add(call)
            session.flush()
            assert call.id is not None
            if wrapup == "written":
                session.add(
                    CallWrapup(
                        call_id=call.id,
                        kb_answer_found=True,
                        created_at=answered + timedelta(minutes=10),
                        operator_id=ids[number],
                    )
                )
            elif wrapup == "dismissed":
                session.add(
                    WrapupDismissal(
                        call_id=call.id,
                        employee_id=ids[number],
                        at=answered + timedelta(minutes=10),
                        reason="Тестовый звонок",
                    )
                )
        session.add(
            Call(
                linkedid="missed",
                arrived_at=msk(5, 11),
                in_working_hours=True,
                ended_at=msk(5, 11, 1),
                outcome=CallOutcome.MISSED,
                missed_reason=MissedReason.ABANDONED_IN_QUEUE,
            )
        )
    return ids
