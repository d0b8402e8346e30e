"""The calendar against the official Russian production calendars of 2024-2026 (C3).

The expected days below are typed in from the decrees, independently of the holidays library:

* 2024 — Постановление Правительства РФ от 10.08.2023 № 1314 «О переносе выходных дней
  в 2024 году»: 248 working days; the production calendar for 2024: 5 shortened pre-holiday
  days (22.02, 07.03, 08.05, 11.06 and the working Saturday 02.11), 1979 hours for a 40-hour
  week.
* 2025 — Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней
  в 2025 году»: 247 working days; the production calendar for 2025: 4 shortened days (07.03,
  30.04, 11.06 and the working Saturday 01.11), 1972 hours.
* 2026 — Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней
  в 2026 году»: 247 working days; the production calendar for 2026: 4 shortened days (30.04,
  08.05, 11.06, 03.11), 1972 hours.

Every weekday not listed as a day off is a working day; every Saturday and Sunday not listed
as a working weekend day is a day off. The hour norm of a 40-hour week is 8 hours per working
day less one hour per shortened day (Labour Code art. 95).
"""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import (
    DEFAULT_HOURS,
    ProductionCalendar,
    ShortenedDaysSource,
    WorkingHours,
    YearSource,
    known_years,
)
from models.rules.shortened_days import statutory_shortened_days

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
SHORTENED_DAYS = {
    2024: _dates(2024, {2: (22,), 3: (7,), 5: (8,), 6: (11,), 11: (2,)}),
    2025: _dates(2025, {3: (7,), 4: (30,), 6: (11,), 11: (1,)}),
    2026: _dates(2026, {4: (30,), 5: (8,), 6: (11,), 11: (3,)}),
}
PUBLISHED_HOURS_40H = {2024: 1979, 2025: 1972, 2026: 1972}
EIGHT_HOUR_DAY = WorkingHours(time(9), time(17))


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
def test_official_table_itself_adds_up_to_the_published_totals(year: int) -> None:
    # Guards the transcription above, so that the per-day test compares against real data.
    working = sum(_official_is_working(day) for day in _year_days(year))
    assert working == PUBLISHED_WORKING_DAYS[year]
    assert all(_official_is_working(day) for day in SHORTENED_DAYS[year])
    assert 8 * working - len(SHORTENED_DAYS[year]) == PUBLISHED_HOURS_40H[year]


@pytest.mark.parametrize("day", ALL_DAYS, ids=date.isoformat)
def test_calendar_matches_the_official_production_calendar_on_every_day(
    calendar: ProductionCalendar, day: date
) -> None:
    # C3: working days follow the decree, including transferred days off and working Saturdays;
    # shortened pre-holiday days follow the published calendar.
    expected = (_official_is_working(day), day in SHORTENED_DAYS[day.year])
    assert (calendar.is_working_day(day), calendar.is_shortened(day)) == expected


@pytest.mark.parametrize(("year", "norm"), sorted(PUBLISHED_HOURS_40H.items()))
def test_hours_of_an_eight_hour_line_add_up_to_the_published_norm(year: int, norm: int) -> None:
    # C3, art. 95: a line of 8-hour days that closes early on shortened days works the norm.
    calendar = ProductionCalendar(tz=MSK, hours=EIGHT_HOUR_DAY, shortened_days_close_early=True)
    total = timedelta()
    for day in _year_days(year):
        hours = calendar.hours_on(day)
        if hours is not None:
            total += datetime.combine(day, hours.closes) - datetime.combine(day, hours.opens)
    assert total == timedelta(hours=norm)


@pytest.mark.parametrize("year", sorted(SHORTENED_DAYS))
def test_plain_article_95_rule_misses_only_the_shortened_working_saturdays(year: int) -> None:
    # Why the published years need a table: the government also shortens a working Saturday
    # before a holiday weekend, which art. 95 read literally does not.
    plain = statutory_shortened_days(year, _official_is_working)
    saturdays = {day for day in SHORTENED_DAYS[year] if day.weekday() >= 5}
    assert plain == SHORTENED_DAYS[year] - saturdays


@pytest.mark.parametrize(("year", "total"), sorted(PUBLISHED_WORKING_DAYS.items()))
def test_calendar_working_day_total_matches_the_decree(
    calendar: ProductionCalendar, year: int, total: int
) -> None:
    # C3
    assert sum(calendar.is_working_day(day) for day in _year_days(year)) == total


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_year_with_a_decree_and_an_official_calendar_needs_nothing(
    calendar: ProductionCalendar, year: int
) -> None:
    # C3
    status = calendar.year_status(year)
    assert (status.year, status.source) == (year, YearSource.DECREE)
    assert status.shortened_days is ShortenedDaysSource.OFFICIAL
    assert not status.needs_confirmation
    assert "постановлению" in status.note


def test_year_with_a_decree_but_no_official_shortened_days_warns_until_confirmed() -> None:
    # C3. holidays 0.109 carries the 2027 decree; the 2027 shortened days are art. 95's.
    status = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS).year_status(2027)
    assert (status.source, status.shortened_days) == (
        YearSource.DECREE,
        ShortenedDaysSource.STATUTORY,
    )
    assert status.needs_confirmation
    assert "ст. 95 ТК РФ" in status.note
    assert "consult-line calendar confirm-year 2027 --source" in status.note

    source = "Производственный календарь на 2027 год"
    confirmed = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, confirmed_years={2027: source})
    status = confirmed.year_status(2027)
    assert (status.source, status.shortened_days) == (
        YearSource.DECREE,
        ShortenedDaysSource.CONFIRMED,
    )
    assert not status.needs_confirmation
    assert source in status.note


@pytest.mark.parametrize("year", [2028, 2031])
def test_year_without_a_decree_is_statutory_only_with_a_loud_warning(
    calendar: ProductionCalendar, year: int
) -> None:
    # C3: answer with statutory holidays, but tell the admin what to do.
    status = calendar.year_status(year)
    assert status.source is YearSource.STATUTORY_ONLY
    assert status.needs_confirmation
    assert f"на {year} год не известно" in status.note
    assert "ст. 112 ТК РФ" in status.note
    assert "ст. 95 ТК РФ" in status.note
    assert "consult-line calendar override" in status.note
    assert f"consult-line calendar confirm-year {year} --source" in status.note


def test_year_confirmed_by_the_admin_cites_their_source() -> None:
    # C3
    source = "Постановление Правительства РФ от 01.10.2030 № 1234"
    calendar = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, confirmed_years={2031: source})
    status = calendar.year_status(2031)
    assert (status.source, status.shortened_days) == (
        YearSource.CONFIRMED,
        ShortenedDaysSource.CONFIRMED,
    )
    assert not status.needs_confirmation
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
