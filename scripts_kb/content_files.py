"""The knowledge-base content files behind ``consult-line kb check``: read and check them.

The content is ``sections.yaml`` (departments and sections) and one Markdown file per entry,
``<section-id>/<entry-id>.md``, that starts with YAML front matter between ``---`` lines.
``load_content`` checks everything that can be checked without the database and reports every
problem at once as ``file:line: field: message``. It reuses the staff file's YAML reading
(``models.staff_file``): line numbers come from ``yaml.compose`` nodes, pydantic checks fields.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from models.staff_file import (
    Code,
    IsoDate,
    Loc,
    Problems,
    StaffFileError,
    StaffProblem,
    _compose,
    _construct,
    _formatted,
    _guess,
    _index,
    _message,
    _none_as_empty,
    _one_of,
    _read_text,
    _text,
)
from models.topics import Topic

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SECTIONS_FILE = "sections.yaml"

KbProblem = StaffProblem


class EntryKind(StrEnum):
    SCRIPT = "script"
    FAQ = "faq"
    TEMPLATE = "template"
    REFUSAL = "refusal"
    EXAMPLE = "example"
    LEGAL_ACTS = "legal_acts"
    JOB_DESCRIPTION = "job_description"
    CONTACTS = "contacts"
    AGENCY = "agency"


class EntryLanguage(StrEnum):
    RU = "ru"
    EN = "en"


class KbContentError(Exception):
    """The content cannot be used; ``problems`` lists every problem found, in file order."""

    def __init__(self, source: str, problems: Iterable[KbProblem]) -> None:
        self.source = source
        self.problems = tuple(sorted(problems, key=lambda p: (p.source, p.line or 0)))
        header = f"База знаний {source} не прошла проверку, ошибок: {len(self.problems)}."
        super().__init__("\n".join([header, *map(str, self.problems)]))


# ---------------------------------------------------------------------------------------------
# The items


Slug = Annotated[
    str,
    _text(64),
    _formatted(r"[a-z0-9-]{1,64}", "ожидается код из строчных латинских букв, цифр и «-»"),
]
Topics = Annotated[
    tuple[Annotated[Topic, _one_of(Topic)], ...],
    BeforeValidator(_none_as_empty),
    Field(min_length=1),
]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DepartmentItem(_Item):
    code: Code
    name: Annotated[str, _text(255)]


class SectionItem(_Item):
    id: Slug
    title: Annotated[str, _text(255)]
    owner: Code
    topics: Topics
    last_reviewed: IsoDate


class FrontMatter(_Item):
    id: Slug
    kind: Annotated[EntryKind, _one_of(EntryKind)]
    title: Annotated[str, _text(255)]
    section: Slug
    owner: Code
    topics: Topics
    tags: Annotated[tuple[Annotated[str, _text(64)], ...], BeforeValidator(_none_as_empty)] = ()
    language: Annotated[EntryLanguage, _one_of(EntryLanguage)]
    last_reviewed: IsoDate
    links: Annotated[tuple[Slug, ...], BeforeValidator(_none_as_empty)] = ()


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    owner: str
    topics: tuple[Topic, ...]
    last_reviewed: date


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    kind: EntryKind
    title: str
    section: str
    owner: str
    topics: tuple[Topic, ...]
    tags: tuple[str, ...]
    language: EntryLanguage
    last_reviewed: date
    links: tuple[str, ...]
    body: str

    def content_hash(self) -> str:
        """What a reload compares: every field as written in the file."""
        fields = [
            self.id,
            self.kind.value,
            self.title,
            self.section,
            self.owner,
            [t.value for t in self.topics],
            list(self.tags),
            self.language.value,
            self.last_reviewed.isoformat(),
            list(self.links),
            self.body,
        ]
        canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class KbContent:
    departments: Mapping[str, str]
    sections: tuple[Section, ...]
    entries: tuple[Entry, ...]

    def summary_lines(self) -> list[str]:
        """Entries per section and per kind, for ``kb check``."""
        per_section = Counter(entry.section for entry in self.entries)
        per_kind = Counter(entry.kind.value for entry in self.entries)
        lines = [
            f"Разделов: {len(self.sections)}, записей: {len(self.entries)}, "
            f"отделов: {len(self.departments)}."
        ]
        lines += [f"  {s.id}: {per_section.get(s.id, 0)}" for s in self.sections]
        lines.append("По видам:")
        lines += [f"  {kind.value}: {per_kind.get(kind.value, 0)}" for kind in EntryKind]
        return lines


# ---------------------------------------------------------------------------------------------
# Loading


def load_content(directory: Path = CONTENT_DIR) -> KbContent:
    """Read and check the whole content directory; raise KbContentError listing every problem."""
    found: list[KbProblem] = []
    sections_path = directory / SECTIONS_FILE
    if not sections_path.is_file():
        problem = KbProblem(SECTIONS_FILE, None, "", f"нет файла {sections_path}")
        raise KbContentError(str(directory), [problem])
    departments, sections, section_ids = _load_sections(sections_path, found)
    entries: list[tuple[Entry, Problems]] = []
    # Every id written in a file, even one with errors, so that links to it are not reported.
    entry_ids: set[str] = set()
    for path in sorted(directory.glob("*/*.md")):
        source = path.relative_to(directory).as_posix()
        loaded = _load_entry(path, source, found, entry_ids)
        if loaded is not None:
            entries.append(loaded)
    _check_entries(entries, section_ids, departments, entry_ids, found)
    if found:
        raise KbContentError(str(directory), found)
    return KbContent(
        departments=departments,
        sections=tuple(sections),
        entries=tuple(entry for entry, _ in entries),
    )


def _parsed(text: str, source: str) -> tuple[object, Problems]:
    """The YAML document in ``text`` (whose lines are already those of the file)."""
    root = _compose(text, source)
    lines: dict[Loc, int] = {(): 1}  # a missing field is reported at the file's top
    problems = Problems(source, lines)
    _index(root, (), lines, problems, set())
    return _construct(root, source), problems


def _load_sections(
    path: Path, found: list[KbProblem]
) -> tuple[dict[str, str], list[Section], set[str]]:
    try:
        data, problems = _parsed(_read_text(path, SECTIONS_FILE), SECTIONS_FILE)
    except StaffFileError as exc:
        found.extend(exc.problems)
        return {}, [], set()
    if not isinstance(data, dict):
        problems.add((), "верхний уровень — словарь с ключами departments и sections", line=1)
        found.extend(problems.found)
        return {}, [], set()
    for key in data:
        if key not in ("departments", "sections"):
            problems.add((str(key),), f"неизвестный ключ «{key}»{_guess(key, _TOP_KEYS)}")
    departments = _validate_list(data, "departments", DepartmentItem, problems)
    section_items = _validate_list(data, "sections", SectionItem, problems)
    _unique(problems, [(("departments", i, "code"), d.code) for i, d in departments])
    _unique(problems, [(("sections", i, "id"), s.id) for i, s in section_items])
    codes = {d.code: d.name for _, d in departments}
    # Raw items too, so that a section with some other error still has its owner checked
    # and its id known to the entries (no cascade of «unknown section»).
    raw = data.get("sections")
    raw_items = (
        [(i, item) for i, item in enumerate(raw) if isinstance(item, dict)]
        if isinstance(raw, list)
        else []
    )
    for i, item in raw_items:
        owner = item.get("owner")
        if isinstance(owner, str) and owner not in codes:
            problems.add(("sections", i, "owner"), _unknown("отдел", owner, codes))
    found.extend(problems.found)
    sections = [
        Section(s.id, s.title, s.owner, s.topics, s.last_reviewed) for _, s in section_items
    ]
    ids = {str(item["id"]) for _, item in raw_items if isinstance(item.get("id"), str)}
    return codes, sections, ids


_TOP_KEYS = ("departments", "sections")


M = TypeVar("M", bound=_Item)


def _validate_list(
    data: Mapping[Any, Any], key: str, model: type[M], problems: Problems
) -> list[tuple[int, M]]:
    raw = data.get(key)
    if not isinstance(raw, list):
        problems.add((key,), "ожидается список записей, каждая начинается с «- »")
        return []
    valid: list[tuple[int, M]] = []
    for position, item in enumerate(raw):
        try:
            valid.append((position, model.model_validate(item)))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = (key, position, *error["loc"])
                problems.add(loc, _message(error, model, loc))  # type: ignore[arg-type]
    return valid


_FENCE = "---"


def _load_entry(
    path: Path, source: str, found: list[KbProblem], entry_ids: set[str]
) -> tuple[Entry, Problems] | None:
    try:
        text = _read_text(path, source)
    except StaffFileError as exc:
        found.extend(exc.problems)
        return None
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        found.append(KbProblem(source, 1, "", "файл должен начинаться со строки «---»"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if end is None:
        found.append(KbProblem(source, 1, "", "нет закрывающей строки «---» после заголовка"))
        return None
    # A blank first line keeps YAML's line numbers equal to the file's.
    try:
        data, problems = _parsed("\n".join(["", *lines[1:end]]), source)
    except StaffFileError as exc:
        found.extend(exc.problems)
        return None
    if not isinstance(data, dict):
        found.append(KbProblem(source, 2, "", "заголовок — поля вида «ключ: значение»"))
        return None
    if isinstance(data.get("id"), str):
        entry_ids.add(data["id"])
    body = "\n".join(lines[end + 1 :]).strip()
    body_line = end + 2
    if not body:
        problems.add(("body",), "пустой текст записи после заголовка", line=body_line)
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc: Loc = tuple(error["loc"])
            problems.add(loc, _message(error, FrontMatter, loc))  # type: ignore[arg-type]
        found.extend(problems.found)
        return None
    if meta.id != path.stem:
        problems.add(("id",), f"«{meta.id}» не совпадает с именем файла «{path.stem}»")
    if meta.section != path.parent.name:
        message = f"«{meta.section}», а файл лежит в папке «{path.parent.name}»"
        problems.add(("section",), message)
    found.extend(problems.found)
    entry = Entry(
        id=meta.id,
        kind=meta.kind,
        title=meta.title,
        section=meta.section,
        owner=meta.owner,
        topics=meta.topics,
        tags=meta.tags,
        language=meta.language,
        last_reviewed=meta.last_reviewed,
        links=meta.links,
        body=body,
    )
    return entry, problems


def _check_entries(
    entries: Sequence[tuple[Entry, Problems]],
    section_ids: set[str],
    departments: Mapping[str, str],
    entry_ids: set[str],
    found: list[KbProblem],
) -> None:
    """What one file cannot see alone: repeated ids, sections, departments, links."""
    first: dict[str, str] = {}
    for entry, problems in entries:
        before = len(problems.found)
        earlier = first.setdefault(entry.id, problems.source)
        if earlier != problems.source:
            problems.add(("id",), f"«{entry.id}» повторяется: уже есть в {earlier}")
        if entry.section not in section_ids:
            problems.add(("section",), _unknown("раздел", entry.section, section_ids))
        if entry.owner not in departments:
            problems.add(("owner",), _unknown("отдел", entry.owner, departments))
        for position, link in enumerate(entry.links):
            if link not in entry_ids:
                problems.add(("links", position), f"нет записи «{link}»")
        found.extend(problems.found[before:])


def _unknown(what: str, value: str, known: Iterable[str]) -> str:
    listed = sorted(known)
    close = _guess(value, listed).split(";")[0] if listed else ""
    return f"неизвестный {what} «{value}»{close}; известные: {', '.join(listed) or 'нет'}"


def _unique(problems: Problems, items: Iterable[tuple[Loc, str]]) -> None:
    first: dict[str, Loc] = {}
    for loc, value in items:
        earlier = first.setdefault(value, loc)
        if earlier != loc:
            line = problems.lines.get(earlier)
            problems.add(loc, f"«{value}» повторяется (уже в строке {line})")


__all__ = [
    "CONTENT_DIR",
    "DepartmentItem",
    "Entry",
    "EntryKind",
    "EntryLanguage",
    "KbContent",
    "KbContentError",
    "KbProblem",
    "Section",
    "load_content",
]
