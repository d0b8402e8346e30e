"""Reading Asterisk's append-only log files (queue_log, cdr_csv) line by line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass
class LineScan:
    """Walks the lines of a file that Asterisk may be appending to right now.

    Yields ``(line number, text without line end)`` for every complete, non-blank line;
    counts the blank ones; a last line without its line end is still being written: it is
    skipped and noted in ``partial``.
    """

    blank: int = 0
    partial: bool = False

    def complete(self, lines: Iterable[str], first_line_no: int = 1) -> Iterator[tuple[int, str]]:
        """``first_line_no``: the number of the first line (a file read on from an offset)."""
        for line_no, raw, is_last in _numbered_with_last(lines, first_line_no):
            if is_last and not raw.endswith(("\n", "\r")):
                if raw.strip():
                    self.partial = True
                continue
            text = raw.rstrip("\r\n")
            if not text.strip():
                self.blank += 1
                continue
            yield line_no, text


def _numbered_with_last(lines: Iterable[str], first: int) -> Iterator[tuple[int, str, bool]]:
    iterator = iter(lines)
    try:
        current = next(iterator)
    except StopIteration:
        return
    line_no = first
    for following in iterator:
        yield line_no, current, False
        current = following
        line_no += 1
    yield line_no, current, True
