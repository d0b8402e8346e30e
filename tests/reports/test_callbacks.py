"""The callback report (C11) over the sample tasks of ``tests.reports.callback_samples``: terms
against the promised day's end, overdue now, attempts, owners, days and filters, each figure
worked out by hand from the samples' list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.settings import Settings
from models.tables import AttemptResult
from reports.callbacks import CallbackRow, CallbacksReport, Term, callbacks_report
from reports.inputs import InputError
from tests.reports.callback_samples import CLIENT, NOW, add_sample_tasks
from tests.reports.samples import ALIEVA, MSK, OMAROV, PERIOD, msk


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    add_sample_tasks(db_engine)
    with Session(db_engine) as session:
        yield session


def _report(session: Session, now: datetime = NOW, **filters: list[str]) -> CallbacksReport:
    report = callbacks_report(PERIOD, filters, MSK)
    return report.prepared(session, now, Settings(database_url="sqlite://"))


def _numbers(session: Session, report: CallbacksReport) -> list[str]:
    """The tasks by their phone's last two digits: t1…t10 were numbered in the samples' order."""
    order = ["t1", "t2", "t3", "t4", "t10", "t5", "t6", "t7", "t8", "t9"]
    return [order[int(row.phone[-2:]) - 1] for row in report.page(session, offset=0, limit=100)]


def test_every_task_created_on_the_local_days_with_its_term(session: Session) -> None:  # C11
    rows = {row.phone[-2:]: row for row in _report(session).page(session, offset=0, limit=100)}
    assert [(n, row.term, row.overdue) for n, row in sorted(rows.items())] == [
        ("01", "В срок", False),  # t1: answered 08.10 17:30, the deadline 18:00
        ("02", "Срок нарушен", False),  # t2: answered 07.10 18:30, after 18:00
        ("03", "В срок", False),  # t3: closed as done by the deadline, no attempt needed
        ("04", "Срок нарушен", False),  # t4: closed as failed
        ("05", "В срок", False),  # t10: promised a Saturday, answered at 20:00 that day
        ("06", "Срок нарушен", True),  # t5: still open a working day after 09.10
        ("07", "Срок не наступил", False),  # t6: promised 15.10
        ("08", "В срок", True),  # t7: answered in time but still in progress past 09.10
        ("09", "Отменена", False),  # t8
        ("10", "В срок", False),  # t9: created 06.10 23:59:59, inside the period
    ]
    t1 = rows["01"]
    assert t1 == CallbackRow(
        task_id=t1.task_id,
        requested_at=msk(5, 9, 30),
        phone="+79280000001",
        client=CLIENT,
        source="Пропущенный звонок",
        promised_on=date(2026, 10, 8),
        term="В срок",
        overdue=False,
        attempts=2,
        tried="06.10 10:00 не ответил; 08.10 17:30 дозвонились",
        reached_at=msk(8, 17, 30),
        owner=ALIEVA,
        status="Выполнена",
        closed_at=msk(8, 17, 40),
        result_note="Ответ дан",
    )
    assert (rows["06"].owner, rows["06"].source, rows["06"].attempts) == (
        "",
        "Вместо третьего перевода",
        0,
    )


def test_the_term_follows_the_instant_the_report_is_made(session: Session) -> None:  # C11
    # On 09.10 at 17:59 t5 (open, promised 09.10) is not late yet; a second later it is.
    before = _report(session, now=msk(9, 17, 59, 59)).tally(session)
    after = _report(session, now=msk(9, 18)).tally(session)
    assert (before.by_term[Term.OPEN], before.by_term[Term.MISSED], before.overdue) == (2, 2, 0)
    assert (after.by_term[Term.OPEN], after.by_term[Term.MISSED], after.overdue) == (1, 3, 2)


def test_totals_attempts_and_owners(session: Session) -> None:  # C11
    tally = _report(session).tally(session)
    assert tally.total == 10
    assert dict(tally.by_term) == {Term.KEPT: 5, Term.MISSED: 3, Term.OPEN: 1, Term.CANCELLED: 1}
    assert tally.overdue == 2  # t5, t7
    assert (tally.attempts, tally.average_attempts) == (8, 0.8)
    assert dict(tally.by_attempts) == {0: 4, 1: 4, 2: 2}
    assert dict(tally.results) == {
        AttemptResult.ANSWERED: 4,  # t1, t2, t7, t10
        AttemptResult.NO_ANSWER: 3,  # t1, t4, t6
        AttemptResult.BUSY: 1,  # t4
    }
    owners = {name: (f.tasks, f.kept, f.missed, f.attempts) for name, f in tally.owners.items()}
    assert owners == {
        ALIEVA: (4, 2, 1, 4),  # t1, t2, t6, t9
        OMAROV: (4, 3, 1, 4),  # t3, t4, t7, t10
        "": (2, 0, 1, 0),  # t5, t8
    }
    by_day = {term: tally.days[term].by_day(PERIOD, MSK) for term in (Term.KEPT, Term.MISSED)}
    assert by_day[Term.KEPT] == [(date(2026, 10, 5), 3), (date(2026, 10, 6), 2)]
    assert by_day[Term.MISSED] == [(date(2026, 10, 5), 2), (date(2026, 10, 6), 1)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"term": ["missed"]}, ["t2", "t4", "t5"]),
        ({"term": ["open", "cancelled"]}, ["t6", "t8"]),
        ({"status": ["in_progress"]}, ["t6", "t7"]),
        ({"owner": ["202"]}, ["t3", "t4", "t10", "t7"]),
        ({"owner": ["none", "201"], "term": ["kept"]}, ["t1", "t9"]),
        ({"owner": ["none"]}, ["t5", "t8"]),
        ({"status": ["done"], "term": ["missed"]}, ["t2"]),
        (
            {"term": [""], "owner": []},
            ["t1", "t2", "t3", "t4", "t10", "t5", "t6", "t7", "t8", "t9"],
        ),
    ],
)
def test_filters_select_the_tasks_and_their_counts(
    session: Session, filters: dict[str, list[str]], expected: list[str]
) -> None:
    report = _report(session, **filters)
    assert _numbers(session, report) == expected
    assert report.tally(session).total == len(expected)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"term": ["late"]}, "Неизвестное значение «late» фильтра «срок»; возможные: kept, "),
        ({"status": ["closed"]}, "Неизвестное значение «closed» фильтра «состояние»"),
        ({"owner": ["Алиева"]}, "Неизвестное значение «Алиева» фильтра «ответственный»"),
        ({"owner": ["999"]}, "Неизвестное значение «999» фильтра «ответственный»"),
    ],
)
def test_an_unknown_filter_value_is_refused_by_name(
    session: Session, filters: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(InputError) as refused:
        _report(session, **filters)
    assert refused.value.message.startswith(message)
    assert refused.value.field == next(iter(filters))


def test_an_unprepared_report_does_not_guess_the_time(session: Session) -> None:
    with pytest.raises(RuntimeError):
        callbacks_report(PERIOD, {}, MSK).tally(session)


def test_sheets_and_the_audit_line(session: Session) -> None:
    report = _report(session, owner=["201", "none"], term=["kept"])
    assert report.describe() == "since=2026-10-05 until=2026-10-06 owner=201,none term=kept"
    days, owners, attempts, totals = report.sheets(session)
    assert days.rows == [(date(2026, 10, 5), 1, 0, 0, 0, 1), (date(2026, 10, 6), 1, 0, 0, 0, 1)]
    assert owners.rows == [(ALIEVA, 2, 2, 0, 2)]  # t1 (two attempts) and t9
    assert attempts.rows == [(0, 1), (2, 1)]
    assert ("Попыток на заявку в среднем", 1.0) in totals.rows
