"""Working hours on the production calendar (C3): boundaries, overrides, day arithmetic."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import (
    DEFAULT_HOURS,
    DayDifference,
    DayOverride,
    ProductionCalendar,
    WorkingHours,
)

MSK = ZoneInfo("Europe/Moscow")
SHORT_DAY = WorkingHours(time(9), time(17))
PRE_HOLIDAY = "Предпраздничный день, сокращён на 1 час"
SHORTENED_NOTE = "Предпраздничный день, сокращён на час (ст. 95 ТК РФ)"
KEPT_HOURS_NOTE = SHORTENED_NOTE + "; линия работает в обычные часы"
SHORT_SATURDAY = DayOverride(date(2025, 11, 1), True, SHORT_DAY, PRE_HOLIDAY)
CLOSED_TUESDAY = DayOverride(date(2025, 3, 11), False, None, "Режим ЧС")
WORKING_SUNDAY = DayOverride(date(2025, 3, 16), True, None, "Рабочее воскресенье")
WORKING_HOLIDAY = DayOverride(date(2026, 1, 9), True, None, "Новое постановление")


def msk(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=MSK)


def calendar_with(*overrides: DayOverride) -> ProductionCalendar:
    return ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, overrides=overrides)


@pytest.fixture(scope="module")
def plain() -> ProductionCalendar:
    return calendar_with()


@pytest.fixture(scope="module")
def early() -> ProductionCalendar:
    return ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, shortened_days_close_early=True)


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (msk(2025, 3, 11, 8, 59, 59), False),
        (msk(2025, 3, 11, 9, 0, 0), True),
        (msk(2025, 3, 11, 17, 59, 59), True),
        (msk(2025, 3, 11, 18, 0, 0), False),
        # The same instants given in UTC (Moscow is UTC+3 all year).
        (datetime(2025, 3, 11, 5, 59, 59, tzinfo=UTC), False),
        (datetime(2025, 3, 11, 6, 0, 0, tzinfo=UTC), True),
        (datetime(2025, 3, 11, 14, 59, 59, tzinfo=UTC), True),
        (datetime(2025, 3, 11, 15, 0, 0, tzinfo=UTC), False),
        # 23:30 UTC on Monday is already Tuesday 02:30 in Moscow: closed.
        (datetime(2025, 3, 10, 23, 30, tzinfo=UTC), False),
        (msk(2026, 1, 9, 12, 0), False),  # holiday: day off moved from Sat 3 Jan
        (msk(2025, 12, 30, 17, 59, 59), True),  # eve of the New-Year block
        (msk(2025, 12, 31, 12, 0), False),  # day off moved from Sun 5 Jan
        (msk(2025, 11, 1, 12, 0), True),  # working Saturday
        (msk(2025, 11, 8, 12, 0), False),  # ordinary Saturday
        (msk(2025, 3, 16, 12, 0), False),  # ordinary Sunday
    ],
)
def test_line_is_open_only_9_to_18_local_on_working_days(
    plain: ProductionCalendar, now: datetime, is_open: bool
) -> None:
    # C3
    assert plain.is_open(now) is is_open


@pytest.mark.parametrize(
    ("override", "now", "is_open"),
    [
        (CLOSED_TUESDAY, msk(2025, 3, 11, 12), False),  # emergency closure of a weekday
        (SHORT_SATURDAY, msk(2025, 11, 1, 16, 59, 59), True),  # shortened pre-holiday day
        (SHORT_SATURDAY, msk(2025, 11, 1, 17), False),
        (WORKING_SUNDAY, msk(2025, 3, 16, 12), True),  # extra working Sunday, normal hours
        (WORKING_HOLIDAY, msk(2026, 1, 9, 9), True),  # a later decree cancels a day off
    ],
)
def test_admin_override_wins_over_the_library(
    override: DayOverride, now: datetime, is_open: bool
) -> None:
    # C3
    assert calendar_with(override).is_open(now) is is_open


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (msk(2025, 3, 11, 8, 0), msk(2025, 3, 11, 9, 0)),  # early morning: today
        (msk(2025, 3, 11, 18, 0), msk(2025, 3, 12, 9, 0)),  # at closing: tomorrow
        (msk(2025, 3, 14, 18, 30), msk(2025, 3, 17, 9, 0)),  # Friday evening: Monday
        (msk(2025, 12, 30, 18, 30), msk(2026, 1, 12, 9, 0)),  # across the New-Year block
        (msk(2025, 10, 31, 19, 0), msk(2025, 11, 1, 9, 0)),  # to the working Saturday
        (msk(2025, 11, 1, 18, 0), msk(2025, 11, 5, 9, 0)),  # over 2-4 November
        (datetime(2025, 3, 14, 23, 0, tzinfo=UTC), msk(2025, 3, 17, 9, 0)),  # Sat 02:00 MSK
    ],
)
def test_next_opening_is_the_next_opening_instant_in_local_time(
    plain: ProductionCalendar, now: datetime, expected: datetime
) -> None:
    # C3: the after-hours flow tells the caller when the line opens.
    opening = plain.next_opening(now)
    assert opening == expected
    assert opening.tzinfo == MSK
    assert opening.utcoffset() == timedelta(hours=3)


def test_next_opening_while_open_is_now_in_local_time(plain: ProductionCalendar) -> None:
    now = datetime(2025, 3, 11, 7, 30, 15, tzinfo=UTC)
    opening = plain.next_opening(now)
    assert opening == now
    assert (opening.tzinfo, opening.hour) == (MSK, 10)


def test_next_opening_of_a_shortened_day_after_its_close_is_the_next_working_day() -> None:
    calendar = calendar_with(DayOverride(date(2025, 3, 11), True, SHORT_DAY, PRE_HOLIDAY))
    assert calendar.next_opening(msk(2025, 3, 11, 17, 30)) == msk(2025, 3, 12, 9)


@pytest.mark.parametrize(
    ("overrides", "now", "expected"),
    [
        ((), msk(2025, 3, 11, 9, 0), msk(2025, 3, 11, 18, 0)),
        ((), msk(2025, 3, 11, 18, 0), None),
        ((), msk(2026, 1, 9, 12, 0), None),
        ((SHORT_SATURDAY,), msk(2025, 11, 1, 9), msk(2025, 11, 1, 17)),
    ],
)
def test_closes_at_is_the_end_of_the_current_open_period(
    overrides: tuple[DayOverride, ...], now: datetime, expected: datetime | None
) -> None:
    # C3
    assert calendar_with(*overrides).closes_at(now) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2025, 3, 11), 0, date(2025, 3, 11)),  # working day itself
        (date(2026, 1, 9), 0, date(2026, 1, 12)),  # holiday: next working day
        (date(2025, 3, 11), 1, date(2025, 3, 12)),
        (date(2025, 3, 14), 1, date(2025, 3, 17)),  # Friday + 1 = Monday
        (date(2025, 12, 30), 1, date(2026, 1, 12)),  # across the New-Year block
        (date(2025, 4, 30), 1, date(2025, 5, 5)),  # over 1-4 May
        (date(2025, 5, 7), 3, date(2025, 5, 14)),  # over 8-11 May
        (date(2025, 10, 31), 1, date(2025, 11, 1)),  # the working Saturday counts
        (date(2025, 12, 19), 15, date(2026, 1, 21)),  # 7 in Dec + 8 after the block
    ],
)
def test_add_working_days_skips_weekends_and_holidays(
    plain: ProductionCalendar, day: date, n: int, expected: date
) -> None:
    # C3, C11
    assert plain.add_working_days(day, n) == expected


def test_add_working_days_rejects_a_negative_count(plain: ProductionCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        plain.add_working_days(date(2025, 3, 11), -1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 11), date(2025, 3, 12)),
        (date(2025, 11, 1), date(2025, 11, 5)),
        (date(2026, 1, 1), date(2026, 1, 12)),
    ],
)
def test_next_working_day_is_strictly_after_the_day(
    plain: ProductionCalendar, day: date, expected: date
) -> None:
    assert plain.next_working_day(day) == expected


def test_hours_on_gives_override_hours_normal_hours_or_none() -> None:
    calendar = calendar_with(SHORT_SATURDAY)
    assert calendar.hours_on(date(2025, 11, 1)) == SHORT_DAY
    assert calendar.hours_on(date(2025, 3, 11)) == DEFAULT_HOURS
    assert calendar.hours_on(date(2025, 3, 15)) is None


def test_differences_2025_lists_days_off_the_working_saturday_and_short_days() -> None:
    # C3: what an admin reviews for a year. The override on 7 March wins over the official
    # shortened day; the other shortened days are listed although the line keeps 9-18.
    calendar = calendar_with(DayOverride(date(2025, 3, 7), True, SHORT_DAY, PRE_HOLIDAY))
    off = {
        date(2025, 1, d): "Новогодние каникулы" for d in (1, 2, 3, 6, 8)
    } | {
        date(2025, 1, 7): "Рождество Христово",
        date(2025, 5, 1): "Праздник Весны и Труда",
        date(2025, 5, 2): "Выходной (перенесено с 04.01.2025)",
        date(2025, 5, 8): "Выходной (перенесено с 23.02.2025)",
        date(2025, 5, 9): "День Победы",
        date(2025, 6, 12): "День России",
        date(2025, 6, 13): "Выходной (перенесено с 08.03.2025)",
        date(2025, 11, 3): "Выходной (перенесено с 01.11.2025)",
        date(2025, 11, 4): "День народного единства",
        date(2025, 12, 31): "Выходной (перенесено с 05.01.2025)",
    }  # fmt: skip
    saturday = (
        "Рабочий день: выходной перенесён на 03.11.2025; "
        "предпраздничный день, сокращён на час (ст. 95 ТК РФ); линия работает в обычные часы"
    )
    expected = [DayDifference(day, False, None, note) for day, note in off.items()] + [
        DayDifference(date(2025, 3, 7), True, SHORT_DAY, PRE_HOLIDAY),
        DayDifference(date(2025, 4, 30), True, DEFAULT_HOURS, KEPT_HOURS_NOTE, SHORT_DAY),
        DayDifference(date(2025, 6, 11), True, DEFAULT_HOURS, KEPT_HOURS_NOTE, SHORT_DAY),
        DayDifference(date(2025, 11, 1), True, DEFAULT_HOURS, saturday, SHORT_DAY),
    ]
    assert calendar.differences(2025) == sorted(expected, key=lambda row: row.day)


def test_differences_note_names_where_a_working_saturday_moved(plain: ProductionCalendar) -> None:
    worked = [row for row in plain.differences(2024) if row.working and row.day.weekday() >= 5]
    assert [(row.day, row.note) for row in worked] == [
        (date(2024, 4, 27), "Рабочий день: выходной перенесён на 29.04.2024"),
        (
            date(2024, 11, 2),
            "Рабочий день: выходной перенесён на 30.04.2024; "
            "предпраздничный день, сокращён на час (ст. 95 ТК РФ); линия работает в обычные часы",
        ),
        (date(2024, 12, 28), "Рабочий день: выходной перенесён на 30.12.2024"),
    ]


@pytest.mark.parametrize(
    ("day", "shortened"),
    [
        (date(2028, 2, 22), True),  # Tuesday before Wednesday 23 February
        (date(2028, 5, 8), True),  # Monday before Tuesday 9 May
        (date(2028, 4, 28), False),  # Friday before Monday 1 May: the day before is Sunday
        (date(2028, 6, 9), False),  # Friday before Monday 12 June
        (date(2028, 11, 3), True),  # Friday before 4 November, a holiday on Saturday
        (date(2028, 12, 29), False),  # Friday before Monday 1 January 2029
        (date(2031, 12, 31), True),  # not a holiday itself, but the eve of 1 January
        (date(2031, 2, 21), False),  # 23 Feb 2031 is a Sunday: its eve is a Saturday off
        (date(2031, 2, 24), False),  # the day off moved to Monday is not a holiday
        (date(2031, 1, 6), False),  # inside the New-Year holidays
        # A year whose decree the library knows but whose official list is not in the table:
        # the working Saturday 20 Feb 2027 is not the eve of 23 Feb (the year_status warns).
        (date(2027, 2, 20), False),
        (date(2027, 4, 30), True),
    ],
)
def test_plain_article_95_rule_shortens_only_the_day_immediately_before_a_holiday(
    early: ProductionCalendar, day: date, shortened: bool
) -> None:
    # C3, Labour Code art. 95 for a year without an official list.
    assert early.is_shortened(day) is shortened
    assert (early.hours_on(day) == SHORT_DAY) is shortened


@pytest.mark.parametrize(
    ("override", "day", "hours"),
    [
        # An override on the eve always wins: explicit hours, a day off, or plain hours.
        (DayOverride(date(2028, 2, 22), True, WorkingHours(time(10), time(16)), "Приказ"),
         date(2028, 2, 22), WorkingHours(time(10), time(16))),
        (DayOverride(date(2028, 2, 22), False, None, "Режим ЧС"), date(2028, 2, 22), None),
        (DayOverride(date(2028, 2, 22), True, None, "Приказ"), date(2028, 2, 22), DEFAULT_HOURS),
        (DayOverride(date(2025, 4, 30), True, None, "Приказ"), date(2025, 4, 30), DEFAULT_HOURS),
        # A holiday made a working day by an override has no eve.
        (DayOverride(date(2028, 2, 23), True, None, "Приказ"), date(2028, 2, 22), DEFAULT_HOURS),
        # A Saturday before a Sunday holiday made a working day: its override decides.
        (DayOverride(date(2031, 2, 22), True, None, "Приказ"), date(2031, 2, 22), DEFAULT_HOURS),
    ],
)  # fmt: skip
def test_override_wins_over_the_shortened_day(
    override: DayOverride, day: date, hours: WorkingHours | None
) -> None:
    # C3
    calendar = ProductionCalendar(
        tz=MSK, hours=DEFAULT_HOURS, overrides=[override], shortened_days_close_early=True
    )
    assert (calendar.hours_on(day), calendar.is_shortened(day)) == (hours, False)
    assert all(row.shortened is None for row in calendar.differences(day.year) if row.day == day)


@pytest.mark.parametrize(
    ("close_early", "hours", "open_at_1730", "closes_at", "next_opening", "note"),
    [
        # C3: by default the line keeps the customer's 9-18 on a shortened day.
        (False, DEFAULT_HOURS, True, msk(2025, 4, 30, 18), msk(2025, 4, 30, 17, 30),
         KEPT_HOURS_NOTE),
        (True, SHORT_DAY, False, None, msk(2025, 5, 5, 9), SHORTENED_NOTE),
    ],
)  # fmt: skip
def test_setting_decides_whether_the_line_closes_early_on_a_shortened_day(
    close_early: bool,
    hours: WorkingHours,
    open_at_1730: bool,
    closes_at: datetime | None,
    next_opening: datetime,
    note: str,
) -> None:
    calendar = ProductionCalendar(
        tz=MSK, hours=DEFAULT_HOURS, shortened_days_close_early=close_early
    )
    eve = date(2025, 4, 30)  # Wednesday before 1 May
    at_1730 = msk(2025, 4, 30, 17, 30)
    assert calendar.is_shortened(eve)
    assert calendar.hours_on(eve) == hours
    assert calendar.is_open(at_1730) is open_at_1730
    assert calendar.closes_at(at_1730) == closes_at
    assert calendar.next_opening(at_1730) == next_opening
    (row,) = [row for row in calendar.differences(2025) if row.day == eve]
    assert row == DayDifference(eve, True, hours, note, SHORT_DAY)
    # C11: a shortened day is a working day either way.
    assert calendar.add_working_days(date(2025, 4, 29), 1) == eve


def test_a_working_day_of_an_hour_cannot_be_shortened() -> None:
    # Misconfiguration is loud: Art. 95 takes an hour off every pre-holiday day.
    with pytest.raises(ValueError, match="cannot lose an hour"):
        ProductionCalendar(tz=MSK, hours=WorkingHours(time(9), time(10)))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2031, 1, 8), False),  # statutory holiday
        (date(2031, 1, 9), True),
        (date(2031, 2, 24), False),  # 23 Feb is a Sunday: Art. 112 part 2 moves it to Monday
        (date(2031, 3, 10), False),  # 8 Mar is a Saturday: moved to Monday
        (date(2031, 3, 11), True),
        (date(2028, 11, 6), False),  # 4 Nov is a Saturday
        (date(2028, 1, 10), True),  # 1-8 Jan on a weekend are not moved by the statute
        (date(2027, 5, 4), True),  # library years are not shifted a second time
        (date(2027, 5, 3), False),
    ],
)
def test_year_without_library_decree_uses_statutory_holidays(
    plain: ProductionCalendar, day: date, working: bool
) -> None:
    # C3: never fail a call over an unknown year.
    assert plain.is_working_day(day) is working


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_open(datetime(2025, 3, 11, 12)),  # noqa: DTZ001
        lambda c: c.next_opening(datetime(2025, 3, 11, 12)),  # noqa: DTZ001
        lambda c: c.closes_at(datetime(2025, 3, 11, 12)),  # noqa: DTZ001
    ],
    ids=["is_open", "next_opening", "closes_at"],
)
def test_naive_datetime_is_rejected(
    plain: ProductionCalendar, call: Callable[[ProductionCalendar], object]
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(plain)


def test_datetime_given_as_a_day_is_rejected(plain: ProductionCalendar) -> None:
    with pytest.raises(TypeError):
        plain.is_working_day(msk(2025, 3, 11, 12))


@pytest.mark.parametrize(("opens", "closes"), [(time(18), time(9)), (time(9), time(9))])
def test_working_hours_must_open_before_they_close(opens: time, closes: time) -> None:
    with pytest.raises(ValueError, match="before"):
        WorkingHours(opens, closes)


def test_working_hours_are_wall_clock_times_without_a_zone() -> None:
    # An aware time would fail to compare with the local time of day.
    with pytest.raises(ValueError, match="wall-clock"):
        WorkingHours(time(9, tzinfo=MSK), time(18))


def test_override_of_a_day_off_cannot_carry_hours() -> None:
    with pytest.raises(ValueError, match="working day"):
        DayOverride(date(2025, 3, 11), False, SHORT_DAY, "Режим ЧС")


def test_two_overrides_for_one_day_are_rejected() -> None:
    first = DayOverride(date(2025, 3, 11), False, None, "Режим ЧС")
    second = DayOverride(date(2025, 3, 11), True, SHORT_DAY, PRE_HOLIDAY)
    with pytest.raises(ValueError, match="two overrides"):
        calendar_with(first, second)


def test_calendar_exposes_its_zone_and_hours(plain: ProductionCalendar) -> None:
    assert (plain.tz, plain.hours) == (MSK, DEFAULT_HOURS)
