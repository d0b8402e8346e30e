"""The transfer report (C10) over the sample calls of ``tests.reports.callback_samples``: the
answered calls by transfers made, the refused third transfers, where the transfers went, the
attempts and their filters, each figure worked out by hand from the samples' list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.rules.transfers import TransferOutcome
from models.settings import Settings
from reports.inputs import InputError
from reports.transfers import TransferRow, TransfersReport, transfers_report
from tests.reports.callback_samples import GADZHIEVA, KURBANOV, NOW, add_sample_transfers
from tests.reports.samples import ALIEVA, MSK, PERIOD, msk

COMPLETED, FAILED = TransferOutcome.COMPLETED, TransferOutcome.FAILED
REFUSED, PENDING = TransferOutcome.REFUSED, TransferOutcome.PENDING


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    add_sample_transfers(db_engine)
    with Session(db_engine) as session:
        yield session


def _report(session: Session, **filters: list[str]) -> TransfersReport:
    report = transfers_report(PERIOD, filters, MSK)
    return report.prepared(session, NOW, Settings(database_url="sqlite://"))


def _attempts(session: Session, report: TransfersReport) -> list[tuple[str, int]]:
    """(call, seq): the calls by their caller's last digit, c1…c5."""
    return [(f"c{row.caller[-1]}", row.seq) for row in report.page(session, offset=0, limit=100)]


def test_answered_calls_by_transfers_made_and_the_refused_third(session: Session) -> None:  # C10
    tally = _report(session).tally(session)
    # c1 none; c2 one; c3 two (its third refused); c4 one after two failures; c5 unfinished.
    assert tally.answered == 4
    assert dict(tally.by_count) == {0: 1, 1: 2, 2: 1}
    assert tally.attempts == 8
    assert dict(tally.by_outcome) == {COMPLETED: 4, FAILED: 2, REFUSED: 1, PENDING: 1}
    assert tally.refused_calls == 1  # c3


def test_where_the_transfers_went(session: Session) -> None:  # C9, C10
    tally = _report(session).tally(session)
    assert [(t.name, t.department, dict(t.outcomes)) for t in tally.targets] == [
        (KURBANOV, "Юридический отдел", {COMPLETED: 2, REFUSED: 1, PENDING: 1}),
        (GADZHIEVA, "Отдел мер поддержки", {COMPLETED: 2, FAILED: 1}),
        ("Номер 999 (нет в справочнике)", "Нет в справочнике", {FAILED: 1}),
    ]
    assert {name: dict(outcomes) for name, outcomes in tally.departments.items()} == {
        "Нет в справочнике": {FAILED: 1},
        "Отдел мер поддержки": {COMPLETED: 2, FAILED: 1},
        "Юридический отдел": {COMPLETED: 2, REFUSED: 1, PENDING: 1},
    }


def test_every_attempt_with_who_held_the_caller(session: Session) -> None:  # C10
    rows = _report(session).page(session, offset=0, limit=100)
    assert [(f"c{row.caller[-1]}", row.seq, row.from_name, row.to_name) for row in rows] == [
        ("c2", 1, ALIEVA, KURBANOV),
        ("c3", 1, ALIEVA, KURBANOV),
        ("c3", 2, KURBANOV, GADZHIEVA),  # Kurbanov had the caller after the first
        ("c3", 3, GADZHIEVA, KURBANOV),
        ("c4", 1, ALIEVA, GADZHIEVA),
        ("c4", 2, ALIEVA, ""),  # the first failed: Alieva still had the caller
        ("c4", 3, ALIEVA, GADZHIEVA),
        ("c5", 1, ALIEVA, KURBANOV),
    ]
    assert rows[3] == TransferRow(
        arrived_at=msk(5, 12),
        caller="+79281000003",
        seq=3,
        at=msk(5, 12, 3),
        from_name=GADZHIEVA,
        to_name=KURBANOV,
        to_extension="301",
        department="Юридический отдел",
        kind="Без консультации",
        outcome="Отклонён: лимит переводов",
    )
    assert (rows[5].to_extension, rows[5].department, rows[5].outcome) == (
        "999",
        "Нет в справочнике",
        "Не состоялся",
    )
    assert (rows[2].kind, rows[7].outcome) == ("С консультацией", "Выполняется")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"outcome": ["refused"]}, [("c3", 3)]),
        ({"outcome": ["failed", "pending"]}, [("c4", 1), ("c4", 2), ("c5", 1)]),
        ({"department": ["support"]}, [("c3", 2), ("c4", 1), ("c4", 3)]),
        ({"department": ["none"]}, [("c4", 2)]),
        ({"department": ["law"], "outcome": ["completed"]}, [("c2", 1), ("c3", 1)]),
    ],
)
def test_filters_select_the_attempts_not_the_calls(
    session: Session, filters: dict[str, list[str]], expected: list[tuple[str, int]]
) -> None:
    report = _report(session, **filters)
    assert _attempts(session, report) == expected
    tally = report.tally(session)
    assert tally.attempts == len(expected)
    assert dict(tally.by_count) == {0: 1, 1: 2, 2: 1}  # the answered calls stay whole


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"outcome": ["answered"]}, "Неизвестное значение «answered» фильтра «исход»; возможные: "),
        ({"department": ["tax"]}, "Неизвестное значение «tax» фильтра «отдел»"),
    ],
)
def test_an_unknown_filter_value_is_refused_by_name(
    session: Session, filters: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(InputError) as refused:
        _report(session, **filters)
    assert refused.value.message.startswith(message)
    assert refused.value.field == next(iter(filters))


def test_sheets_and_the_audit_line(session: Session) -> None:
    report = _report(session, department=["law", "none"], outcome=["completed", "failed"])
    assert report.describe() == (
        "since=2026-10-05 until=2026-10-06 outcome=completed,failed department=law,none"
    )
    calls, targets, departments, totals = report.sheets(session)
    assert calls.rows == [("Без переводов", 1), ("1 перевод", 2), ("2 перевода", 1)]
    assert targets.rows == [
        (KURBANOV, "Юридический отдел", 2, 0, 0, 0, 2),
        ("Номер 999 (нет в справочнике)", "Нет в справочнике", 0, 0, 1, 0, 1),
    ]
    assert [row[0] for row in departments.rows] == ["Нет в справочнике", "Юридический отдел"]
    assert ("Попыток перевода", 3) in totals.rows
