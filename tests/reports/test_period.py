"""A report's period from the page's form and the command line: local dates, both inclusive
(C3); every mistake refused with a Russian sentence naming the field, never an exception of
the standard library."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reports.inputs import InputError
from reports.period import Period, check_hourly, checked_period, form_period
from tests.reports.samples import MSK

TODAY = date(2026, 10, 14)


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, Period(date(2026, 10, 1), TODAY)),  # this month up to today
        ("", " ", Period(date(2026, 10, 1), TODAY)),
        ("2026-09-20", None, Period(date(2026, 9, 20), TODAY)),
        ("2026-11-02", None, Period(date(2026, 11, 2), date(2026, 11, 2))),  # after today
        (None, "2026-09-20", Period(date(2026, 9, 1), date(2026, 9, 20))),
        ("2026-10-05", "2026-10-05", Period(date(2026, 10, 5), date(2026, 10, 5))),
        ("2028-01-01", "2028-12-31", Period(date(2028, 1, 1), date(2028, 12, 31))),  # 366 days
    ],
)
def test_the_forms_period_and_its_defaults(
    since: str | None, until: str | None, expected: Period
) -> None:
    assert form_period(since, until, today=TODAY) == expected


@pytest.mark.parametrize(
    ("since", "until", "field", "message"),
    [
        (
            "2026-10-31",
            "2026-10-01",
            "until",
            "Конец периода (01.10.2026) раньше начала (31.10.2026).",
        ),
        (
            "2026-01-01",
            "2027-01-02",
            "until",
            "Период длиннее 366 дней (367): выберите не больше года.",
        ),
        (
            "31.10.2026",
            None,
            "since",
            "Дата начала периода — в виде ГГГГ-ММ-ДД, получено «31.10.2026».",
        ),
        (
            None,
            "2026-02-30",
            "until",
            "Дата конца периода — в виде ГГГГ-ММ-ДД, получено «2026-02-30».",
        ),
        ("0001-01-01", "0001-01-02", "since", "Дата 0001-01-01 вне допустимых лет (2000–2100)."),
        ("9999-12-30", "9999-12-31", "since", "Дата 9999-12-30 вне допустимых лет (2000–2100)."),
    ],
)
def test_a_period_that_cannot_be_reported_is_refused_in_russian(
    since: str | None, until: str | None, field: str, message: str
) -> None:
    with pytest.raises(InputError) as refused:
        form_period(since, until, today=TODAY)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_the_chart_by_hour_takes_a_week_at_most() -> None:
    check_hourly(checked_period(date(2026, 10, 5), date(2026, 10, 11)))
    with pytest.raises(InputError) as refused:
        check_hourly(checked_period(date(2025, 10, 15), date(2026, 10, 14)))
    assert refused.value.field == "chart"
    assert refused.value.message == (
        "График по часам строится за период не длиннее 7 дней, а выбрано 365: сократите "
        "период или выберите график по дням."
    )


def test_bounds_are_the_lines_midnights_in_utc() -> None:  # C3
    period = Period(date(2026, 10, 5), date(2026, 10, 6))
    assert period.bounds(MSK) == (
        datetime(2026, 10, 4, 21, 0, tzinfo=UTC),
        datetime(2026, 10, 6, 21, 0, tzinfo=UTC),
    )
    assert (period.days, period.label(), period.slug()) == (
        2,
        "05.10.2026–06.10.2026",
        "2026-10-05_2026-10-06",
    )
