"""The reception schedule file behind ``consult-line visits schedule FILE``: read and check it.

``points`` are the places of reception (name, address, room, how to get there, each in Russian
and English: V5, V11); ``receptions`` say who receives (an employee's internal number from the
staff directory), where, on which weekdays and hours, and the slot length in minutes::

    receptions:
      - employee: "301"
        point: ministry
        slot_minutes: 30
        hours:
          - {days: [tue, thu], from: "10:00", to: "13:00"}

Every problem is reported with its path in the file; nothing is written while there is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from models.os_errors import os_error_reason

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SECTIONS = ("points", "receptions")
_T = TypeVar("_T", bound=BaseModel)


class ScheduleFileError(Exception):
    """The schedule cannot be loaded; the message lists every problem, one a line."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        header = f"Расписание приёма {source} не загружено, ошибок: {len(self.problems)}."
        super().__init__("\n".join([header, *(f"{source}: {p}" for p in self.problems)]))


def _clock_time(value: object) -> object:
    # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600 (minutes).
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"время «{value}» не в виде ЧЧ:ММ") from None
    return value


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
Text = Annotated[str, Field(min_length=1, max_length=255)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Bilingual(_Item):
    """A text in Russian and English (V11)."""

    ru: str = Field(min_length=1, max_length=2000)
    en: str = Field(min_length=1, max_length=2000)


class PointItem(_Item):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    name: Bilingual
    address: Bilingual
    room: Bilingual | None = None
    directions: Bilingual


class HoursItem(_Item):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    days: tuple[str, ...] = Field(min_length=1)
    opens: ClockTime = Field(alias="from")
    closes: ClockTime = Field(alias="to")


class ReceptionItem(_Item):
    employee: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]
    point: str
    slot_minutes: int = Field(ge=5, le=240)
    hours: tuple[HoursItem, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One weekday of one employee's reception, as ``reception_hours`` stores it."""

    employee: str  # internal number
    point: str  # point code
    weekday: int  # 0 = Monday
    opens: time
    closes: time
    slot_minutes: int


@dataclass(frozen=True, slots=True)
class Schedule:
    source: str
    points: tuple[PointItem, ...]
    rows: tuple[ScheduleRow, ...]


def load_schedule_file(path: Path) -> Schedule:
    """Read and check the file; raise ScheduleFileError listing every problem."""
    source = path.name
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        reason = f"не удалось прочитать файл: {os_error_reason(exc)}"
        raise ScheduleFileError(source, [reason]) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScheduleFileError(source, [f"файл не читается как YAML в UTF-8: {exc}"]) from exc
    if not isinstance(data, dict) or set(data) - set(_SECTIONS):
        raise ScheduleFileError(source, ["верхний уровень файла — разделы points и receptions"])
    problems: list[str] = []
    points = _items(data, "points", PointItem, problems)
    receptions = _items(data, "receptions", ReceptionItem, problems)
    rows = _rows(receptions, {point.code for point in points}, problems)
    _check_unique(points, problems)
    if problems:
        raise ScheduleFileError(source, problems)
    return Schedule(source, tuple(points), tuple(rows))


def _items(data: dict[str, Any], section: str, model: type[_T], problems: list[str]) -> list[_T]:
    raw = data.get(section) or []
    if not isinstance(raw, list):
        problems.append(f"{section}: нужен список")
        return []
    items: list[_T] = []
    for i, value in enumerate(raw):
        try:
            items.append(model.model_validate(value))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                problems.append(f"{section}[{i}].{where}: {error['msg']}")
    return items


def _rows(
    receptions: list[ReceptionItem], points: set[str], problems: list[str]
) -> list[ScheduleRow]:
    rows: list[ScheduleRow] = []
    for i, item in enumerate(receptions):
        if item.point not in points:
            problems.append(f"receptions[{i}].point: нет точки приёма «{item.point}» в points")
        for j, hours in enumerate(item.hours):
            where = f"receptions[{i}].hours[{j}]"
            if hours.opens >= hours.closes:
                problems.append(f"{where}: начало {hours.opens:%H:%M} не раньше конца")
            for day in hours.days:
                if day not in WEEKDAYS:
                    problems.append(
                        f"{where}.days: «{day}» — не день недели ({', '.join(WEEKDAYS)})"
                    )
                    continue
                rows.append(
                    ScheduleRow(
                        item.employee,
                        item.point,
                        WEEKDAYS.index(day),
                        hours.opens,
                        hours.closes,
                        item.slot_minutes,
                    )
                )
    _check_overlaps(rows, problems)
    return rows


def _check_overlaps(rows: list[ScheduleRow], problems: list[str]) -> None:
    ordered = sorted(rows, key=lambda r: (r.employee, r.weekday, r.opens))
    for before, after in pairwise(ordered):
        same_day = (before.employee, before.weekday) == (after.employee, after.weekday)
        if same_day and after.opens < before.closes:
            problems.append(
                f"receptions: сотрудник {before.employee} в {WEEKDAYS[before.weekday]} принимает "
                f"дважды в одно время ({before.opens:%H:%M} и {after.opens:%H:%M})"
            )


def _check_unique(points: list[PointItem], problems: list[str]) -> None:
    codes = [point.code for point in points]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        problems.append(f"points: код «{code}» повторяется")
