"""The training line and the real line in one database: each line's console counts only its
own calls and callback tasks (``models.line_scope``) — the wallboard, the missed-call report,
exports, the numbers a repeat caller is drawn from — and the stores mark what the training
line writes. The figures are counted from the rows written below."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from call_card.callbacks import CallbackCreated, create_callback
from consult_line.training import open_task_numbers
from models.call_log_store import CallLogStore
from models.db import create_db_engine, session_scope
from models.exports import ExportKind, export_rows
from models.line_scope import scope_to_line, scoped_line
from models.line_store import CallbackRequest, LineStore
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.settings import Settings
from models.tables import Call, CallbackSource, CallbackTask
from reports.missed import missed_report
from reports.period import Period
from reports.survey import survey_report
from tests.ami.captures import final_entry
from tests.call_card.samples import add_call, add_person, window
from tests.factories import add_client
from tests.wallboard.samples import MSK, msk
from wallboard.today import today_counts

CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
DAY = date(2026, 12, 3)  # a Thursday
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=MSK)
REAL_PHONE, TRAINING_PHONE = "+79280000001", "+79280000002"


def _call(
    number: int, at: datetime, outcome: CallOutcome, *, training: bool, **facts: object
) -> Call:
    return Call(
        linkedid=f"1796000000.{number}",
        caller_number="79280000001",
        arrived_at=at,
        in_working_hours=True,
        outcome=outcome,
        training=training,
        **facts,
    )


@pytest.fixture
def shared(db_engine: Engine) -> Engine:
    """One day of both lines in one database: the real line answered one call and missed
    one; the training line answered two and missed one. One open task each."""
    answered, missed = CallOutcome.ANSWERED, CallOutcome.MISSED
    with session_scope(db_engine) as session:
        session.add_all(
            [
                _call(1, msk(3, 10), answered, training=False, queue_wait_s=5.0),
                _call(2, msk(3, 11), missed, training=False,
                      missed_reason=MissedReason.ABANDONED_IN_QUEUE),
                _call(3, msk(3, 10, 30), answered, training=True, queue_wait_s=30.0),
                _call(4, msk(3, 12), answered, training=True, queue_wait_s=3.0),
                _call(5, msk(3, 13), missed, training=True,
                      missed_reason=MissedReason.NO_OPERATORS),
            ]
        )  # fmt: skip
        for phone, training in ((REAL_PHONE, False), (TRAINING_PHONE, True)):
            session.add(
                CallbackTask(
                    phone_e164=phone,
                    source=CallbackSource.MISSED_CALL,
                    requested_at=datetime(2026, 12, 3, 8, tzinfo=UTC),
                    promised_on=DAY,
                    status=CallbackStatus.OPEN,
                    training=training,
                )
            )
    return db_engine


@pytest.fixture
def lines(shared: Engine) -> Iterator[tuple[Engine, Engine]]:
    """The real line's and the training line's engines on the shared database."""
    url = shared.url.render_as_string(hide_password=False)
    real, training = create_db_engine(url), create_db_engine(url)
    scope_to_line(real, training=False)
    scope_to_line(training, training=True)
    yield real, training
    real.dispose()
    training.dispose()


def _today(engine: Engine) -> tuple[int, int, int | None]:
    with session_scope(engine) as session:
        counts = today_counts(session, now=NOW, calendar=CALENDAR, service_level_s=20)
    return counts.answered, counts.missed, counts.callbacks_due


def test_each_wallboard_counts_its_own_lines_calls(
    shared: Engine, lines: tuple[Engine, Engine]
) -> None:
    real, training = lines
    assert _today(real) == (1, 1, 1)  # answered, missed, callback tasks due today
    assert _today(training) == (2, 1, 1)
    assert _today(shared) == (3, 2, 2)  # an engine never scoped (a tool) sees both


def test_each_missed_call_report_lists_its_own_lines_calls(lines: tuple[Engine, Engine]) -> None:
    report = missed_report(Period(DAY, DAY), {}, MSK)
    found = {}
    for engine in lines:
        with Session(engine) as session:
            found[scoped_line(engine)] = [
                (row.arrived_at, row.reason) for row in report.page(session, offset=0, limit=10)
            ]
    assert found[False] == [(msk(3, 11), "Звонящий положил трубку в очереди")]
    assert found[True] == [(msk(3, 13), "Нет операторов на линии")]


def test_each_lines_report_counts_are_its_own(lines: tuple[Engine, Engine]) -> None:
    # The counts the reports sum (models.tables.report_counts) carry the line of their calls.
    missed = missed_report(Period(DAY, DAY), {}, MSK)
    survey = survey_report(Period(DAY, DAY), {}, MSK)
    found = {}
    for engine in lines:
        with Session(engine) as session:
            tally = missed.tally(session)
            found[scoped_line(engine)] = (
                {reason: n for reason, n in tally.by_reason.items() if n},
                survey.tally(session).line.answered_calls,
            )
    assert found[False] == ({MissedReason.ABANDONED_IN_QUEUE: 1}, 1)
    assert found[True] == ({MissedReason.NO_OPERATORS: 1}, 2)


def test_exports_and_repeat_callers_keep_to_their_line(lines: tuple[Engine, Engine]) -> None:
    real, training = lines
    expected = {real: [1, 2], training: [3, 4, 5]}
    for engine, numbers in expected.items():
        linkedids = [f"1796000000.{number}" for number in numbers]
        with Session(engine) as session:
            rows = export_rows(session=session, kind=ExportKind.CALLS, since=DAY, until=DAY, tz=MSK)
            assert [row["linkedid"] for row in rows] == linkedids
    assert open_task_numbers(real) == [REAL_PHONE.removeprefix("+")]
    assert open_task_numbers(training) == [TRAINING_PHONE.removeprefix("+")]


def _line_settings(engine: Engine, pbx: str) -> Settings:
    return Settings(database_url=engine.url.render_as_string(hide_password=False), pbx=pbx)


@pytest.mark.parametrize("pbx", ["asterisk", "training"])
def test_the_stores_mark_the_training_lines_calls_and_tasks(db_engine: Engine, pbx: str) -> None:
    training = pbx == "training"
    client_id = add_client(db_engine, "+79281234567")  # the recordings' caller
    settings = _line_settings(db_engine, pbx)
    scope_to_line(db_engine, training=settings.training_line)  # as consult_line.wiring does
    finished = CallLogStore(db_engine, settings).record_finished(
        final_entry("b-abandoned"), datetime(2026, 11, 28, 12, 30, tzinfo=UTC)
    )
    LineStore(db_engine, settings).open_callback(
        CallbackRequest(
            phone_e164="+79280000009",
            source=CallbackSource.AFTER_HOURS,
            requested_at=datetime(2026, 11, 28, 19, tzinfo=UTC),
            promised_on=date(2026, 11, 30),
            windows=(),
        )
    )
    with Session(db_engine) as session:
        call = session.exec(select(Call).where(Call.linkedid == finished.linkedid)).one()
        tasks = session.exec(select(CallbackTask)).all()
    assert call.training is training
    # a simulated caller joins no client's history, even with a real client's number (G3)
    assert call.client_id == (None if training else client_id)
    assert [task.training for task in tasks] == [training] * len(tasks)


def test_a_callback_taken_on_the_card_of_a_training_call_stays_on_the_training_line(
    shared: Engine, lines: tuple[Engine, Engine]
) -> None:  # C11
    real, training = lines
    trainee = add_person(shared, "501", "Курбанов Арсен Камилович")
    add_call(shared, "training-call", operator_id=trainee)
    with session_scope(shared) as session:  # answered on the training line, as its store marks it
        session.exec(select(Call).where(Call.linkedid == "training-call")).one().training = True
    created = create_callback(
        training,
        linkedid="training-call",
        operator_id=trainee,
        phone="8 (928) 123-45-67",
        windows=(window(8, 10, 12),),
        question="Статус заявления на лицензию",
        calendar=CALENDAR,
        working_days=3,
        now=datetime(2026, 12, 3, 10, 0, tzinfo=MSK),
    )
    assert isinstance(created, CallbackCreated)
    assert sorted(open_task_numbers(training)) == ["79280000002", "79281234567"]
    assert open_task_numbers(real) == ["79280000001"]  # the real line's own task only
