"""One result of ``check-asterisk``: a Russian title, a status and, on failure, what to change."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # works, but worth a look; does not change the exit code
    FAIL = "fail"
    NOT_RUN = (
        "not_run"  # could not be checked (e.g. the database is unreachable): counts as a failure
    )


@dataclass(frozen=True, slots=True)
class Fix:
    """Lines to add or change, and where: ``manager.conf, секция [consult-line]``, a shell
    command, an environment variable. ``alternative``: another way to the same end."""

    where: str
    lines: tuple[str, ...]
    alternative: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    group: str  # the file or subject, e.g. "manager.conf (AMI)"
    title: str
    status: Status
    detail: str = ""  # what was found, why it matters
    fixes: tuple[Fix, ...] = ()


def ok(group: str, title: str, detail: str = "") -> Result:
    return Result(group, title, Status.OK, detail)


def warn(group: str, title: str, detail: str, *fixes: Fix) -> Result:
    return Result(group, title, Status.WARN, detail, fixes)


def fail(group: str, title: str, detail: str, *fixes: Fix) -> Result:
    return Result(group, title, Status.FAIL, detail, fixes)


def not_run(group: str, title: str, detail: str) -> Result:
    return Result(group, title, Status.NOT_RUN, detail)


def in_section(file: str, section: str) -> str:
    return f"{file}, секция [{section}]"


def plural(count: int, one: str, few: str, many: str) -> str:
    """``21 столбец``, ``53 файла``, ``26 файлов``."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} {one}"
    if count % 10 in {2, 3, 4} and count % 100 not in {12, 13, 14}:
        return f"{count} {few}"
    return f"{count} {many}"
