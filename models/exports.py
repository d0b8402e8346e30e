"""Flat records of calls, callbacks and survey answers for administrators and monthly reports.

``consult-line export calls|callbacks|surveys`` streams :func:`export_rows` into
:func:`write_jsonl` or :func:`write_csv`. Each kind filters on its own instant (the call's
arrival, the callback request, the survey answer) by *local* dates in the line's time zone,
both ends inclusive, so "October" means what the supervisor sees on the wall clock (C3).

Values in a row: instants are ISO 8601 local time with offset
(``2026-10-05T09:12:03+03:00``), dates are ISO, counts and durations are numbers, flags are
booleans. A missing text value (no operator, call still in progress) is ``""``; a missing
number or instant is ``None`` (JSON ``null``, an empty CSV cell).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from typing import Any, TextIO, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from models.tables.callbacks import CallbackAttempt, CallbackTask, CallbackWindow
from models.tables.calls import Call
from models.tables.staff import Employee
from models.tables.surveys import SurveyResponse


class ExportKind(StrEnum):
    CALLS = "calls"
    CALLBACKS = "callbacks"
    SURVEYS = "surveys"


EXPORT_FIELDS: dict[ExportKind, tuple[str, ...]] = {
    # C13: every call with its outcome and, for a missed one, the reason.
    ExportKind.CALLS: (
        "linkedid",
        "caller",
        "caller_name",
        "arrived_at",
        "in_working_hours",
        "topic",
        "ivr_path",
        "queue_wait_s",
        "operator",
        "operator_name",
        "transfers",
        "answered_at",
        "ended_at",
        "talk_s",
        "outcome",
        "missed_reason",
        "short_call",
        "hangup_side",
        "hangup_cause",
        # what the caller said their question was (speech), as recognized, and the
        # recognizer's confidence 0–1: personal data of the call, like its number (G3)
        "spoken_question",
        "spoken_question_confidence",
    ),
    # C11: callback tasks with their promise, windows and attempts.
    ExportKind.CALLBACKS: (
        "id",
        "phone",
        "question",
        "topic",
        "source",
        "requested_at",
        "promised_on",
        "windows",
        "owner",
        "owner_name",
        "status",
        "closed_at",
        "attempts",
        "last_attempt_at",
        "last_attempt_result",
        "origin_call",
    ),
    # C15: both survey answers per call and operator.
    ExportKind.SURVEYS: (
        "call",
        "arrived_at",
        "operator",
        "operator_name",
        "answer_received",
        "quality",
        "channel",
        "completed",
        "created_at",
    ),
}

# Columns that hold a phone number. A valid E.164 value there starts with "+" on purpose and
# is written as is: quoting it would break every lookup by number. Anything else in these
# columns (a raw caller ID such as "+=1+2") is defused like any other text.
PHONE_FIELDS: frozenset[str] = frozenset({"caller", "phone"})

BATCH = 500  # rows read from the database at a time
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_T = TypeVar("_T")


def export_rows(
    *,
    session: Session,
    kind: ExportKind,
    since: date | None,
    until: date | None,
    tz: ZoneInfo,
) -> Iterator[dict[str, object]]:
    """The records of ``kind`` whose instant falls on local dates ``since``..``until``.

    Both dates are inclusive and optional. Rows come ordered by that instant, then id, and
    are read from the database in batches, never all at once.
    """
    if since is not None and until is not None and since > until:
        raise ValueError(f"начальная дата {since.isoformat()} позже конечной {until.isoformat()}")
    start = local_midnight_utc(since, tz) if since is not None else None
    end = local_midnight_utc(until + timedelta(days=1), tz) if until is not None else None
    if kind is ExportKind.CALLS:
        return _call_rows(session, start, end, tz)
    if kind is ExportKind.CALLBACKS:
        return _callback_rows(session, start, end, tz)
    return _survey_rows(session, start, end, tz)


def write_jsonl(rows: Iterable[Mapping[str, object]], out: TextIO) -> int:
    """One JSON object per line, Cyrillic kept readable (``ensure_ascii=False``)."""
    count = 0
    for row in rows:
        out.write(json.dumps(dict(row), ensure_ascii=False, default=_json_default))
        out.write("\n")
        count += 1
    return count


def write_csv(fields: Sequence[str], rows: Iterable[Mapping[str, object]], out: TextIO) -> int:
    """A header row, then one row per record; returns the number of records.

    Text that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR)
    gets a leading single quote: caller names and questions come from callers. Valid E.164
    numbers in :data:`PHONE_FIELDS` are left alone. Numbers and booleans are never quoted.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(field), phone=field in PHONE_FIELDS) for field in fields])
        count += 1
    return count


def csv_cell(value: object, *, phone: bool = False) -> str:
    """One value as a CSV cell (see :func:`write_csv`): an instant to the second with its
    offset, a flag as ``true``/``false``, text that a spreadsheet would run as a formula
    quoted, unless ``phone`` and it is a valid E.164 number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if phone and _E164.fullmatch(text):
        return text
    return "'" + text if text.startswith(_FORMULA_START) else text


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return None if value is None else value.astimezone(tz).isoformat(timespec="seconds")


def _finite(value: float | None) -> float | None:
    """A number JSON can carry: NaN and infinities (PostgreSQL keeps them) are none."""
    return value if value is None or math.isfinite(value) else None


def _text(value: StrEnum | str | None) -> str:
    return "" if value is None else str(value)


def batches(items: Iterable[_T], size: int = BATCH) -> Iterator[list[_T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _between(column: Any, start: datetime | None, end: datetime | None) -> list[Any]:
    conditions = []
    if start is not None:
        conditions.append(col(column) >= start)
    if end is not None:
        conditions.append(col(column) < end)
    return conditions


def _call_rows(
    session: Session, start: datetime | None, end: datetime | None, tz: ZoneInfo
) -> Iterator[dict[str, object]]:
    query = (
        select(Call, Employee.internal_number, Employee.full_name)
        .outerjoin(Employee, col(Employee.id) == col(Call.operator_id))
        .where(*_between(Call.arrived_at, start, end))
        .order_by(col(Call.arrived_at), col(Call.id))
        .execution_options(yield_per=BATCH)
    )
    for call, operator, operator_name in session.exec(query):
        yield {
            "linkedid": call.linkedid,
            "caller": call.caller_e164 or call.caller_number,
            "caller_name": call.caller_name,
            "arrived_at": _iso(call.arrived_at, tz),
            "in_working_hours": call.in_working_hours,
            "topic": _text(call.topic),
            "ivr_path": call.ivr_path,
            "queue_wait_s": call.queue_wait_s,
            "operator": operator or "",
            "operator_name": operator_name or "",
            "transfers": call.transfer_count,
            "answered_at": _iso(call.answered_at, tz),
            "ended_at": _iso(call.ended_at, tz),
            "talk_s": call.talk_s,
            "outcome": _text(call.outcome),
            "missed_reason": _text(call.missed_reason),
            "short_call": call.short_call,
            "hangup_side": _text(call.hangup_side),
            "hangup_cause": call.hangup_cause,
            "spoken_question": call.spoken_question,
            "spoken_question_confidence": _finite(call.spoken_question_confidence),
        }


def _callback_rows(
    session: Session, start: datetime | None, end: datetime | None, tz: ZoneInfo
) -> Iterator[dict[str, object]]:
    query = (
        select(CallbackTask, Employee.internal_number, Employee.full_name, Call.linkedid)
        .outerjoin(Employee, col(Employee.id) == col(CallbackTask.owner_id))
        .outerjoin(Call, col(Call.id) == col(CallbackTask.origin_call_id))
        .where(*_between(CallbackTask.requested_at, start, end))
        .order_by(col(CallbackTask.requested_at), col(CallbackTask.id))
        .execution_options(yield_per=BATCH)
    )
    for batch in batches(session.exec(query)):
        task_ids = [task.id for task, *_ in batch if task.id is not None]
        windows = _windows_by_task(session, task_ids, tz)
        attempts = attempts_by_task(session, task_ids)
        for task, owner, owner_name, origin in batch:
            task_attempts = attempts.get(task.id, [])
            last = task_attempts[-1] if task_attempts else None
            yield {
                "id": task.id,
                "phone": task.phone_e164,
                "question": task.question,
                "topic": _text(task.topic),
                "source": _text(task.source),
                "requested_at": _iso(task.requested_at, tz),
                "promised_on": task.promised_on.isoformat(),
                "windows": ";".join(windows.get(task.id, [])),
                "owner": owner or "",
                "owner_name": owner_name or "",
                "status": _text(task.status),
                "closed_at": _iso(task.closed_at, tz),
                "attempts": len(task_attempts),
                "last_attempt_at": _iso(last.at if last else None, tz),
                "last_attempt_result": _text(last.result if last else None),
                "origin_call": origin or "",
            }


def _windows_by_task(
    session: Session, task_ids: list[int], tz: ZoneInfo
) -> dict[int | None, list[str]]:
    query = (
        select(CallbackWindow.task_id, CallbackWindow.starts_at, CallbackWindow.ends_at)
        .where(col(CallbackWindow.task_id).in_(task_ids))
        .order_by(col(CallbackWindow.task_id), col(CallbackWindow.starts_at))
    )
    found: dict[int | None, list[str]] = defaultdict(list)
    for task_id, starts_at, ends_at in session.exec(query):
        found[task_id].append(_window_text(starts_at, ends_at, tz))
    return found


def _window_text(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    tail = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{tail}"


def attempts_by_task(
    session: Session, task_ids: list[int]
) -> dict[int | None, list[CallbackAttempt]]:
    query = (
        select(CallbackAttempt)
        .where(col(CallbackAttempt.task_id).in_(task_ids))
        .order_by(col(CallbackAttempt.task_id), col(CallbackAttempt.at), col(CallbackAttempt.id))
    )
    found: dict[int | None, list[CallbackAttempt]] = defaultdict(list)
    for attempt in session.exec(query):
        found[attempt.task_id].append(attempt)
    return found


def _survey_rows(
    session: Session, start: datetime | None, end: datetime | None, tz: ZoneInfo
) -> Iterator[dict[str, object]]:
    query = (
        select(SurveyResponse, Call, Employee)
        .join(Call, col(Call.id) == col(SurveyResponse.call_id))
        .outerjoin(Employee, col(Employee.id) == col(SurveyResponse.operator_id))
        .where(*_between(SurveyResponse.created_at, start, end))
        .order_by(col(SurveyResponse.created_at), col(SurveyResponse.id))
        .execution_options(yield_per=BATCH)
    )
    for survey, call, operator in session.exec(query):
        yield {
            "call": call.linkedid,
            "arrived_at": _iso(call.arrived_at, tz),
            "operator": operator.internal_number if operator else "",
            "operator_name": operator.full_name if operator else "",
            "answer_received": _text(survey.answer_received),
            "quality": _text(survey.quality),
            "channel": _text(survey.channel),
            "completed": survey.completed,
            "created_at": _iso(survey.created_at, tz),
        }
