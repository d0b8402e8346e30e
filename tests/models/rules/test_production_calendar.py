"""The calendar against the official Russian production calendars of 2024-2026 (C3).

The expected days below are typed in from the decrees, independently of the holidays library:

* 2024 — Постановление Правительства РФ от 10.08.2023 № 1314 «О переносе выходных дней
  в 2024 году»: 248 working days.
* 2025 — Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней
  в 2025 году»: 247 working days.
* 2026 — Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней
  в 2026 году»: 247 working days.

Every weekday not listed as a day off is a working day; every Saturday and Sunday not listed
as a working weekend day is a day off.
"""

from datetime import date, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import (
    DEFAULT_HOURS,
    ProductionCalendar,
    YearSource,
    known_years,
)

MSK = ZoneInfo("Europe/Moscow")


def _dates(year: int, month_days: dict[int, tuple[int, ...]]) -> frozenset[date]:
    return frozenset(date(year, month, day) for month, days in month_days.items() for day in days)


WEEKDAYS_OFF = {
    2024: _dates(
        2024,
        {1: (1, 2, 3, 4, 5, 8), 2: (23,), 3: (8,), 4: (29, 30), 5: (1, 9, 10), 6: (12,)}
        | {11: (4,), 12: (30, 31)},
    ),
    2025: _dates(
        2025,
        {1: (1, 2, 3, 6, 7, 8), 5: (1, 2, 8, 9), 6: (12, 13), 11: (3, 4), 12: (31,)},
    ),
    2026: _dates(
        2026,
        {1: (1, 2, 5, 6, 7, 8, 9), 2: (23,), 3: (9,), 5: (1, 11), 6: (12,), 11: (4,)} | {12: (31,)},
    ),
}
WORKING_WEEKEND_DAYS = {
    2024: _dates(2024, {4: (27,), 11: (2,), 12: (28,)}),
    2025: _dates(2025, {11: (1,)}),
    2026: frozenset[date](),
}
PUBLISHED_WORKING_DAYS = {2024: 248, 2025: 247, 2026: 247}


def _official_is_working(day: date) -> bool:
    if day.weekday() >= 5:
        return day in WORKING_WEEKEND_DAYS[day.year]
    return day not in WEEKDAYS_OFF[day.year]


def _year_days(year: int) -> list[date]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


ALL_DAYS = [day for year in sorted(PUBLISHED_WORKING_DAYS) for day in _year_days(year)]


@pytest.fixture(scope="module")
def calendar() -> ProductionCalendar:
    return ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)


@pytest.mark.parametrize("year", sorted(PUBLISHED_WORKING_DAYS))
def test_official_table_itself_adds_up_to_the_published_total(year: int) -> None:
    # Guards the transcription above, so that the per-day test compares against real data.
    working = sum(_official_is_working(day) for day in _year_days(year))
    assert working == PUBLISHED_WORKING_DAYS[year]


@pytest.mark.parametrize("day", ALL_DAYS, ids=date.isoformat)
def test_calendar_matches_the_official_production_calendar_on_every_day(
    calendar: ProductionCalendar, day: date
) -> None:
    # C3: working days follow the decree, including transferred days off and working Saturdays.
    assert calendar.is_working_day(day) is _official_is_working(day)


@pytest.mark.parametrize(("year", "total"), sorted(PUBLISHED_WORKING_DAYS.items()))
def test_calendar_working_day_total_matches_the_decree(
    calendar: ProductionCalendar, year: int, total: int
) -> None:
    # C3
    assert sum(calendar.is_working_day(day) for day in _year_days(year)) == total


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_year_with_a_decree_in_the_library_reports_decree(
    calendar: ProductionCalendar, year: int
) -> None:
    # C3. holidays 0.109 also carries the 2027 decree.
    status = calendar.year_status(year)
    assert (status.year, status.source) == (year, YearSource.DECREE)
    assert "постановлению" in status.note


@pytest.mark.parametrize("year", [2028, 2031])
def test_year_without_a_decree_is_statutory_only_with_a_loud_warning(
    calendar: ProductionCalendar, year: int
) -> None:
    # C3: answer with statutory holidays, but tell the admin what to do.
    status = calendar.year_status(year)
    assert status.source is YearSource.STATUTORY_ONLY
    assert f"на {year} год не известно" in status.note
    assert "ст. 112 ТК РФ" in status.note
    assert "consult-line calendar override" in status.note
    assert f"consult-line calendar confirm-year {year} --source" in status.note


def test_year_confirmed_by_the_admin_cites_their_source() -> None:
    # C3
    source = "Постановление Правительства РФ от 01.10.2030 № 1234"
    calendar = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, confirmed_years={2031: source})
    status = calendar.year_status(2031)
    assert status.source is YearSource.CONFIRMED
    assert source in status.note


def test_library_decree_wins_over_an_admin_confirmation_of_the_same_year() -> None:
    calendar = ProductionCalendar(
        tz=MSK, hours=DEFAULT_HOURS, confirmed_years={2025: "Постановление № 1335"}
    )
    assert calendar.year_status(2025).source is YearSource.DECREE


def test_confirmed_year_without_a_source_is_rejected() -> None:
    with pytest.raises(ValueError, match="decree"):
        ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, confirmed_years={2031: "  "})


@pytest.mark.parametrize(
    "static_holidays",
    [
        SimpleNamespace(),
        SimpleNamespace(special_public_holidays=None),
        SimpleNamespace(special_public_holidays=[2024, 2025]),
    ],
    ids=["attribute-missing", "attribute-none", "attribute-not-a-mapping"],
)
def test_decree_years_are_unknown_when_the_library_table_is_missing(
    static_holidays: object,
) -> None:
    # C3: a library refactor must degrade to "statutory only", not break calls.
    assert known_years(static_holidays) == frozenset()


def test_decree_years_are_read_from_the_library_table() -> None:
    table = SimpleNamespace(special_public_holidays={2025: (), 2026: ()})
    assert known_years(table) == {2025, 2026}
