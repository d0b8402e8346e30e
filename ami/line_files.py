"""Reading Asterisk's append-only log files (queue_log, cdr_csv) line by line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def numbered_with_last(lines: Iterable[str]) -> Iterator[tuple[int, str, bool]]:
    """``(line number, line, is_last)``: the last line may still be being written."""
    iterator = iter(lines)
    try:
        current = next(iterator)
    except StopIteration:
        return
    line_no = 1
    for following in iterator:
        yield line_no, current, False
        current = following
        line_no += 1
    yield line_no, current, True
