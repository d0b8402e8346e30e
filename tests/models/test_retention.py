"""G3: history past five years goes in batches, whole cases at a time, and a stopped run is
finished by the next one. On SQLite and PostgreSQL (``TEST_DATABASE_URL``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as select_rows

from models.retention import Affected, Part, Tally, open_tasks_before, plan, purge_batches
from models.rules.retention import retention_cutoff
from models.tables import (
    AuditEntry,
    Call,
    CallbackAttempt,
    CallbackTask,
    CallWrapup,
    Client,
    MessageAttachment,
    MessageIntake,
    MessageNotice,
    MessageSurvey,
    VisitBooking,
    VisitCancelLink,
    VisitChannel,
    VisitSurvey,
    WrittenMessage,
)
from tests.conftest import EngineFactory
from tests.models.retention_samples import (
    GONE_CALLS,
    KEPT_CALLS,
    KEPT_MESSAGES,
    KEPT_SPOKEN,
    Sample,
    build_history,
)

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2031, 5, 11, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
CUTOFF = retention_cutoff(NOW, MSK, 5)  # 2026-05-11 00:00 MSK
OLD = CUTOFF - timedelta(minutes=1)  # 23:59 on 10 May 2026: five years have passed
NEW = CUTOFF  # 00:00 on 11 May 2026: kept to the end of the day


@pytest.fixture
def sample(db_engine: Engine) -> Sample:
    return build_history(db_engine, old=OLD, new=NEW)


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in id order: the whole state of the database."""
    with engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]
            for name, table in SQLModel.metadata.tables.items()
        }


def _run(engine: Engine, batch_size: int = 500) -> Tally:
    tally = Tally()
    for batch in purge_batches(engine=engine, cutoff=CUTOFF, batch_size=batch_size):
        tally.add(batch)
    return tally


def _plan(engine: Engine) -> tuple[Affected, ...]:
    with engine.connect() as connection:
        return plan(connection=connection, cutoff=CUTOFF)


def test_dry_run_counts_each_table_and_changes_nothing(db_engine: Engine, sample: Sample) -> None:
    before = _dump(db_engine)
    found = {item.part: item for item in _plan(db_engine)}
    assert _dump(db_engine) == before
    day = timedelta(days=1)
    assert found[Part.CALLS] == Affected(Part.CALLS, 7, OLD - 400 * day, OLD)
    assert found[Part.CALL_WRAPUPS] == Affected(
        Part.CALL_WRAPUPS, 1, OLD - 400 * day, OLD - 400 * day
    )
    assert found[Part.CALLBACK_TASKS] == Affected(
        Part.CALLBACK_TASKS, 1, OLD - 3 * day, OLD - 3 * day
    )
    assert found[Part.CLIENTS_DELETED].rows == 1
    assert found[Part.CLIENTS_ANONYMISED].rows == 1
    # G3: messages dated by their closing, or by their arrival when never closed
    assert found[Part.WRITTEN_MESSAGES] == Affected(Part.WRITTEN_MESSAGES, 2, OLD - 20 * day, OLD)
    assert found[Part.MESSAGE_ATTACHMENTS] == Affected(  # dated by its message
        Part.MESSAGE_ATTACHMENTS, 1, OLD - 20 * day, OLD - 20 * day
    )
    assert found[Part.MESSAGE_NOTICES] == Affected(
        Part.MESSAGE_NOTICES, 1, OLD - 40 * day, OLD - 40 * day
    )
    # G3, V13: a visit dated by the visit, its cancellation link and rating with it
    assert found[Part.VISIT_BOOKINGS] == Affected(
        Part.VISIT_BOOKINGS, 1, OLD - 10 * day, OLD - 10 * day
    )
    assert found[Part.VISIT_SURVEYS] == Affected(
        Part.VISIT_SURVEYS, 1, OLD - 10 * day, OLD - 10 * day
    )
    assert {part: item.rows for part, item in found.items()} == {part: 1 for part in Part} | {
        Part.CALLS: 7,
        Part.WRITTEN_MESSAGES: 2,
        Part.VISIT_REMINDERS: 0,  # the sample has no reminder rows
    }
    with db_engine.connect() as connection:  # kept however old, until someone closes it
        assert open_tasks_before(connection=connection, cutoff=CUTOFF) == 1


def test_run_removes_what_the_dry_run_counted_and_keeps_every_recent_case(
    db_engine: Engine, sample: Sample
) -> None:
    planned = _plan(db_engine)
    assert _run(db_engine).changes == planned
    with Session(db_engine) as session:
        linkedids = set(session.exec(select_rows(Call.linkedid)).all())
        assert linkedids == KEPT_CALLS
        assert not linkedids & GONE_CALLS
        # the spoken question went with its call
        assert set(session.exec(select_rows(Call.spoken_question)).all()) == {"", KEPT_SPOKEN}
        clients = {client.id: client for client in session.exec(select_rows(Client)).all()}
        # The client with an old and a new call keeps both record and new call.
        assert set(clients) == {
            sample.mixed,
            sample.audited,
            sample.spanning,
            sample.recent,
            sample.writer,  # no calls, and an old record: kept for its message
        }
        assert clients[sample.mixed].phone_e164 == "+79280000002"
        assert clients[sample.spanning].full_name == "spanning"
        audited = clients[sample.audited]
        assert (audited.phone_e164, audited.full_name, audited.email) == (None, None, None)
        # The audit log is kept whole, still naming the anonymised record.
        assert len(session.exec(select_rows(AuditEntry)).all()) == 2
        # A task closed after the cut-off keeps its old call and its attempts.
        tasks = set(session.exec(select_rows(CallbackTask.id)).all())
        assert tasks == {sample.spanning_task, sample.late_task, sample.open_task}
        attempts = session.exec(select_rows(CallbackAttempt.task_id)).all()
        assert attempts == [sample.spanning_task]
        origin = session.exec(select_rows(Call).where(col(Call.linkedid) == "kept-spanning")).one()
        assert origin.callback_task_id == sample.spanning_task
        wrapups = session.exec(select_rows(CallWrapup.call_id)).all()
        assert len(wrapups) == 1
        numbers = set(session.exec(select_rows(WrittenMessage.number)).all())
        assert numbers == KEPT_MESSAGES
        assert session.exec(select_rows(MessageAttachment.id)).all() == []
        assert len(session.exec(select_rows(MessageNotice.id)).all()) == 2  # the resent answer
        assert len(session.exec(select_rows(MessageSurvey.id)).all()) == 1
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []


def test_second_run_finds_nothing(db_engine: Engine, sample: Sample) -> None:
    _run(db_engine)
    after = _dump(db_engine)
    assert all(item.rows == 0 for item in _plan(db_engine))
    assert _run(db_engine).batches == 0
    assert _dump(db_engine) == after


def test_run_stopped_after_any_batch_is_finished_by_the_next(
    engine_factory: EngineFactory, db_engine: Engine, sample: Sample
) -> None:
    # One row per batch: after each batch the rows done and the rows still counted by a dry
    # run add up to the first count; stopped after four batches, a new run finishes the job
    # and leaves exactly what an uninterrupted run leaves.
    whole = engine_factory()
    build_history(whole, old=OLD, new=NEW)
    _run(whole)

    first = {item.part: item.rows for item in _plan(db_engine)}
    done = Tally()
    for batch in islice(purge_batches(engine=db_engine, cutoff=CUTOFF, batch_size=1), 4):
        done.add(batch)
        left = {item.part: item.rows for item in _plan(db_engine)}
        assert {part: done.parts[part].rows + left[part] for part in Part} == first
    assert done.batches == 4
    assert 0 < done.rows < sum(first.values())

    rest = _run(db_engine, batch_size=1)
    assert done.rows + rest.rows == sum(first.values())
    assert _dump(db_engine) == _dump(whole)


def test_batch_size_must_be_positive(db_engine: Engine) -> None:
    with pytest.raises(ValueError, match="at least one row"):
        next(purge_batches(engine=db_engine, cutoff=CUTOFF, batch_size=0))


@pytest.mark.parametrize(
    ("received_at", "closed_at", "kept"),
    [
        # G3: five years from the closing ...
        (OLD - timedelta(days=400), CUTOFF - timedelta(microseconds=1), False),
        (OLD - timedelta(days=400), CUTOFF, True),
        # ... or, for a message never closed, from its arrival
        (CUTOFF - timedelta(microseconds=1), None, False),
        (CUTOFF, None, True),
    ],
)
def test_a_message_and_its_only_author_go_on_the_day_after_five_years(
    db_engine: Engine, received_at: datetime, closed_at: datetime | None, kept: bool
) -> None:
    with Session(db_engine) as session:
        author = Client(email="author@example.ru", created_at=OLD - timedelta(days=500))
        session.add(author)
        session.flush()
        message = WrittenMessage(
            number="ПО-2021-000001",
            received_at=received_at,
            intake=MessageIntake.PAPER,
            client_id=author.id,
            primary_due=received_at.date(),
            answer_due=received_at.date(),
            closed_at=closed_at,
        )
        session.add(message)
        session.flush()
        session.add(
            MessageAttachment(
                message_id=message.id,
                filename="a.txt",
                content_type="text/plain",
                size=1,
                data=b"a",
            )
        )
        session.commit()
    tally = _run(db_engine)
    with Session(db_engine) as session:
        left = (
            len(session.exec(select_rows(WrittenMessage)).all()),
            len(session.exec(select_rows(MessageAttachment)).all()),
            len(session.exec(select_rows(Client)).all()),
        )
    assert left == ((1, 1, 1) if kept else (0, 0, 0))
    assert tally.parts[Part.CLIENTS_DELETED].rows == (0 if kept else 1)
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []


def test_a_client_with_an_old_call_and_a_kept_message_stays_whole(
    db_engine: Engine, sample: Sample
) -> None:
    # G3: the client goes only when none of their calls or messages is kept
    with Session(db_engine) as session:
        session.add(
            WrittenMessage(
                number="ПО-2026-000100",
                received_at=NEW,
                intake=MessageIntake.WEB,
                client_id=sample.gone,
                primary_due=NEW.date(),
                answer_due=NEW.date(),
            )
        )
        session.commit()
    _run(db_engine)
    with Session(db_engine) as session:
        client = session.get(Client, sample.gone)
        assert client is not None
        assert client.phone_e164 is not None  # neither deleted nor anonymised
        # its old call went all the same: the term is counted for each interaction
        assert "gone-client" not in set(session.exec(select_rows(Call.linkedid)).all())


def test_a_client_with_a_visit_booking_kept_stays(db_engine: Engine, sample: Sample) -> None:
    # G3, V1: a booking within the term keeps its client (neither deleted nor blanked); the
    # client's old visit, calls and message go all the same
    with Session(db_engine) as session:
        booking = session.exec(select_rows(VisitBooking)).first()
        assert booking is not None
        session.add(
            VisitBooking(
                employee_id=booking.employee_id, point_id=booking.point_id,
                starts_at=NEW + timedelta(hours=1), ends_at=NEW, client_id=sample.gone,
                phone_e164="+79120000000", channel=VisitChannel.LINE, booked_at=OLD,
            )
        )  # fmt: skip
        session.commit()
    _run(db_engine)
    with Session(db_engine) as session:
        client = session.get(Client, sample.gone)
        assert client is not None
        assert client.phone_e164 is not None
        kept = session.exec(
            select_rows(VisitBooking.starts_at).where(col(VisitBooking.client_id) == sample.gone)
        ).all()
        assert [at.astimezone(UTC) for at in kept] == [NEW + timedelta(hours=1)]


def test_an_old_visit_goes_with_its_link_and_rating(db_engine: Engine, sample: Sample) -> None:
    # G3, V13: 5 years after the visit the booking, its cancellation link and rating go; a
    # visit rated after the cut-off and a visit at the cut-off stay, and so does their rating
    _run(db_engine)
    with Session(db_engine) as session:
        starts = sorted(
            at.astimezone(UTC) for at in session.exec(select_rows(VisitBooking.starts_at))
        )
        assert starts == [OLD - timedelta(days=20), NEW]
        assert session.exec(select_rows(VisitCancelLink)).all() == []
        [rating] = session.exec(select_rows(VisitSurvey)).all()
        assert rating.answered_at is not None
        assert session.get(Client, sample.gone) is None
