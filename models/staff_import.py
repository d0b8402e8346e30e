"""``consult-line staff import FILE``: write a checked staff directory to the database.

``import_staff`` upserts a ``StaffDirectory`` (see ``models.staff_file``) in the caller's
session after checking it against what the database already holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from models.rules.training import TrainingKind
from models.staff_file import EmployeeItem, Problems, StaffDirectory, unknown_department
from models.tables.staff import (
    Department,
    Employee,
    EmployeeCompetence,
    EmployeeRole,
    ServiceIntroduction,
    TrainingEntry,
)


@dataclass(frozen=True, slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did. ``not_in_file``: internal numbers of active employees the file
    does not list (deactivated when ``deactivated`` > 0, otherwise left as they were)."""

    departments: Counts
    services: Counts
    employees: Counts
    not_in_file: tuple[str, ...] = ()
    deactivated: int = 0

    @property
    def changed(self) -> bool:
        counts = (self.departments, self.services, self.employees)
        return self.deactivated > 0 or any(c.created or c.updated for c in counts)

    def lines(self) -> list[str]:
        report = [
            _counts_line("Отделы", self.departments),
            _counts_line("Новые услуги и функции", self.services),
            _counts_line("Сотрудники", self.employees),
        ]
        if self.not_in_file:
            numbers = ", ".join(self.not_in_file)
            if self.deactivated:
                report.append(f"Нет в файле, отключены ({self.deactivated}): {numbers}")
            else:
                report.append(
                    f"Нет в файле, оставлены как были ({len(self.not_in_file)}): {numbers}"
                )
        if not self.changed:
            report.append("Изменений нет.")
        return report


def _counts_line(label: str, counts: Counts) -> str:
    return (
        f"{label}: создано {counts.created}, изменено {counts.updated}, "
        f"без изменений {counts.unchanged}"
    )


def department_codes(session: Session) -> frozenset[str]:
    """Codes already in the database, for ``load_staff_file(known_departments=...)``."""
    return frozenset(session.exec(select(Department.code)).all())


def import_staff(
    *, session: Session, directory: StaffDirectory, now: datetime, deactivate_missing: bool = False
) -> ImportSummary:
    """Upsert the directory in the caller's session (the caller commits).

    Departments, services and employees are matched by code / internal number. The roles,
    competences and training records of a listed employee become exactly the file's; a row
    is written only when it differs, so a second import of the same file changes nothing.
    Trainings recorded in the console (C4) stay whatever the file says: the file's line for
    the same training adds no second record.
    Every check runs before the first write: on StaffFileError nothing has been written.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    departments = {row.code: row for row in session.exec(select(Department)).all()}
    employees = {row.internal_number: row for row in session.exec(select(Employee)).all()}
    listed = {item.internal_number for item in directory.employees}
    missing = sorted(n for n, row in employees.items() if n not in listed and row.active)
    _check_against_database(directory, departments, employees, deactivate_missing)

    department_counts = _upsert_departments(session, directory, departments)
    service_counts = _upsert_services(session, directory)
    session.flush()  # new departments get their ids
    employee_counts = _upsert_employees(session, directory, departments, employees, now)
    if deactivate_missing:
        for number in missing:
            employees[number].active = False
            employees[number].updated_at = now
    session.flush()
    return ImportSummary(
        departments=department_counts,
        services=service_counts,
        employees=employee_counts,
        not_in_file=tuple(missing),
        deactivated=len(missing) if deactivate_missing else 0,
    )


def _check_against_database(
    directory: StaffDirectory,
    departments: Mapping[str, Department],
    employees: Mapping[str, Employee],
    deactivate_missing: bool,
) -> None:
    problems = Problems(directory.source, directory.line_numbers)
    known = set(departments) | {item.code for item in directory.departments}
    listed = {item.internal_number for item in directory.employees}
    # A device may pass from an employee who leaves the line (inactive, or deactivated by
    # this import) to a new one; while its holder stays active, two people would ring.
    holders = {
        row.device: row
        for row in employees.values()
        if row.internal_number not in listed and row.active and not deactivate_missing
    }
    for i, item in enumerate(directory.employees):
        if item.department not in known:
            problems.add(("employees", i, "department"), unknown_department(item.department, known))
        holder = holders.get(item.device)
        if holder is not None:
            message = (
                f"устройство {item.device} уже закреплено в базе за сотрудником "
                f"{holder.internal_number} ({holder.full_name}), которого нет в файле; "
                "освободите устройство или отключите этого сотрудника"
            )
            problems.add(("employees", i, "device"), message)
    problems.raise_if_any()


def _copy_fields(row: SQLModel, fresh: SQLModel, names: Iterable[str]) -> bool:
    """Set the fields that differ; say whether any did (``updated`` counts stay honest)."""
    changed = False
    for name in names:
        value = getattr(fresh, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert_departments(
    session: Session, directory: StaffDirectory, existing: dict[str, Department]
) -> Counts:
    outcomes: Counter[str] = Counter()
    for item in directory.departments:
        fresh = Department(code=item.code, name=item.name, email=item.email, phone=item.phone)
        row = existing.get(item.code)
        if row is None:
            session.add(fresh)
            existing[item.code] = fresh
            outcomes["created"] += 1
        else:
            changed = _copy_fields(row, fresh, ("name", "email", "phone"))
            outcomes["updated" if changed else "unchanged"] += 1
    return Counts(**outcomes)


def _upsert_services(session: Session, directory: StaffDirectory) -> Counts:
    existing = {row.code: row for row in session.exec(select(ServiceIntroduction)).all()}
    outcomes: Counter[str] = Counter()
    for item in directory.services:
        fresh = ServiceIntroduction(
            code=item.code, title=item.title, introduced_on=item.introduced_on
        )
        row = existing.get(item.code)
        if row is None:
            session.add(fresh)
            outcomes["created"] += 1
        else:
            changed = _copy_fields(row, fresh, ("title", "introduced_on"))
            outcomes["updated" if changed else "unchanged"] += 1
    return Counts(**outcomes)


@dataclass(frozen=True, slots=True)
class _Related:
    roles: Mapping[int, Sequence[EmployeeRole]]
    competences: Mapping[int, Sequence[EmployeeCompetence]]
    training: Mapping[int, Sequence[TrainingEntry]]  # from the staff file
    recorded: Mapping[int, Sequence[TrainingEntry]]  # recorded in the console

    @classmethod
    def load(cls, session: Session) -> _Related:
        training = session.exec(select(TrainingEntry)).all()
        return cls(
            roles=_by_employee(session.exec(select(EmployeeRole)).all()),
            competences=_by_employee(session.exec(select(EmployeeCompetence)).all()),
            training=_by_employee(row for row in training if row.recorded_by is None),
            recorded=_by_employee(row for row in training if row.recorded_by is not None),
        )


def _upsert_employees(
    session: Session,
    directory: StaffDirectory,
    departments: Mapping[str, Department],
    existing: Mapping[str, Employee],
    now: datetime,
) -> Counts:
    related = _Related.load(session)
    outcomes: Counter[str] = Counter()
    for item in directory.employees:
        department_id = departments[item.department].id
        assert department_id is not None  # flushed by the caller
        fresh = Employee(
            internal_number=item.internal_number,
            full_name=item.full_name,
            device=item.device,
            department_id=department_id,
            email=item.email,
            active=True,
            updated_at=now,
        )
        row = existing.get(item.internal_number)
        if row is None:
            session.add(fresh)
            session.flush()  # its id, for the related rows
            assert fresh.id is not None
            _sync_related(session, fresh.id, item, related)
            outcomes["created"] += 1
            continue
        assert row.id is not None
        changed = _copy_fields(
            row, fresh, ("full_name", "device", "department_id", "email", "active")
        )
        changed = _sync_related(session, row.id, item, related) or changed
        if changed:
            row.updated_at = now
        outcomes["updated" if changed else "unchanged"] += 1
    return Counts(**outcomes)


def _sync_related(
    session: Session, employee_id: int, item: EmployeeItem, related: _Related
) -> bool:
    """The employee's roles, competences and training become exactly the file's."""
    roles = _sync_rows(
        session,
        related.roles.get(employee_id, ()),
        lambda row: row.role,
        item.roles,
        lambda role: EmployeeRole(employee_id=employee_id, role=role),
    )
    competences = _sync_rows(
        session,
        related.competences.get(employee_id, ()),
        lambda row: row.topic,
        item.competences,
        lambda topic: EmployeeCompetence(employee_id=employee_id, topic=topic),
    )
    recorded = {_training_key(row) for row in related.recorded.get(employee_id, ())}
    from_file = [(record.kind, record.completed_on, record.subject) for record in item.training]
    training = _sync_rows(
        session,
        related.training.get(employee_id, ()),
        _training_key,
        [key for key in from_file if key not in recorded],
        lambda key: TrainingEntry(
            employee_id=employee_id, kind=key[0], completed_on=key[1], subject=key[2]
        ),
    )
    return roles or competences or training


def _training_key(row: TrainingEntry) -> tuple[TrainingKind, date, str]:
    return (row.kind, row.completed_on, row.subject)


RowT = TypeVar("RowT", EmployeeRole, EmployeeCompetence, TrainingEntry)
KeyT = TypeVar("KeyT", bound=Hashable)


def _by_employee(rows: Iterable[RowT]) -> defaultdict[int, list[RowT]]:
    grouped: defaultdict[int, list[RowT]] = defaultdict(list)
    for row in rows:
        grouped[row.employee_id].append(row)
    return grouped


def _sync_rows(
    session: Session,
    current: Sequence[RowT],
    key: Callable[[RowT], KeyT],
    wanted: Iterable[KeyT],
    make: Callable[[KeyT], RowT],
) -> bool:
    """Make the rows' keys equal the wanted multiset, touching only the difference."""
    remaining = Counter(wanted)
    changed = False
    for row in current:
        if remaining[key(row)] > 0:
            remaining[key(row)] -= 1
        else:
            session.delete(row)
            changed = True
    for wanted_key in remaining.elements():
        session.add(make(wanted_key))
        changed = True
    return changed
