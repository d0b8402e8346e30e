"""Writes a checked reception schedule (``visits.schedule_file``) to the database.

Points are matched by code and written only when they differ. ``reception_hours`` becomes
exactly the file's: a row is matched by (employee, weekday, opening), changed when its point,
closing or slot length differ, removed when the file no longer has it. Bookings already made
keep their time and place (they do not point at the schedule's rows). A second import of the
same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models.tables import Employee, ReceptionHours, ReceptionPoint
from visits.schedule_file import PointItem, Schedule, ScheduleFileError


@dataclass(frozen=True, slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(frozen=True, slots=True)
class ScheduleSummary:
    points: Counts
    hours: Counts

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.removed for c in (self.points, self.hours))

    def lines(self) -> list[str]:
        report = [
            _line("Точки приёма", self.points),
            _line("Часы приёма (сотрудник, день недели)", self.hours),
        ]
        return report if self.changed else [*report, "Изменений нет."]


def _line(label: str, counts: Counts) -> str:
    removed = f", удалено {counts.removed}" if counts.removed else ""
    return (
        f"{label}: создано {counts.created}, изменено {counts.updated}, "
        f"без изменений {counts.unchanged}{removed}"
    )


def import_schedule(*, session: Session, schedule: Schedule, now: datetime) -> ScheduleSummary:
    """Upsert the schedule in the caller's session (the caller commits). Employees are
    looked up by internal number; an unknown or inactive one refuses the whole file."""
    employees = {e.internal_number: e for e in session.exec(select(Employee)).all()}
    problems = [
        f"receptions: сотрудника с внутренним номером {number} нет в справочнике "
        "(consult-line staff import) или он отключён"
        for number in sorted({row.employee for row in schedule.rows})
        if number not in employees or not employees[number].active
    ]
    if problems:
        raise ScheduleFileError(schedule.source, problems)
    points, point_counts = _upsert_points(session, schedule.points, now)
    existing = {
        (row.employee_id, row.weekday, row.opens): row
        for row in session.exec(select(ReceptionHours)).all()
    }
    created = updated = unchanged = 0
    for item in schedule.rows:
        employee_id = employees[item.employee].id
        point_id = points[item.point].id
        assert employee_id is not None
        assert point_id is not None
        row = existing.pop((employee_id, item.weekday, item.opens), None)
        wanted = (point_id, item.closes, item.slot_minutes)
        if row is None:
            created += 1
            row = ReceptionHours(
                employee_id=employee_id,
                point_id=point_id,
                weekday=item.weekday,
                opens=item.opens,
                closes=item.closes,
                slot_minutes=item.slot_minutes,
            )
        elif (row.point_id, row.closes, row.slot_minutes) != wanted:
            updated += 1
            row.point_id, row.closes, row.slot_minutes = wanted
        else:
            unchanged += 1
            continue
        session.add(row)
    for row in existing.values():
        session.delete(row)
    session.flush()
    return ScheduleSummary(point_counts, Counts(created, updated, unchanged, len(existing)))


def _upsert_points(
    session: Session, items: tuple[PointItem, ...], now: datetime
) -> tuple[dict[str, ReceptionPoint], Counts]:
    rows = {row.code: row for row in session.exec(select(ReceptionPoint)).all()}
    created = updated = unchanged = 0
    for item in items:
        fields = _point_fields(item)
        row = rows.get(item.code)
        if row is None:
            created += 1
            row = rows[item.code] = ReceptionPoint.model_validate(
                {"code": item.code, "updated_at": now, **fields}
            )
        elif any(getattr(row, name) != value for name, value in fields.items()):
            updated += 1
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = now
        else:
            unchanged += 1
            continue
        session.add(row)
    session.flush()
    return rows, Counts(created, updated, unchanged)


def _point_fields(item: PointItem) -> dict[str, object]:
    return {
        "name_ru": item.name.ru,
        "name_en": item.name.en,
        "address_ru": item.address.ru,
        "address_en": item.address.en,
        "room_ru": item.room.ru if item.room else "",
        "room_en": item.room.en if item.room else "",
        "directions_ru": item.directions.ru,
        "directions_en": item.directions.en,
    }
