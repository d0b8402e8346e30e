"""The report of operators over ``tests.reports.operator_samples``: calls answered, talk time,
wrap-ups missing and training today (C4), each figure worked out by hand from the samples."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reports.inputs import InputError
from reports.operators import OPERATORS, OperatorsReport, operators_report, operators_tally
from reports.training_state import TrainingState
from tests.reports.operator_samples import (
    ALIEVA,
    BASHIROV,
    DAVUDOV,
    GASANOVA,
    IBRAGIMOVA,
    KURBANOV,
    MSK,
    PERIOD,
    TODAY,
    add_operator_calls,
)

TRAINED, DUE, EXPIRED = TrainingState.TRAINED, TrainingState.DUE_SOON, TrainingState.EXPIRED
NEW, NO_INITIAL = TrainingState.NEW_SERVICE, TrainingState.NO_INITIAL


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    add_operator_calls(db_engine)
    with Session(db_engine) as session:
        yield session


def _report(session: Session, **filters: list[str]) -> OperatorsReport:
    OPERATORS.check(session, filters)
    return operators_report(PERIOD, filters, MSK, TODAY)


def test_calls_talk_time_and_missing_wrapups_per_operator(session: Session) -> None:  # K7, C4
    rows = _report(session).listing(session)
    found = [
        (
            row.operator.full_name,
            row.calls.answered,
            row.talk_total_min,
            row.talk_average_s,
            row.calls.without_wrapup,
        )
        for row in rows
    ]
    assert found == [
        # a1–a4: 120 + 300 + 60 s = 8.0 min over 3 known; a2 owed (a3 dismissed, a4 goes on)
        (ALIEVA, 4, 8.0, 160.0, 1),
        # b1 at local midnight and b2 at 23:59:59 are in, 04.10 and 07.10 out: 76 s, both owed
        (BASHIROV, 2, 1.3, 38.0, 2),
        (GASANOVA, 1, 3.3, 200.0, 0),  # 200 s = 3.33 min
        (DAVUDOV, 0, 0.0, None, 0),
        (IBRAGIMOVA, 1, 0.0, None, 1),  # talk time unknown
        (KURBANOV, 1, 1.5, 90.0, 0),  # no longer active, but answered in the period
    ]  # 207, inactive without calls, is left out


def test_training_state_as_of_today_with_its_date(session: Session) -> None:  # C4
    rows = {row.operator.internal_number: row for row in _report(session).listing(session)}
    found = {
        number: (
            row.training.state,
            row.training.on,
            row.training.service.code if row.training.service else "",
            row.training.last_training_on,
        )
        for number, row in rows.items()
    }
    assert found == {
        "201": (TRAINED, date(2028, 3, 2), "", date(2026, 3, 2)),
        "202": (NEW, date(2024, 9, 1), "alco-epgu", date(2024, 7, 1)),  # lapsed too, but C4 order
        "203": (EXPIRED, date(2026, 9, 20), "", date(2024, 9, 20)),
        "204": (NO_INITIAL, None, "", None),
        "205": (DUE, date(2026, 11, 5), "", date(2024, 11, 5)),  # 22 days ahead
        "206": (NO_INITIAL, None, "", None),
    }
    assert rows["203"].cells()[7:] == (
        "Срок обучения истёк",
        date(2026, 9, 20),
        "",
        date(2024, 9, 20),
    )
    assert rows["202"].training.describe() == (
        "Не обучен по новой услуге «Лицензия через ЕПГУ», введена 01.09.2024"
    )


def test_totals_of_the_listed_operators(session: Session) -> None:
    tally = operators_tally(_report(session).listing(session))
    # 4 + 2 + 1 + 0 + 1 + 1 calls; 480 + 76 + 200 + 90 = 846 s = 14.1 min over 7 known
    assert (tally.operators, tally.answered, tally.talk_total_min) == (6, 9, 14.1)
    assert (tally.talk_average_s, tally.without_wrapup) == (120.9, 4)
    assert dict(tally.by_training) == {TRAINED: 1, NEW: 1, EXPIRED: 1, NO_INITIAL: 2, DUE: 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"department": ["second"]}, [GASANOVA, DAVUDOV]),
        ({"training": ["expired", "no_initial"]}, [GASANOVA, DAVUDOV, KURBANOV]),
        ({"department": ["consult"], "training": ["no_initial"]}, [KURBANOV]),
        ({"department": ["consult", "second"], "training": [""]}, None),  # every operator
    ],
)
def test_filters_by_department_and_training(
    session: Session, filters: dict[str, list[str]], expected: list[str] | None
) -> None:
    names = [row.operator.full_name for row in _report(session, **filters).listing(session)]
    assert names == (expected or [ALIEVA, BASHIROV, GASANOVA, DAVUDOV, IBRAGIMOVA, KURBANOV])


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            {"department": ["third"]},
            "Неизвестное значение «third» фильтра «отдел»; возможные: second, consult.",
        ),
        ({"training": ["lapsed"]}, "Неизвестное значение «lapsed» фильтра «обучение»"),
    ],
)
def test_an_unknown_filter_value_is_refused(
    session: Session, filters: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(InputError) as refused:
        _report(session, **filters)
    assert refused.value.message.startswith(message)


def test_the_audit_line_names_period_and_filters(session: Session) -> None:
    report = _report(session, department=["second", "consult"], training=["expired"])
    assert report.describe() == (
        "since=2026-10-05 until=2026-10-06 department=consult,second training=expired"
    )
