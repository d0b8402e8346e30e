"""Who answers the demo calls (C4, C9): the demo's own departments on an empty directory,
otherwise the deployer's operators; only those with valid training take calls on a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from consult_line.demo.common import row_id
from models.rules.calendar import ProductionCalendar
from models.rules.training import TrainingKind, TrainingRecord, training_status
from models.tables import (
    Department,
    Employee,
    EmployeeCompetence,
    EmployeeRole,
    Role,
    ServiceIntroduction,
    TrainingEntry,
)
from models.topics import Topic


class NoOperatorsError(ValueError):
    """The staff directory has nobody active to answer the demo's calls."""


@dataclass(frozen=True, slots=True)
class _DemoPerson:
    number: str
    name: str
    department: str
    role: Role
    topics: tuple[Topic, ...]
    # (kind, days before now) — C4: 201, 202 valid; 203 lapsed; 204 new hire; 205 untrained.
    training: tuple[tuple[TrainingKind, int], ...] = ()


_DEMO_DEPARTMENTS = (
    ("demo-line", "Отдел консультационной линии (демо)"),
    ("demo-services", "Отдел лицензирования и государственных услуг (демо)"),
    ("demo-support", "Отдел государственной поддержки промышленности (демо)"),
    ("demo-control", "Отдел контроля и надзора (демо)"),
)
_LINE_TOPICS = (Topic.GENERAL, Topic.HOURS_AND_VISITS)
_DEMO_STAFF = (
    _DemoPerson("100", "Магомедов Шамиль Расулович", "demo-line", Role.ADMIN, ()),
    _DemoPerson("101", "Сулейманова Аминат Исаевна", "demo-line", Role.SUPERVISOR, ()),
    _DemoPerson("102", "Ахмедова Заира Курбановна", "demo-services", Role.KB_EDITOR, ()),
    _DemoPerson(
        "201", "Алиева Патимат Магомедовна", "demo-line", Role.OPERATOR, _LINE_TOPICS,
        ((TrainingKind.INITIAL, 1100), (TrainingKind.PERIODIC, 240)),
    ),
    _DemoPerson(
        "202", "Абдуллаев Руслан Ахмедович", "demo-line", Role.OPERATOR, _LINE_TOPICS,
        ((TrainingKind.INITIAL, 400),),
    ),
    _DemoPerson(
        "203", "Гасанова Мадина Рашидовна", "demo-line", Role.OPERATOR, _LINE_TOPICS,
        ((TrainingKind.INITIAL, 800),),
    ),
    _DemoPerson(
        "204", "Курбанов Арсен Камилович", "demo-line", Role.OPERATOR, _LINE_TOPICS,
        ((TrainingKind.INITIAL, 12),),
    ),
    _DemoPerson("205", "Омарова Саида Гаджиевна", "demo-line", Role.OPERATOR, _LINE_TOPICS),
    _DemoPerson(
        "301", "Гаджиев Марат Шамилович", "demo-services", Role.EXPERT,
        (Topic.STATE_SERVICES, Topic.MESSAGES),
    ),
    _DemoPerson(
        "302", "Исмаилова Джамиля Арсеновна", "demo-support", Role.EXPERT,
        (Topic.SUPPORT_MEASURES,),
    ),
    _DemoPerson(
        "303", "Рамазанов Тимур Магомедович", "demo-control", Role.EXPERT,
        (Topic.CONTROL_SUPERVISION,),
    ),
)  # fmt: skip
_TRAINING_SUBJECT = "Работа на консультационной линии (демо)"


@dataclass(slots=True)
class Staff:
    operators: list[Employee]
    experts: list[Employee]
    training: dict[int, list[TrainingRecord]]
    introductions: list[date]
    _duty: dict[date, list[Employee]] = field(default_factory=dict)

    def on_duty(self, day: date) -> list[Employee]:
        """C4: only operators whose training is valid that day go "ready"; if none, all."""
        if day not in self._duty:
            valid = [
                operator
                for operator in self.operators
                if training_status(
                    self.training.get(row_id(operator), []), self.introductions, day
                ).may_take_calls
            ]
            self._duty[day] = valid or list(self.operators)
        return self._duty[day]


def load_staff(session: Session, now: datetime, calendar: ProductionCalendar) -> tuple[Staff, int]:
    """The demo's own staff only on an empty directory; otherwise the deployer's operators.

    Returns the staff and how many employees the demo created.
    """
    created = 0
    if session.exec(select(func.count()).select_from(Employee)).one() == 0:
        created = _create_demo_staff(session, now, now.astimezone(calendar.tz).date())
    operators = _employees_with(session, Role.OPERATOR)
    if not operators:  # a directory without roles: anyone active may stand in
        query = select(Employee).where(col(Employee.active)).order_by(col(Employee.internal_number))
        operators = list(session.exec(query))
    if not operators:
        raise NoOperatorsError("в справочнике сотрудников нет ни одного активного оператора")
    training = _training_records(session)
    introductions = list(session.exec(select(col(ServiceIntroduction.introduced_on))))
    experts = _employees_with(session, Role.EXPERT)
    return Staff(operators, experts, training, introductions), created


def _training_records(session: Session) -> dict[int, list[TrainingRecord]]:
    training: dict[int, list[TrainingRecord]] = {}
    for entry in session.exec(select(TrainingEntry).order_by(col(TrainingEntry.id))):
        record = TrainingRecord(entry.kind, entry.completed_on)
        training.setdefault(entry.employee_id, []).append(record)
    return training


def _employees_with(session: Session, role: Role) -> list[Employee]:
    query = (
        select(Employee)
        .join(EmployeeRole, col(EmployeeRole.employee_id) == col(Employee.id))
        .where(col(EmployeeRole.role) == role, col(Employee.active))
        .order_by(col(Employee.internal_number))
    )
    return list(session.exec(query))


def _create_demo_staff(session: Session, now: datetime, today: date) -> int:
    departments = {code: Department(code=code, name=name) for code, name in _DEMO_DEPARTMENTS}
    session.add_all(departments.values())
    session.flush()
    people = [
        Employee(
            internal_number=person.number,
            full_name=person.name,
            device=f"PJSIP/{person.number}",
            department_id=row_id(departments[person.department]),
            updated_at=now,
        )
        for person in _DEMO_STAFF
    ]
    session.add_all(people)
    session.flush()
    rows: list[EmployeeRole | EmployeeCompetence | TrainingEntry] = []
    for person, employee in zip(_DEMO_STAFF, people, strict=True):
        rows += _person_rows(person, row_id(employee), today)
    session.add_all(rows)
    session.flush()
    return len(people)


def _person_rows(
    person: _DemoPerson, employee_id: int, today: date
) -> list[EmployeeRole | EmployeeCompetence | TrainingEntry]:
    rows: list[EmployeeRole | EmployeeCompetence | TrainingEntry] = [
        EmployeeRole(employee_id=employee_id, role=person.role)
    ]
    rows += [EmployeeCompetence(employee_id=employee_id, topic=t) for t in person.topics]
    rows += [
        TrainingEntry(
            employee_id=employee_id,
            kind=kind,
            completed_on=today - timedelta(days=ago),
            subject=_TRAINING_SUBJECT,
        )
        for kind, ago in person.training
    ]
    return rows
