"""The counts by hour the database keeps for the reports (migration 0014,
``models.tables.report_counts``) equal what the rows hold, however the rows are written: calls
that arrive and end later, missed calls given a callback task whose status moves, survey answers
stored, changed, partial, deleted, calls deleted with their answers, the retention purge (G3),
training-line calls. The expected counts are worked out here, in Python, from the rows read
back; nothing in this file asks the counts' own SQL."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from models.db import session_scope
from models.migrate import alembic_config, upgrade
from models.report_counts_upkeep import drop_empty_counts
from models.retention import purge_batches
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    Department,
    Employee,
    HangupSide,
    SurveyResponse,
)
from models.tables.report_counts import SURVEY_MEASURES
from models.topics import Topic
from reports.survey_figures import SurveyCounts

OLD, RECENT = datetime(2019, 3, 4, 6, tzinfo=UTC), datetime(2026, 12, 3, 6, tzinfo=UTC)

# --------------------------------------------------------------------------- by hand


def _hour(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H}"


def expected_missed(session: Session) -> Counter[tuple[object, ...]]:
    statuses = {task.id: task.status.value for task in session.scalars(select(CallbackTask))}
    found: Counter[tuple[object, ...]] = Counter()
    for call in session.scalars(select(Call)):
        if call.outcome is CallOutcome.MISSED:
            found[
                (
                    _hour(call.arrived_at),
                    call.training,
                    call.missed_reason.value if call.missed_reason else "",
                    call.short_call,
                    call.topic.value if call.topic else "",
                    statuses.get(call.callback_task_id, ""),
                )
            ] += 1
    return found


def expected_survey(session: Session) -> dict[tuple[object, ...], Counter[str]]:
    answers = {one.call_id: one for one in session.scalars(select(SurveyResponse))}
    found: dict[tuple[object, ...], Counter[str]] = {}
    for call in session.scalars(select(Call)):
        answer = answers.get(call.id or 0)
        answered = call.outcome is CallOutcome.ANSWERED
        if not (answered or answer):
            continue
        operator = call.operator_id or (answer.operator_id if answer else None) or 0
        counts = found.setdefault((_hour(call.arrived_at), call.training, operator), Counter())
        counts["answered_calls"] += answered
        counts["offered"] += bool(answer) or (answered and call.hangup_side is HangupSide.OPERATOR)
        if answer:
            given = (answer.answer_received is not None) + (answer.quality is not None)
            counts["complete"] += given == 2
            counts["partial"] += given == 1
            counts["resolved_yes"] += answer.answer_received is AnswerReceived.YES
            counts["resolved_no"] += answer.answer_received is AnswerReceived.NO
            counts["satisfied"] += answer.quality is QualityRating.SATISFIED
            counts["partly_satisfied"] += answer.quality is QualityRating.PARTLY_SATISFIED
            counts["not_satisfied"] += answer.quality is QualityRating.NOT_SATISFIED
    return found


def kept_missed(connection: Connection) -> Counter[tuple[object, ...]]:
    rows = connection.execute(
        text(
            "SELECT hour, training, missed_reason, short_call, topic, callback_status, calls "
            "FROM missed_counts WHERE calls <> 0"
        )
    )
    return Counter({(h, bool(t), r, bool(s), p, c): n for h, t, r, s, p, c, n in rows})


def kept_survey(connection: Connection) -> dict[tuple[object, ...], Counter[str]]:
    rows = connection.execute(
        text(f"SELECT hour, training, operator_id, {', '.join(SURVEY_MEASURES)} FROM survey_counts")
    )
    found = {
        (hour, bool(training), operator): Counter(dict(zip(SURVEY_MEASURES, counts, strict=True)))
        for hour, training, operator, *counts in rows
    }
    return {key: +counts for key, counts in found.items() if any(counts.values())}


def assert_counts_match(engine: Engine) -> None:
    with Session(engine) as session:
        missed, survey = expected_missed(session), expected_survey(session)
    with engine.connect() as connection:
        assert kept_missed(connection) == +missed
        assert kept_survey(connection) == {k: +c for k, c in survey.items() if +c}


# --------------------------------------------------------------------------- the writes


class Line:
    """Random writes of the kinds the line makes, through the ORM as the stores make them."""

    def __init__(self, engine: Engine, seed: int) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.made = 0
        with session_scope(engine) as session:
            department = Department(code="counts", name="Отдел")
            session.add(department)
            session.flush()
            people = [
                Employee(
                    internal_number=str(300 + n),
                    full_name=f"Оператор {n}",
                    device=f"PJSIP/{300 + n}",
                    department_id=department.id or 0,
                    updated_at=RECENT,
                )
                for n in range(3)
            ]
            session.add_all(people)
            session.flush()
            self.operators = [person.id or 0 for person in people]

    def step(self) -> None:
        kinds = [self.arrive, self.arrive, self.end, self.change, self.open_task, self.move_task,
                 self.answer, self.answer, self.change_answer, self.remove_answer,
                 self.remove_call, self.remove_task]  # fmt: skip
        with session_scope(self.engine) as session:
            self.rng.choice(kinds)(session)

    def _pick(self, session: Session, query: object) -> object | None:
        found = list(session.scalars(query))  # type: ignore[call-overload]
        return self.rng.choice(found) if found else None

    def arrive(self, session: Session) -> None:
        rng = self.rng
        self.made += 1
        base = rng.choice((OLD, RECENT))
        call = Call(
            linkedid=f"1796100000.{self.made}",
            arrived_at=base + timedelta(minutes=rng.randrange(0, 240)),
            in_working_hours=True,
            topic=rng.choice([None, *Topic]),
            training=rng.random() < 0.2,
        )
        session.add(call)
        if rng.random() < 0.7:
            self._ended(call)

    def _ended(self, call: Call) -> None:
        rng = self.rng
        call.outcome = rng.choice(list(CallOutcome))
        call.ended_at = call.arrived_at + timedelta(minutes=3)
        if call.outcome is CallOutcome.ANSWERED:
            call.operator_id = rng.choice(self.operators)
            call.hangup_side = rng.choice(list(HangupSide))
        elif call.outcome is CallOutcome.MISSED:
            call.missed_reason = rng.choice([None, *MissedReason])
            call.short_call = rng.random() < 0.3

    def end(self, session: Session) -> None:
        call = self._pick(session, select(Call).where(Call.outcome.is_(None)))  # type: ignore[union-attr]
        if isinstance(call, Call):
            self._ended(call)

    def change(self, session: Session) -> None:
        call = self._pick(session, select(Call))
        if isinstance(call, Call):
            rng = self.rng
            choice = rng.randrange(4)
            if choice == 0:
                call.arrived_at += timedelta(hours=rng.choice((-2, 1, 3)))
            elif choice == 1:
                call.topic = rng.choice([None, *Topic])
            elif choice == 2:
                call.short_call = not call.short_call
            else:
                self._ended(call)

    def open_task(self, session: Session) -> None:
        call = self._pick(session, select(Call).where(Call.outcome == CallOutcome.MISSED))
        if not isinstance(call, Call):
            return
        task = CallbackTask(
            phone_e164="+79280000001",
            source=CallbackSource.MISSED_CALL,
            origin_call_id=call.id,
            requested_at=call.arrived_at,
            promised_on=date(2026, 12, 7),
            status=self.rng.choice(list(CallbackStatus)),
            training=call.training,
        )
        session.add(task)
        session.flush()
        call.callback_task_id = task.id

    def move_task(self, session: Session) -> None:
        task = self._pick(session, select(CallbackTask))
        if isinstance(task, CallbackTask):
            task.status = self.rng.choice(list(CallbackStatus))

    def remove_task(self, session: Session) -> None:
        task = self._pick(session, select(CallbackTask))
        if isinstance(task, CallbackTask):
            session.execute(
                update(Call).where(Call.callback_task_id == task.id).values(callback_task_id=None)
            )
            session.delete(task)

    def answer(self, session: Session) -> None:
        answered = select(Call).where(Call.id.not_in(select(SurveyResponse.call_id)))  # type: ignore[union-attr]
        call = self._pick(session, answered)
        if isinstance(call, Call):
            response = SurveyResponse(
                call_id=call.id or 0,
                operator_id=self.rng.choice([None, *self.operators]),
                created_at=call.arrived_at + timedelta(minutes=5),
            )
            self._filled(response)
            session.add(response)

    def _filled(self, response: SurveyResponse) -> None:
        rng = self.rng
        response.answer_received = rng.choice([None, *AnswerReceived])
        response.quality = rng.choice([None, *QualityRating])

    def change_answer(self, session: Session) -> None:
        response = self._pick(session, select(SurveyResponse))
        if isinstance(response, SurveyResponse):
            self._filled(response)

    def remove_answer(self, session: Session) -> None:
        response = self._pick(session, select(SurveyResponse))
        if isinstance(response, SurveyResponse):
            session.delete(response)

    def remove_call(self, session: Session) -> None:
        """A call no task points at, its survey answer going with it (ON DELETE CASCADE)."""
        referenced = select(CallbackTask.origin_call_id).where(
            CallbackTask.origin_call_id.is_not(None)  # type: ignore[union-attr]
        )
        call = self._pick(
            session,
            select(Call).where(Call.id.not_in(referenced), Call.callback_task_id.is_(None)),  # type: ignore[union-attr]
        )
        if isinstance(call, Call):
            session.execute(delete(Call).where(Call.id == call.id))


# --------------------------------------------------------------------------- the tests


def test_counts_follow_every_kind_of_write(db_engine: Engine) -> None:
    # C13, C15: the reports sum these counts; a write they missed would misstate a report.
    line = Line(db_engine, seed=14)
    for step in range(400):
        line.step()
        if step % 50 == 49:
            assert_counts_match(db_engine)
    with db_engine.connect() as connection:
        assert sum(kept_missed(connection).values()) > 10  # the walk made missed calls
        assert len(kept_survey(connection)) > 10
    assert_counts_match(db_engine)


def test_retention_takes_the_purged_calls_out_of_the_counts(db_engine: Engine) -> None:
    # G3: what the purge removes no report counts any more; the rest stays counted.
    line = Line(db_engine, seed=3)
    for _ in range(150):
        line.step()
    with session_scope(db_engine) as session:
        for n in range(6):  # old missed calls of no task, answered ones with answers
            line.arrive(session)
            call = session.scalars(select(Call).order_by(Call.id.desc())).first()  # type: ignore[union-attr]
            assert call is not None
            call.arrived_at = OLD + timedelta(hours=n)
            call.outcome = (CallOutcome.MISSED, CallOutcome.ANSWERED)[n % 2]
            session.flush()
            if call.outcome is CallOutcome.ANSWERED:
                session.add(SurveyResponse(call_id=call.id or 0, created_at=RECENT))
    with db_engine.connect() as connection:
        assert len(kept_survey(connection)) > 0
        before = _by_age(kept_missed(connection))
    for _ in purge_batches(engine=db_engine, cutoff=datetime(2022, 1, 1, tzinfo=UTC), batch_size=7):
        pass
    with db_engine.connect() as connection:
        after = _by_age(kept_missed(connection))
    # Calls of an active task stay (G3 keeps them until it closes); the recent ones all do.
    assert after["old"] < before["old"]
    assert after["recent"] == before["recent"] > 0
    assert_counts_match(db_engine)


def _by_age(counts: Counter[tuple[object, ...]]) -> Counter[str]:
    found = Counter({"old": 0, "recent": 0})
    for key, n in counts.items():
        found["old" if str(key[0]) < "2022" else "recent"] += n
    return found


def test_the_migration_counts_the_calls_already_there(db_engine: Engine) -> None:
    # The calls are written first; going back before 0014 drops the counts and their
    # triggers, so coming forward again counts every call from its row.
    line = Line(db_engine, seed=7)
    for _ in range(120):
        line.step()
    config = alembic_config(db_engine.url.render_as_string(hide_password=False))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    assert not {"missed_counts", "survey_counts"} & set(inspect(db_engine).get_table_names())
    upgrade(db_engine)
    with db_engine.connect() as connection:
        assert sum(kept_missed(connection).values()) > 0
    assert_counts_match(db_engine)
    line.step()
    assert_counts_match(db_engine)  # and the triggers are back


def test_the_survey_counts_measures_are_the_reports_in_its_order() -> None:
    # reports.survey builds SurveyCounts from the sums of these columns, positionally.
    assert tuple(f.name for f in fields(SurveyCounts)) == SURVEY_MEASURES


def test_counts_that_came_to_nothing_are_removed_and_the_rest_stay(db_engine: Engine) -> None:
    line = Line(db_engine, seed=21)
    for _ in range(200):
        line.step()
    with db_engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM missed_counts")).scalar_one()
        rows += connection.execute(text("SELECT count(*) FROM survey_counts")).scalar_one()
        kept = (kept_missed(connection), kept_survey(connection))
    empty = rows - len(kept[0]) - len(kept[1])
    assert empty > 0  # tasks moved calls out of "no task", answers changed
    assert drop_empty_counts(db_engine) == empty
    with db_engine.connect() as connection:
        assert (kept_missed(connection), kept_survey(connection)) == kept
        left = connection.execute(text("SELECT count(*) FROM missed_counts")).scalar_one()
    assert left == len(kept[0])
    line.step()
    assert_counts_match(db_engine)
