"""Staff files shared by the loading and the import tests: a small valid file and its edits.

A plain module, not a test file: pytest does not rewrite its asserts, so each says what failed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from models.staff_file import StaffDirectory, StaffFileError, load_staff_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "staff.yaml"
TODAY = date(2026, 11, 20)
MARK = "# <-"  # marks the line a problem must be reported on

BASE = """\
departments:
  - code: consult
    name: Консультационная линия
  - code: licensing
    name: Отдел лицензирования
services:
  - code: support-2026-grant
    title: Субсидия на модернизацию
    introduced_on: 2026-03-01
  - code: alco-license-epgu
    title: Лицензия через ЕПГУ
    introduced_on: 2026-09-01
employees:
  - internal_number: "201"
    full_name: Магомедова Патимат Гасановна
    device: PJSIP/201
    department: consult
    roles: [operator]
    competences: [state_services, support_measures]
    training:
      - kind: initial
        completed_on: 2025-09-01
        subject: Вводное обучение
  - internal_number: "301"
    full_name: Исмаилов Арсен Камилович
    device: PJSIP/301
    department: licensing
    roles: [expert]
    competences: [state_services]
"""


def edited(*edits: tuple[str, str], base: str = BASE) -> str:
    for old, new in edits:
        assert base.count(old) == 1, old
        base = base.replace(old, new)
    return base


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "staff.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load(
    tmp_path: Path, content: str, known_departments: frozenset[str] = frozenset()
) -> StaffDirectory:
    path = write(tmp_path, content)
    return load_staff_file(path, today=TODAY, known_departments=known_departments)


def assert_problem(error: StaffFileError, line: int | None, path: str, fragment: str) -> None:
    matching = [p for p in error.problems if p.line == line and p.path == path]
    assert matching, f"no problem at line {line}, {path!r} in:\n{error}"
    assert any(fragment in p.message for p in matching), str(error)
    where = "staff.yaml" if line is None else f"staff.yaml:{line}"
    prefix = f"{where}: {path}: " if path else f"{where}: "
    assert prefix in str(error), f"{prefix!r} not in:\n{error}"


def marked_line(content: str) -> int:
    (line,) = [n for n, text in enumerate(content.splitlines(), 1) if MARK in text]
    return line
