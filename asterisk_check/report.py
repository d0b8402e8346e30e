"""The console report: one line per check under its file, the fix indented under a failure."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Final

from asterisk_check.results import Result, Status

MARKS: Final = {
    Status.OK: "[ OK ]",
    Status.WARN: "[WARN]",
    Status.FAIL: "[FAIL]",
    Status.NOT_RUN: "[ -- ]",
}
WIDTH: Final = 100  # explanations are wrapped to this; fix lines never are
_TEXT: Final = " " * 9  # under the title, past the mark
_LINE: Final = " " * 11  # the lines of a fix


def render(results: list[Result]) -> Iterator[str]:
    group = None
    for result in results:
        if result.group != group:
            group = result.group
            yield ""
            yield group
        mark = MARKS[result.status]
        if result.status is Status.OK:
            tail = f" — {result.detail}" if result.detail else ""
            yield f"  {mark} {result.title}{tail}"
            continue
        yield f"  {mark} {result.title}"
        yield from (f"{_TEXT}{line}" for line in textwrap.wrap(result.detail, WIDTH - len(_TEXT)))
        for number, fix in enumerate(result.fixes):
            lead = "или — " if fix.alternative else "затем — " if number else "исправить — "
            yield f"{_TEXT}{lead}{fix.where}{':' if fix.lines else ''}"
            yield from (f"{_LINE}{line}" for line in fix.lines)
