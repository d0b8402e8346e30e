"""Reading Asterisk's logs on from where the last read stopped (C13: every reconciliation run
after a reconnect reads only what was written since): the appended part only, a line still
being written, rotation, truncation, a copy, and the first read's start found by time."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ami.log_tail import SEEK_SPAN, LogTail, TailRead, TailStart, seek_time
from ami.queue_log import line_time
from tests.asterisk_captures import Kind, capture_lines, capture_names, moved_lines

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # a first read from the file's start


def calls(first: int, count: int) -> list[str]:
    """queue_log lines of ``count`` recorded calls, one a minute from call number ``first``."""
    names = capture_names(Kind.QUEUE_LOG)
    return [
        line
        for number in range(first, first + count)
        for line in moved_lines(names[number % len(names)], Kind.QUEUE_LOG, 60 * number)
    ]


TailOf = Callable[[Path], LogTail]


@pytest.fixture
def tail_of() -> Iterator[TailOf]:
    """``LogTail``s of queue_log files, closed after the test."""
    tails: list[LogTail] = []

    def make(path: Path) -> LogTail:
        tails.append(LogTail(path, line_time))
        return tails[-1]

    yield make
    for tail in tails:
        tail.close()


def collect(tail: LogTail, before: datetime = LONG_AGO) -> tuple[list[str], TailRead]:
    def consume(lines: Iterable[str], _first_line_no: int) -> list[str]:
        return list(lines)

    lines = tail.read(before, consume)
    assert tail.last_read is not None
    return lines, tail.last_read


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as file:
        file.write(text)


def test_the_second_read_gets_only_the_appended_lines(tail_of: TailOf, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(calls(0, 3)), "utf-8")
    tail = tail_of(path)
    lines, read = collect(tail)
    assert (lines, read.start) == (calls(0, 3), TailStart.SOUGHT)
    added = "".join(calls(3, 2))
    append(path, added)
    lines, read = collect(tail)
    assert lines == calls(3, 2)
    assert (read.start, read.bytes) == (TailStart.CONTINUED, len(added.encode()))
    assert collect(tail)[0] == []  # nothing new


def test_a_line_being_written_is_left_for_the_next_read(tail_of: TailOf, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    whole = "1795867300|1795867300.0|consult|NONE|ENTERQUEUE||79281234567|1\n"
    path.write_text("".join(calls(0, 1)) + whole[:20], "utf-8")
    tail = tail_of(path)
    lines, read = collect(tail)
    assert lines == calls(0, 1)
    assert read.partial_tail
    append(path, whole[20:])
    lines, read = collect(tail)
    assert lines == [whole]
    assert not read.partial_tail


def test_a_rotated_file_is_read_to_its_end_then_the_new_one_from_its_start(
    tail_of: TailOf, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(calls(0, 2)), "utf-8")
    tail = tail_of(path)
    collect(tail)
    append(path, "".join(calls(2, 1)))  # written just before the rotation
    path.rename(tmp_path / "queue_log.1")
    path.write_text("".join(calls(3, 1)), "utf-8")  # a new file (another inode)
    with caplog.at_level(logging.WARNING, logger="ami.log_tail"):
        lines, read = collect(tail)
    assert lines == calls(2, 2)
    assert read.start is TailStart.ROTATED
    assert "ротация" in caplog.text
    later = "".join(calls(4, 2))
    append(path, later)
    lines, read = collect(tail)
    assert lines == calls(4, 2)
    assert (read.start, read.bytes) == (TailStart.CONTINUED, len(later.encode()))


@pytest.mark.parametrize("grown_back", [False, True], ids=["shorter", "grown-past-the-offset"])
def test_a_truncated_file_is_read_from_its_start(
    tail_of: TailOf, tmp_path: Path, caplog: pytest.LogCaptureFixture, grown_back: bool
) -> None:
    # logrotate copytruncate: the same inode, emptied; by the next read it may have grown
    # past the old offset again, which the size alone would not show
    path = tmp_path / "queue_log"
    path.write_text("".join(calls(0, 2)), "utf-8")
    tail = tail_of(path)
    collect(tail)
    inode = path.stat().st_ino
    new = calls(10, 4 if grown_back else 1)
    with path.open("r+", encoding="utf-8") as file:
        file.truncate(0)
        file.write("".join(new))
    assert path.stat().st_ino == inode
    assert (path.stat().st_size > len("".join(calls(0, 2)).encode())) == grown_back
    with caplog.at_level(logging.WARNING, logger="ami.log_tail"):
        lines, read = collect(tail)
    assert (lines, read.start) == (new, TailStart.TRUNCATED)
    assert "обрезан" in caplog.text


def test_a_copy_of_the_file_is_read_on_from_the_offset(tail_of: TailOf, tmp_path: Path) -> None:
    # restored from a backup, or saved by an editor: another inode, the same lines
    path = tmp_path / "queue_log"
    path.write_text("".join(calls(0, 2)), "utf-8")
    tail = tail_of(path)
    collect(tail)
    copy = tmp_path / "queue_log.new"
    copy.write_text("".join(calls(0, 3)), "utf-8")
    os.replace(copy, path)
    lines, read = collect(tail)
    assert (lines, read.start) == (calls(2, 1), TailStart.CONTINUED)


def test_a_missing_file_raises_and_the_next_read_starts_by_time(
    tail_of: TailOf, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(calls(0, 2)), "utf-8")
    tail = tail_of(path)
    collect(tail)
    path.unlink()
    with pytest.raises(FileNotFoundError):
        collect(tail)
    assert tail.offset is None
    path.write_text("".join(calls(0, 3)), "utf-8")
    lines, read = collect(tail)
    assert (lines, read.start) == (calls(0, 3), TailStart.SOUGHT)


def test_the_first_read_starts_near_the_time_asked_for(tail_of: TailOf, tmp_path: Path) -> None:
    """A long file is not parsed from its first line: the start is found by a binary search
    over line starts; every line from the time asked for is read, and little before it."""
    path = tmp_path / "queue_log"
    lines = calls(0, 3000)  # 50 hours of calls, one a minute
    with path.open("w", encoding="utf-8") as file:
        file.write("garbage without a time\n" * 10)
        file.writelines(lines)
    wanted = line_time(lines[0])
    assert wanted is not None
    wanted += timedelta(hours=48)
    tail = tail_of(path)
    read_lines, read = collect(tail, wanted)
    assert read.start is TailStart.SOUGHT
    newer = [line for line in lines if (line_time(line) or LONG_AGO) >= wanted]
    assert read_lines[-len(newer) :] == newer
    # at most the search's last span (and a line) before them: not the 50 h of the file
    assert read.bytes < len("".join(newer).encode()) + SEEK_SPAN + 200
    assert read.bytes < path.stat().st_size / 4
    assert (line_time(read_lines[0]) or wanted) < wanted  # starts just before, not after


def test_seek_time_in_a_small_file_is_its_start(tail_of: TailOf, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(capture_lines("a-answered", Kind.QUEUE_LOG)), "utf-8")
    with path.open("rb") as file:
        assert seek_time(file, path.stat().st_size, LONG_AGO.replace(year=2100), line_time) == 0
