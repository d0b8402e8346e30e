"""The reconciliation sources as an administrator needs to see them: found, readable, in a
layout we read, in the zone we read them in.

Reconciliation after an AMI outage reads Asterisk's ``queue_log`` and its ``cdr_csv``
``Master.csv``. Each can be misconfigured in a way that silently loses calls: a CDR without
Uniqueids cannot be joined to calls, and a CDR read in the wrong zone puts every call hours
off, so the calls only the CDR knows fall outside every window. ``assess_cdr`` decides
whether parsed CDR rows may be used; ``inspect_sources`` looks at the tail of both files for
``/health``. A source that must not be used is *refused*: reconciliation goes on with the
queue_log alone, and the refusal is logged and shown, with the line to change.

The zone check needs no configuration: a default Uniqueid (``[system-]epoch.seq``) carries
the second its channel was created, and a channel's first CDR row starts then. Read in the
right zone, the two agree within seconds; a difference of a whole number of quarter hours
is the zone Asterisk wrote the file in.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any

from ami.cdr import NO_UNIQUEID_FIX, CdrParse, CdrRow, parse_cdr
from ami.channels import uniqueid_time
from ami.queue_log import parse_queue_log
from models.settings import Settings

# A channel's first CDR row starts within a second or two of its Uniqueid's time.
ZONE_TOLERANCE = timedelta(minutes=10)
ZONE_STEP = timedelta(minutes=15)
# The zone is judged on the newest channels only (a call has several): after a zone change
# (the machine's clock zone, or usegmtime) the older rows must not outvote the rows written now.
ZONE_SAMPLE = 5
# How much of the end of each file /health reads: for the CDR, enough rows for the newest
# channels of several calls (~100 rows); for the queue_log, enough to see it is one.
TAIL_BYTES = 32 * 1024
QUEUE_LOG_TAIL_BYTES = 8 * 1024


class SourceState(StrEnum):
    OK = "ok"
    NOT_CONFIGURED = "not_configured"  # no CDR path set: the queue_log alone is used
    MISSING = "missing"
    UNREADABLE = "unreadable"  # a folder, no permission, ...
    REFUSED = "refused"  # readable, but using it would record wrong calls


@dataclass(frozen=True, slots=True)
class SourceReport:
    name: str  # "queue_log" or "cdr"
    path: str
    state: SourceState
    detail: str = ""  # what was found (layout, zone), in Russian
    problem: str = ""  # what is wrong and what to change, in Russian

    @property
    def usable(self) -> bool:
        return self.state is SourceState.OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "state": self.state.value,
            "detail": self.detail,
            "problem": self.problem,
        }


@dataclass(frozen=True, slots=True)
class CdrVerdict:
    """Whether parsed CDR rows may be used, and what to say about them."""

    usable: bool
    detail: str
    problem: str = ""


def clock_skew(rows: list[CdrRow] | tuple[CdrRow, ...]) -> timedelta | None:
    """The median of (first row's start - the Uniqueid's creation time) over the newest
    ``ZONE_SAMPLE`` channels with a default Uniqueid; None when there is none."""
    first_start: dict[str, datetime] = {}
    for row in rows:
        known = first_start.get(row.uniqueid)
        if known is None or row.start < known:
            first_start[row.uniqueid] = row.start
    created_and_start = sorted(
        (created, start)
        for uniqueid, start in first_start.items()
        if (created := uniqueid_time(uniqueid)) is not None
    )
    if not created_and_start:
        return None
    return statistics.median_low(
        start - created for created, start in created_and_start[-ZONE_SAMPLE:]
    )


def assess_cdr(parsed: CdrParse, tz: tzinfo, zone_name: str) -> CdrVerdict:
    """Refuses rows without Uniqueids (none readable) and rows read in the wrong zone."""
    layouts = ", ".join(f"{layout.label}: {count}" for layout, count in parsed.layouts)
    if parsed.without_uniqueid and not parsed.layouts:
        return CdrVerdict(
            usable=False,
            detail=f"строк без uniqueid: {parsed.without_uniqueid}",
            problem=(
                "в CDR нет столбца uniqueid, звонки по нему не сопоставить: добавьте в "
                f"cdr.conf, секция [csv], строку «{NO_UNIQUEID_FIX}» и выполните в Asterisk "
                "«module reload cdr_csv.so»"
            ),
        )
    detail = f"формат: {layouts}" if layouts else "строк CDR нет"
    if parsed.without_uniqueid:
        detail += f"; строк без uniqueid пропущено: {parsed.without_uniqueid}"
    skew = clock_skew(parsed.rows)
    if skew is None or abs(skew) < ZONE_TOLERANCE:
        zone = "пояс не проверен (нет строк)" if skew is None else "время совпадает с uniqueid"
        return CdrVerdict(usable=True, detail=f"{detail}; {zone}")
    sample = parsed.rows[-1].start
    configured = sample.astimezone(tz).utcoffset() or timedelta(0)
    written = configured + _round(skew)
    return CdrVerdict(
        usable=False,
        detail=detail,
        problem=(
            f"время в CDR записано в поясе UTC{_offset(written)}, а читается как "
            f"UTC{_offset(configured)} (CONSULT_LINE_CDR_TIMEZONE={zone_name}): звонки "
            "сместились бы на "
            f"{_hours(skew)}; укажите в CONSULT_LINE_CDR_TIMEZONE пояс, в котором работает "
            "Asterisk, или задайте в cdr.conf, секция [csv], «usegmtime = yes» и "
            "CONSULT_LINE_CDR_TIMEZONE=UTC"
        ),
    )


def inspect_sources(settings: Settings) -> tuple[SourceReport, SourceReport]:
    """Both sources as they are now, from the end of each file."""
    return (
        inspect_queue_log(settings.queue_log_path),
        inspect_cdr(settings.cdr_path, settings.cdr_tz, settings.cdr_timezone),
    )


def inspect_queue_log(path: Path) -> SourceReport:
    lines, failure = read_tail(path, QUEUE_LOG_TAIL_BYTES)
    if failure is not None:
        return SourceReport("queue_log", str(path), *failure)
    parsed = parse_queue_log(lines)
    if lines and not parsed.lines and parsed.garbled:
        return SourceReport(
            "queue_log",
            str(path),
            SourceState.REFUSED,
            detail=f"нераспознанных строк: {parsed.garbled}",
            problem="файл не похож на queue_log Asterisk (epoch|callid|queue|agent|event|…)",
        )
    detail = f"строк в конце файла: {len(parsed.lines)}"
    if parsed.garbled:
        detail += f", нераспознанных: {parsed.garbled}"
    return SourceReport("queue_log", str(path), SourceState.OK, detail=detail)


def inspect_cdr(path: Path | None, tz: tzinfo, zone_name: str) -> SourceReport:
    if path is None:
        return SourceReport(
            "cdr",
            "",
            SourceState.NOT_CONFIGURED,
            problem="CONSULT_LINE_CDR_PATH не задан: звонки, не дошедшие до очереди, после "
            "обрыва AMI не восстанавливаются",
        )
    lines, failure = read_tail(path)
    if failure is not None:
        return SourceReport("cdr", str(path), *failure)
    verdict = assess_cdr(parse_cdr(lines, tz=tz), tz, zone_name)
    state = SourceState.OK if verdict.usable else SourceState.REFUSED
    return SourceReport("cdr", str(path), state, verdict.detail, verdict.problem)


def read_tail(
    path: Path, size_limit: int = TAIL_BYTES
) -> tuple[list[str], tuple[SourceState, str, str] | None]:
    """The complete lines of the last ``size_limit`` bytes of ``path`` (line ends kept), or why
    the file cannot be read: (state, detail, problem)."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            start = max(size - size_limit, 0)
            file.seek(start)
            data = file.read()
    except FileNotFoundError:
        return [], (SourceState.MISSING, "", f"файл {path} не найден")
    except IsADirectoryError:
        return [], (SourceState.UNREADABLE, "", f"{path} — папка, а не файл")
    except OSError as exc:
        return [], (SourceState.UNREADABLE, "", f"файл {path} не читается: {exc.strerror}")
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    if start > 0 and lines:
        lines = lines[1:]  # cut in the middle of a line
    return lines, None


def _round(skew: timedelta) -> timedelta:
    steps = round(skew / ZONE_STEP)
    return steps * ZONE_STEP


def _offset(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _hours(skew: timedelta) -> str:
    hours = abs(_round(skew).total_seconds()) / 3600
    return f"{hours:g} ч"
