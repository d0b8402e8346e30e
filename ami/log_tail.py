"""Reading Asterisk's append-only logs (queue_log, ``Master.csv``) on from where the last read
stopped, so that a reconciliation run costs what was written since the previous one.

A ``LogTail`` keeps the file open between reads and remembers the offset after the last
complete line it read. Each ``read`` streams the lines written since to a consumer (the file
is never held in memory whole):

* **First read** (or after the file had gone): no offset yet. The start is found by time, a
  binary search over line starts (``seek_time``: some twenty short reads for a gigabyte)
  instead of parsing the file from its first line.
* **Grown**: on from the offset.
* **A last line without its line end**: Asterisk is writing it; it is left for the next read,
  which takes it whole.
* **Rotated** (the path names another file: renamed and created anew, ``logger rotate``): the
  rest of the old file is read through the handle still open, then the new file from its
  start. Logged as a warning. A new file that holds what was read, up to the offset (a copy:
  restored, or rewritten by an editor), is read on from the offset instead.
* **Truncated** (the same file, now shorter than the offset, or no longer holding the last
  bytes read just before the offset: ``copytruncate``, even when the file has grown past the
  offset again since): read from its start. Logged as a warning: what was written between the
  last read and the truncation is gone from the file.
* **Missing or unreadable**: the ``OSError`` goes to the caller; the position is forgotten
  and the next read starts by time again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# The binary search stops once the start is known within this many bytes (read on linearly).
SEEK_SPAN = 64 * 1024
# The bytes just before the offset, kept to tell the file read from a truncated or other one.
MARK_BYTES = 256

LineTime = Callable[[str], datetime | None]


class TailStart(StrEnum):
    CONTINUED = "continued"  # on from the remembered offset
    SOUGHT = "sought"  # first read: the start found by time
    ROTATED = "rotated"  # the rest of the old file, then the new one from its start
    TRUNCATED = "truncated"  # the same file, shorter than the offset: from its start


@dataclass(frozen=True, slots=True)
class TailRead:
    start: TailStart
    lines: int  # complete lines handed out
    bytes: int  # bytes they took (a partial last line is not counted)
    partial_tail: bool  # a last line without its line end was left for the next read


@dataclass
class _Progress:
    lines: int = 0
    bytes: int = 0
    partial: bool = False


class LogTail:
    """One file, read on across calls. One reader at a time (the caller serialises)."""

    def __init__(self, path: Path, line_time: LineTime) -> None:
        self.path = path
        self._line_time = line_time
        self._file: BinaryIO | None = None
        self._rotated_to: BinaryIO | None = None  # the new file, read once the old one is done
        self._offset = 0
        self._mark = b""  # the bytes just before the offset
        self._lines_read = 0  # numbers lines across reads, so they keep their file order
        self.last_read: TailRead | None = None

    @property
    def offset(self) -> int | None:
        """Where the next read starts in the open file; None when no file is open."""
        return self._offset if self._file is not None else None

    def read(self, seek_before: datetime, consume: Callable[[Iterable[str], int], T]) -> T:
        """``consume(lines, first_line_no)`` gets the complete lines written since the last
        read (line ends kept) and must read them all; on a first read they start at the line
        ``seek_time`` finds for ``seek_before``. Returns what ``consume`` returned;
        ``last_read`` tells how the read went. Raises ``OSError`` when the file cannot be
        opened or examined (the position is forgotten)."""
        try:
            start = self._position(seek_before)
        except OSError:
            self.close()
            raise
        progress = _Progress()
        result = consume(self._lines(progress), self._lines_read + 1)
        self._lines_read += progress.lines
        assert self._file is not None
        self._file.seek(max(self._offset - MARK_BYTES, 0))
        self._mark = self._file.read(self._offset - self._file.tell())
        self.last_read = TailRead(start, progress.lines, progress.bytes, progress.partial)
        return result

    def close(self) -> None:
        for file in (self._file, self._rotated_to):
            if file is not None:
                file.close()
        self._file = self._rotated_to = None
        self._offset = 0
        self._mark = b""

    # ------------------------------------------------------------------ internals

    def _position(self, seek_before: datetime) -> TailStart:
        if self._file is None:
            file = self.path.open("rb")
            try:
                size = os.fstat(file.fileno()).st_size
                self._offset = seek_time(file, size, seek_before, self._line_time)
            except OSError:
                file.close()
                raise
            self._file = file
            return TailStart.SOUGHT
        status = os.stat(self.path)
        opened = os.fstat(self._file.fileno())
        if (status.st_dev, status.st_ino) != (opened.st_dev, opened.st_ino):
            new = self.path.open("rb")
            if self._mark and self._holds_mark(new):
                log.info(
                    "%s заменён копией прочитанного: читается дальше с байта %d",
                    self.path,
                    self._offset,
                )
                self._file.close()
                self._file = new
                return TailStart.CONTINUED
            self._rotated_to = new
            log.warning(
                "%s заменён новым файлом (ротация): старый дочитывается с байта %d, новый "
                "читается с начала",
                self.path,
                self._offset,
            )
            return TailStart.ROTATED
        if opened.st_size < self._offset or not self._holds_mark(self._file):
            log.warning(
                "%s обрезан или переписан (%d байт, прочитано до байта %d): читается с начала; "
                "строки, записанные между прошлым чтением и обрезкой, из файла пропали",
                self.path,
                opened.st_size,
                self._offset,
            )
            self._offset = 0
            return TailStart.TRUNCATED
        return TailStart.CONTINUED

    def _holds_mark(self, file: BinaryIO) -> bool:
        """Whether ``file`` has the bytes last read just before the offset, where they were."""
        file.seek(self._offset - len(self._mark))
        return file.read(len(self._mark)) == self._mark

    def _lines(self, progress: _Progress) -> Iterator[str]:
        assert self._file is not None
        yield from self._lines_of(self._file, progress)
        if self._rotated_to is not None:
            # a partial last line of the old file will never be finished: not reported
            progress.partial = False
            self._file.close()
            self._file, self._rotated_to, self._offset = self._rotated_to, None, 0
            yield from self._lines_of(self._file, progress)

    def _lines_of(self, file: BinaryIO, progress: _Progress) -> Iterator[str]:
        """Complete lines from the offset; the offset follows every line handed out."""
        file.seek(self._offset)
        for raw in file:
            if not raw.endswith(b"\n"):
                progress.partial = True
                return
            self._offset += len(raw)
            progress.lines += 1
            progress.bytes += len(raw)
            yield raw.decode("utf-8", errors="replace")


def seek_time(file: BinaryIO, size: int, before: datetime, line_time: LineTime) -> int:
    """The offset of a line start whose line is older than ``before``, or 0: a binary search
    over line starts, lines without a time skipped. With lines in time order every line
    before it is older too; a file only roughly in order (a CDR row is written when its
    channel hangs up, after it ended) needs ``before`` early by the most it can be out."""
    low, high = 0, size  # low: 0 or the start of a line older than ``before``
    while high - low > SEEK_SPAN:
        middle = (low + high) // 2
        found = _timed_line_at(file, middle, high, line_time)
        if found is not None and found[1] < before:
            low = found[0]
        else:  # the first line with a time from ``middle`` on is not older
            high = middle
    return low


def _timed_line_at(
    file: BinaryIO, position: int, limit: int, line_time: LineTime
) -> tuple[int, datetime] | None:
    """The first complete line starting in ``[position, limit)`` that has a time."""
    file.seek(position - 1)
    file.readline()  # the rest of the line byte ``position - 1`` is in
    while (start := file.tell()) < limit:
        raw = file.readline()
        if not raw.endswith(b"\n"):
            return None
        at = line_time(raw.decode("utf-8", errors="replace"))
        if at is not None:
            return start, at
    return None
