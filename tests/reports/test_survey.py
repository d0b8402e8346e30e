"""The survey report (C15) over the sample days of ``tests.reports.survey_samples``: figures per
operator and for the line, the trend, the table and the filters, each worked out by hand from
the samples' list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reports.inputs import InputError
from reports.period import Period
from reports.survey import SurveyReport, SurveyRow, check_operators, survey_report
from reports.survey_figures import SurveyCounts, stretches
from reports.survey_sheets import trend_points
from tests.reports.survey_samples import ALIEVA, MSK, OMAROV, PERIOD, add_sample_surveys, msk


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    add_sample_surveys(db_engine)
    with Session(db_engine) as session:
        yield session


def _report(**filters: list[str]) -> SurveyReport:
    return survey_report(PERIOD, filters, MSK)


def test_figures_per_operator_and_for_the_whole_line(session: Session) -> None:  # C15
    tally = _report().tally(session)
    by_name = {one.name: one.counts for one in tally.operators}
    # Alieva: s1–s4 answered; offered s1, s2, s3 (she hung up) and s9 (its survey names her);
    # s1 and s9 complete, s2 partial, s3 no answer.
    assert by_name[ALIEVA] == SurveyCounts(
        answered_calls=4,
        offered=4,
        complete=2,
        partial=1,
        resolved_yes=3,
        resolved_no=0,
        satisfied=2,
        partly_satisfied=0,
        not_satisfied=0,
    )
    # Omarov: s5–s8; s6 was transferred (no hang-up side) but answered, so it was offered.
    assert by_name[OMAROV] == SurveyCounts(4, 4, 3, 1, 2, 2, 1, 1, 1)
    assert by_name["Оператор не установлен"] == SurveyCounts(answered_calls=1)  # s10
    assert [one.name for one in tally.operators] == [ALIEVA, OMAROV, "Оператор не установлен"]
    assert [one.number for one in tally.operators] == ["201", "202", ""]
    line = tally.line
    assert (line.answered_calls, line.offered, line.responded, line.not_responded) == (9, 8, 7, 1)
    assert (line.response_rate, line.satisfied_share) == (87.5, 60.0)  # 7/8, 3/5
    assert (by_name[ALIEVA].response_rate, by_name[OMAROV].satisfied_share) == (75.0, 33.3)
    assert by_name["Оператор не установлен"].response_rate is None  # nothing offered


def test_the_trend_by_local_day(session: Session) -> None:  # C15
    points = trend_points(_report().tally(session), PERIOD, MSK)
    # 05.10: s8 (00:10), s1, s2, s3 offered, three answered, both ratings "satisfied".
    # 06.10: s5, s6, s9, s7 (23:30) offered and answered; one of three ratings "satisfied".
    assert [(p.name, p.counts.response_rate, p.counts.satisfied_share) for p in points] == [
        ("05.10.2026", 75.0, 100.0),
        ("06.10.2026", 100.0, 33.3),
    ]


def test_a_long_period_is_charted_by_week() -> None:
    period = Period(date(2026, 1, 1), date(2026, 4, 30))  # 120 days, Thursday to Thursday
    by_day = {date(2026, 1, 4): SurveyCounts(offered=2), date(2026, 1, 5): SurveyCounts(offered=3)}
    points = stretches(by_day, period)
    assert points[0].name == "01.01.2026–04.01.2026"  # Thursday to Sunday
    assert points[0].counts.offered == 2
    assert points[1].name == "05.01.2026–11.01.2026"
    assert points[-1].name == "27.04.2026–30.04.2026"
    assert sum(p.counts.offered for p in points) == 5


def test_one_row_per_answered_survey_in_order_of_arrival(session: Session) -> None:  # C15
    rows = _report().page(session, offset=0, limit=100)
    assert [row.arrived_at for row in rows] == [
        msk(5, 0, 10),
        msk(5, 9),
        msk(5, 10),
        msk(6, 9),
        msk(6, 10),
        msk(6, 14),
        msk(6, 23, 30),
    ]
    assert rows[2] == SurveyRow(
        arrived_at=msk(5, 10),
        operator=ALIEVA,
        operator_number="201",
        topic="Меры государственной поддержки",
        language="русский",
        resolved="да",
        quality="",
        completion="частично",
        answered_at=msk(5, 10, 5).replace(second=30),
    )
    assert (rows[4].quality, rows[4].completion, rows[4].language) == (
        "частично удовлетворен",
        "полностью",
        "английский",
    )
    assert rows[5].operator == ALIEVA  # s9: the call has no operator yet, the survey has


def test_filters_by_operator_topic_and_language(session: Session) -> None:  # C15
    def arrivals(report: SurveyReport) -> list[str]:
        return [f"{row.arrived_at:%d %H:%M}" for row in report.page(session, offset=0, limit=99)]

    alieva = _report(operator=["201"])
    assert arrivals(alieva) == ["05 09:00", "05 10:00", "06 14:00"]  # s1, s2, s9
    assert [one.name for one in alieva.tally(session).operators] == [ALIEVA]
    state = _report(topic=["state_services"])
    assert arrivals(state) == ["05 00:10", "05 09:00", "06 09:00", "06 10:00"]
    english = _report(language=["en"]).tally(session).line
    assert (english.offered, english.responded, english.response_rate) == (2, 1, 50.0)  # s3, s6
    no_topic = _report(topic=["none"]).tally(session).line
    assert (no_topic.answered_calls, no_topic.offered) == (1, 0)  # s4


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"operator": ["Алиева"]}, "Неизвестное значение «Алиева» фильтра «оператор»"),
        ({"topic": ["taxes"]}, "Неизвестное значение «taxes» фильтра «тема»"),
        ({"language": ["de"]}, "Неизвестное значение «de» фильтра «язык»; возможные: ru, en."),
    ],
)
def test_unknown_filter_values_are_refused(filters: dict[str, list[str]], message: str) -> None:
    with pytest.raises(InputError) as refused:
        _report(**filters)
    assert refused.value.message.startswith(message)


def test_an_operator_number_nobody_has_is_refused(session: Session) -> None:
    check_operators(session, {"operator": ["201", "202"]})
    with pytest.raises(InputError) as refused:
        check_operators(session, {"operator": ["201", "299"]})
    assert refused.value.message == (
        "Неизвестное значение «299» фильтра «оператор»: укажите внутренний номер сотрудника линии."
    )
    assert refused.value.field == "operator"
