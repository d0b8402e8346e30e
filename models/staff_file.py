"""The staff directory file behind ``consult-line staff import FILE``: read and check it.

One YAML file provisions a deployment: departments, the Ministry's new services and functions
(operators are retrained when one appears, C4), and employees with internal number, device,
roles, competences by topic (transfers go by competence, C9) and training records (C4).

``load_staff_file`` checks everything that can be checked without the database and reports
every problem with file, line and field path; ``models.staff_import`` writes the result.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from models.os_errors import os_error_reason
from models.rules.training import TrainingKind
from models.tables.staff import Role
from models.topics import Topic

Loc = tuple[str | int, ...]

# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True, slots=True)
class StaffProblem:
    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class StaffFileError(Exception):
    """The staff file cannot be imported; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: Iterable[StaffProblem]) -> None:
        self.source = source
        self.problems = tuple(sorted(problems, key=lambda problem: problem.line or 0))
        count = len(self.problems)
        header = f"Справочник сотрудников {source} не загружен, ошибок: {count}."
        super().__init__("\n".join([header, *map(str, self.problems)]))


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, or of its nearest ancestor written in the file (a missing field)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


class Problems:
    """Problems collected with their lines; ``models.staff_import`` reports through it too."""

    def __init__(self, source: str, lines: Mapping[Loc, int]) -> None:
        self.source = source
        self.lines = lines
        self.found: list[StaffProblem] = []

    def add(self, loc: Loc, message: str, *, line: int | None = None) -> None:
        line = _line_of(self.lines, loc) if line is None else line
        self.found.append(StaffProblem(self.source, line, _dotted(loc), message))

    def raise_if_any(self) -> None:
        if self.found:
            raise StaffFileError(self.source, self.found)


def _fatal(source: str, line: int | None, message: str) -> StaffFileError:
    return StaffFileError(source, [StaffProblem(source, line, "", message)])


def _shown(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "пусто"
    if isinstance(value, list | tuple):
        return "список"
    if isinstance(value, dict):
        return "словарь"
    return str(value)


# ---------------------------------------------------------------------------------------------
# The file's items (pydantic: extra keys are refused, so a typo such as ``competence:`` shows)


def _formatted(pattern: str, hint: str) -> AfterValidator:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if regex.fullmatch(value) is None:
            raise PydanticCustomError(
                "staff_format", "«{value}» — {hint}", {"value": value, "hint": hint}
            )
        return value

    return AfterValidator(check)


def _one_of(enum_cls: type[StrEnum]) -> BeforeValidator:
    allowed = ", ".join(member.value for member in enum_cls)

    def check(value: object) -> object:
        if isinstance(value, str) and value.strip() in enum_cls._value2member_map_:
            return enum_cls(value.strip())
        raise PydanticCustomError(
            "staff_choice",
            "«{value}» — нет такого значения; допустимые: {allowed}",
            {"value": _shown(value), "allowed": allowed},
        )

    return BeforeValidator(check)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "staff_date", "«{value}» — такой даты нет", {"value": value}
            ) from None
    raise PydanticCustomError(
        "staff_date", "«{value}» — ожидается дата вида 2025-09-01", {"value": _shown(value)}
    )


def _not_in_future(value: date, info: ValidationInfo) -> date:
    today = (info.context or {}).get("today")
    if isinstance(today, date) and value > today:
        raise PydanticCustomError(
            "staff_future",
            "«{value}» — дата ещё не наступила (сегодня {today})",
            {"value": str(value), "today": str(today)},
        )
    return value


def _none_as_empty(value: object) -> object:
    return () if value is None else value


def _none_as_blank(value: object) -> object:
    return "" if value is None else value


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Code = Annotated[
    str,
    _text(32),
    _formatted(
        r"[a-z0-9_-]{1,32}", "код из строчных латинских букв, цифр, «_» и «-», например consult"
    ),
]
ServiceCode = Annotated[
    str,
    _text(64),
    _formatted(r"[a-z0-9_-]{1,64}", "код из строчных латинских букв, цифр, «_» и «-»"),
]
InternalNumber = Annotated[
    str, _text(6), _formatted(r"[0-9]{2,6}", "ожидается внутренний номер из 2–6 цифр, например 201")
]
Device = Annotated[
    str,
    _text(64),
    _formatted(r"(PJSIP|SIP|IAX2|DAHDI|Local)/[A-Za-z0-9_.@-]+", "ожидается вид PJSIP/201"),
]
Email = Annotated[
    str,
    _text(255),
    _formatted(r"[^@\s]+@[^@\s]+\.[^@\s]+", "ожидается адрес вида otdel@example.org"),
]
Phone = Annotated[
    str,
    _text(32),
    _formatted(
        r"\+?[0-9][0-9 ()-]{4,31}", "ожидается телефон из цифр, пробелов, «+», «(», «)», «-»"
    ),
]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DepartmentItem(_Item):
    code: Code
    name: Annotated[str, _text(255)]
    email: Email | None = None
    phone: Phone | None = None


class ServiceItem(_Item):
    """A new service or function of the Ministry: operators are retrained on it (C4)."""

    code: ServiceCode
    title: Annotated[str, _text(255)]
    introduced_on: IsoDate


class TrainingItem(_Item):
    kind: Annotated[TrainingKind, _one_of(TrainingKind)]
    completed_on: Annotated[IsoDate, AfterValidator(_not_in_future)]
    subject: Annotated[
        str,
        BeforeValidator(_none_as_blank),
        StringConstraints(strip_whitespace=True, max_length=255),
    ] = ""


class EmployeeItem(_Item):
    internal_number: InternalNumber
    full_name: Annotated[str, _text(255)]
    device: Device
    department: Code
    email: Email | None = None  # where the reminders of written messages' deadlines go
    roles: Annotated[tuple[Annotated[Role, _one_of(Role)], ...], Field(min_length=1)]
    competences: Annotated[
        tuple[Annotated[Topic, _one_of(Topic)], ...], BeforeValidator(_none_as_empty)
    ] = ()
    training: Annotated[tuple[TrainingItem, ...], BeforeValidator(_none_as_empty)] = ()


_SECTIONS: dict[str, type[_Item]] = {
    "departments": DepartmentItem,
    "services": ServiceItem,
    "employees": EmployeeItem,
}


@dataclass(frozen=True)
class StaffDirectory:
    """A checked staff file; ``line_numbers`` (field path → line) serve import-time problems."""

    source: str
    departments: tuple[DepartmentItem, ...]
    services: tuple[ServiceItem, ...]
    employees: tuple[EmployeeItem, ...]
    line_numbers: Mapping[Loc, int] = field(default_factory=dict, repr=False, compare=False)


# ---------------------------------------------------------------------------------------------
# Loading

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# Plain scalars under these keys are read as written: ``internal_number: 0201`` stays "0201"
# (YAML 1.1 would read octal 129) and ``name: yes`` is not a boolean.
_TEXT_KEYS = frozenset(
    {
        "code",
        "name",
        "email",
        "phone",
        "title",
        "subject",
        "internal_number",
        "full_name",
        "device",
        "department",
    }
)


def load_staff_file(
    path: Path, *, today: date, known_departments: Collection[str] = ()
) -> StaffDirectory:
    """Read and check a staff file; raise StaffFileError listing every problem.

    ``today`` (local date) bounds training dates. ``known_departments`` are department codes
    already in the database, which employees may reference without listing them again.
    """
    if isinstance(today, datetime):
        raise TypeError("today must be a date, not a datetime")
    source = path.name
    root = _compose(_read_text(path, source), source)
    lines: dict[Loc, int] = {}
    problems = Problems(source, lines)
    _index(root, (), lines, problems, set())
    data = _construct(root, source)
    if not isinstance(data, dict):
        line = root.start_mark.line + 1
        raise _fatal(source, line, "верхний уровень файла — словарь с разделами " + _sections())
    for key in data:
        if key not in _SECTIONS:
            problems.add((str(key),), f"неизвестный раздел «{key}»{_guess(key, _SECTIONS)}")
    context = {"today": today}
    departments = _validate_section(data, "departments", DepartmentItem, context, problems)
    services = _validate_section(data, "services", ServiceItem, context, problems)
    employees = _validate_section(data, "employees", EmployeeItem, context, problems)
    _check_file(departments, services, employees, known_departments, problems)
    problems.raise_if_any()
    return StaffDirectory(
        source=source,
        departments=tuple(DepartmentItem.model_validate(v) for _, v in departments),
        services=tuple(ServiceItem.model_validate(v) for _, v in services),
        employees=tuple(EmployeeItem.model_validate(v) for _, v in employees),
        line_numbers=lines,
    )


def _read_text(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fatal(source, None, f"не удалось прочитать файл: {os_error_reason(exc)}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = (
            f"файл не в кодировке UTF-8 (байт 0x{raw[exc.start]:02X}); "
            "сохраните его в UTF-8 и повторите"
        )
        raise _fatal(source, line, message) from exc


def _compose(text: str, source: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "неизвестная ошибка"
        message = f"ошибка синтаксиса YAML: {detail} (проверьте отступы, двоеточия и кавычки)"
        raise _fatal(source, None if mark is None else mark.line + 1, message) from exc
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise _fatal(source, line, "недопустимый символ в файле") from exc
    if root is None:
        raise _fatal(source, None, "файл пуст; нужны разделы " + _sections())
    return root


def _index(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: Problems, open_: set[int]
) -> None:
    """Map each field path to its line, normalise text scalars, find duplicate keys."""
    if id(node) in open_:  # a recursive alias
        return
    open_.add(id(node))
    if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP:
        node.tag = _STR  # dates are parsed by the schema, so that a bad one gets its line
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in seen:
                message = f"ключ «{key}» повторяется (уже был в строке {seen[key]})"
                problems.add((*loc, key), message, line=line)
            seen.setdefault(key, line)
            lines[(*loc, key)] = line
            if key in _TEXT_KEYS and _is_plain_value(value_node):
                value_node.tag = _STR
            _index(value_node, (*loc, key), lines, problems, open_)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            lines[(*loc, position)] = item.start_mark.line + 1
            _index(item, (*loc, position), lines, problems, open_)
    open_.discard(id(node))


def _is_plain_value(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.tag != _NULL


def _construct(root: yaml.Node, source: str) -> object:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"значение YAML не читается: {exc.problem or exc.context}"
        raise _fatal(source, None if mark is None else mark.line + 1, message) from exc
    finally:
        loader.dispose()


def _sections() -> str:
    return ", ".join(_SECTIONS)


def _guess(word: object, choices: Iterable[str]) -> str:
    known = list(choices)
    close = difflib.get_close_matches(str(word), known, n=1)
    hint = f" (может быть, {close[0]}?)" if close else ""
    return f"{hint}; допустимые: {', '.join(known)}"


# An item's fields that are valid on their own, so that the checks across items still run
# for an item with an error elsewhere (every problem is reported in one go).
Fields = dict[str, Any]


def _validate_section(
    data: Mapping[Any, Any],
    section: str,
    model: type[_Item],
    context: Mapping[str, object],
    problems: Problems,
) -> list[tuple[int, Fields]]:
    raw = data.get(section)
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add((section,), "ожидается список записей, каждая начинается с «- »")
        return []
    checked: list[tuple[int, Fields]] = []
    for position, item in enumerate(raw):
        try:
            valid = model.model_validate(item, context=context)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            for error in errors:
                loc = (section, position, *error["loc"])
                problems.add(loc, _message(error, model, loc))
            bad = {error["loc"][0] for error in errors if error["loc"]}
            checked.append((position, _valid_fields(model, item, bad, context)))
        else:
            checked.append((position, {name: getattr(valid, name) for name in model.model_fields}))
    return checked


def _valid_fields(
    model: type[_Item], item: object, bad: Collection[str | int], context: Mapping[str, object]
) -> Fields:
    if not isinstance(item, dict):
        return {}
    fields: Fields = {}
    for name, info in model.model_fields.items():
        if name in bad:
            continue
        if name not in item:
            if not info.is_required():
                fields[name] = info.default
            continue
        annotated = cast(Any, Annotated)[(info.annotation, *info.metadata)]
        adapter: TypeAdapter[Any] = TypeAdapter(annotated)
        fields[name] = adapter.validate_python(item[name], context=context)
    return fields


def _message(error: ErrorDetails, model: type[_Item], loc: Loc) -> str:
    """pydantic's error, said in Russian."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind.startswith("staff_"):
        return error["msg"]
    if kind == "extra_forbidden":
        owner = TrainingItem if len(loc) >= 3 and loc[-3] == "training" else model
        return f"неизвестное поле «{loc[-1]}»{_guess(loc[-1], owner.model_fields)}"
    messages = {
        "missing": "обязательное поле не указано",
        "string_type": f"«{_shown(error['input'])}» — ожидается текст",
        "string_too_short": "пустое значение",
        "string_too_long": f"слишком длинно: не больше {ctx.get('max_length')} символов",
        "tuple_type": "ожидается список, например [operator]",
        "too_short": "пустой список: нужно хотя бы одно значение",
        "model_type": "ожидается запись из полей вида «ключ: значение»",
        "model_attributes_type": "ожидается запись из полей вида «ключ: значение»",
    }
    return messages.get(kind, error["msg"])


def _check_file(
    departments: Sequence[tuple[int, Fields]],
    services: Sequence[tuple[int, Fields]],
    employees: Sequence[tuple[int, Fields]],
    known_departments: Collection[str],
    problems: Problems,
) -> None:
    """What one item cannot see alone: repeats, department references, experts' competences."""
    for section, items, name in (
        ("departments", departments, "code"),
        ("services", services, "code"),
        ("employees", employees, "internal_number"),
        ("employees", employees, "device"),
    ):
        _unique(problems, [((section, i, name), v[name]) for i, v in items if name in v])
    known = {v["code"] for _, v in departments if "code" in v} | set(known_departments)
    for i, employee in employees:
        loc: Loc = ("employees", i)
        if "department" in employee and employee["department"] not in known:
            problems.add((*loc, "department"), unknown_department(employee["department"], known))
        for name in ("roles", "competences", "training"):
            values = employee.get(name, ())
            _unique(problems, [((*loc, name, k), value) for k, value in enumerate(values)])
        # C9: the console transfers to experts by competence; one without any is unreachable.
        if Role.EXPERT in employee.get("roles", ()) and employee.get("competences") == ():
            message = (
                "у эксперта (роль expert) должна быть хотя бы одна компетенция: "
                "звонки переводят по компетенциям"
            )
            problems.add((*loc, "competences"), message)


def unknown_department(code: str, known: Collection[str]) -> str:
    """The message for a department neither listed in the file nor in the database."""
    listed = ", ".join(sorted(known)) or "нет ни одного"
    return (
        f"неизвестный отдел «{code}»: его нет ни в разделе departments, "
        f"ни в базе; известные: {listed}"
    )


def _unique(problems: Problems, entries: Iterable[tuple[Loc, Hashable]]) -> None:
    first: dict[Hashable, Loc] = {}
    for loc, value in entries:
        earlier = first.setdefault(value, loc)
        if earlier != loc:
            shown = f"«{value}» повторяется" if isinstance(value, str) else "запись повторяется"
            where = f"{_dotted(earlier)} (строка {_line_of(problems.lines, earlier)})"
            problems.add(loc, f"{shown}: уже есть в {where}")
