"""Callbacks (C11): promised answer date in working days, windows, overdue tasks."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import DEFAULT_HOURS, DayOverride, ProductionCalendar, WorkingHours
from models.rules.callbacks import (
    ACTIVE_STATUSES,
    DIAL_RESERVATION_TTL,
    CallbackStatus,
    CallbackWindowError,
    TimeWindow,
    is_overdue,
    promised_answer_date,
    reservation_cutoff,
    reservation_live,
    validate_window,
    window_choices,
)

MSK = ZoneInfo("Europe/Moscow")
SHORT_DAY = DayOverride(date(2025, 3, 7), True, WorkingHours(time(9), time(17, 15)), "Сокращён")


def msk(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MSK)


@pytest.fixture(scope="module")
def calendar() -> ProductionCalendar:
    return ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS, overrides=[SHORT_DAY])


@pytest.mark.parametrize(
    ("requested_at", "working_days", "expected"),
    [
        (msk(3, 11, 10), 1, date(2025, 3, 12)),  # Tuesday in hours
        (msk(3, 11, 17, 59), 1, date(2025, 3, 12)),
        (msk(3, 11, 8, 0), 1, date(2025, 3, 12)),  # before opening: received at 09:00 today
        (msk(3, 11, 18, 0), 1, date(2025, 3, 13)),  # at closing: received tomorrow
        (msk(3, 14, 19, 0), 1, date(2025, 3, 18)),  # Friday evening: received Monday
        (msk(3, 15, 12, 0), 3, date(2025, 3, 20)),  # Saturday: received Monday
        (msk(12, 30, 12, 0), 1, date(2026, 1, 12)),  # across the New-Year block
        (msk(12, 31, 12, 0), 1, date(2026, 1, 13)),  # on a holiday: received 12 January
        (msk(10, 31, 18, 30), 1, date(2025, 11, 5)),  # received on the working Saturday
        (datetime(2025, 3, 11, 15, 30, tzinfo=UTC), 1, date(2025, 3, 13)),  # 18:30 MSK
    ],
)
def test_promised_date_counts_working_days_from_when_the_request_was_received(
    calendar: ProductionCalendar, requested_at: datetime, working_days: int, expected: date
) -> None:
    # C11
    assert promised_answer_date(requested_at, calendar, working_days) == expected


@pytest.mark.parametrize("working_days", [0, -1])
def test_promise_of_less_than_one_working_day_is_rejected(
    calendar: ProductionCalendar, working_days: int
) -> None:
    with pytest.raises(ValueError, match="at least one"):
        promised_answer_date(msk(3, 11, 10), calendar, working_days)


def test_window_choices_cover_the_working_day_in_two_hour_steps(
    calendar: ProductionCalendar,
) -> None:
    # C11: the caller agrees a convenient time window.
    hours = [(9, 11), (11, 13), (13, 15), (15, 17), (17, 18)]
    assert window_choices(date(2025, 3, 11), calendar) == [
        TimeWindow(msk(3, 11, start), msk(3, 11, end)) for start, end in hours
    ]


def test_window_tail_shorter_than_the_minimum_joins_the_last_window(
    calendar: ProductionCalendar,
) -> None:
    # C11: 09:00-17:15 leaves 15 minutes after 17:00, too short to offer on its own.
    windows = window_choices(date(2025, 3, 7), calendar)
    assert windows[-1] == TimeWindow(msk(3, 7, 15), msk(3, 7, 17, 15))
    assert len(windows) == 4


@pytest.mark.parametrize("day", [date(2025, 3, 15), date(2026, 1, 9)])
def test_no_window_choices_on_a_non_working_day(calendar: ProductionCalendar, day: date) -> None:
    assert window_choices(day, calendar) == []


def test_window_length_below_the_minimum_is_rejected(calendar: ProductionCalendar) -> None:
    with pytest.raises(ValueError, match="at least"):
        window_choices(date(2025, 3, 11), calendar, timedelta(minutes=29))


def test_every_offered_window_passes_validation(calendar: ProductionCalendar) -> None:
    now = msk(3, 6, 12)
    for day in (date(2025, 3, 7), date(2025, 3, 11)):
        for window in window_choices(day, calendar, timedelta(minutes=45)):
            validate_window(window, calendar, now=now)


NOW = msk(3, 5, 12)  # a Wednesday


@pytest.mark.parametrize(
    "window",
    [
        TimeWindow(msk(3, 5, 12), msk(3, 5, 14)),  # starts now
        TimeWindow(msk(3, 5, 11), msk(3, 5, 12, 30)),  # already started, still running
        TimeWindow(msk(3, 12, 9), msk(3, 12, 9, 30)),  # exactly the minimum, at opening
        TimeWindow(msk(3, 12, 17, 30), msk(3, 12, 18)),  # ends exactly at closing
        TimeWindow(msk(11, 1, 10), msk(11, 1, 12)),  # working Saturday
        TimeWindow(
            datetime(2025, 3, 12, 6, tzinfo=UTC), datetime(2025, 3, 12, 8, tzinfo=UTC)
        ),  # 09:00-11:00 MSK
    ],
)
def test_window_inside_one_working_days_hours_is_accepted(
    calendar: ProductionCalendar, window: TimeWindow
) -> None:
    # C11
    validate_window(window, calendar, now=NOW)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (TimeWindow(msk(3, 12, 11), msk(3, 12, 10)), "позже начала"),
        (TimeWindow(msk(3, 12, 11), msk(3, 12, 11)), "позже начала"),
        (TimeWindow(msk(3, 12, 10), msk(3, 12, 10, 29)), "не короче 30 мин"),
        (TimeWindow(msk(3, 5, 10), msk(3, 5, 12)), "уже прошло"),  # ends exactly now
        (TimeWindow(msk(3, 12, 8, 30), msk(3, 12, 10)), "в рабочих часах"),
        (TimeWindow(msk(3, 12, 17), msk(3, 12, 18, 1)), "в рабочих часах"),
        (TimeWindow(msk(3, 7, 16, 30), msk(3, 7, 17, 30)), "до 17:15"),  # shortened day
        (TimeWindow(msk(3, 12, 17), msk(3, 13, 10)), "в рабочих часах"),  # spans two days
        (TimeWindow(msk(3, 15, 10), msk(3, 15, 12)), "нерабочий день"),  # Saturday
        (TimeWindow(msk(1, 9, 10, year=2026), msk(1, 9, 12, year=2026)), "нерабочий день"),
    ],
)
def test_window_that_cannot_be_agreed_is_rejected_with_a_russian_message(
    calendar: ProductionCalendar, window: TimeWindow, message: str
) -> None:
    # C11
    with pytest.raises(CallbackWindowError, match=message):
        validate_window(window, calendar, now=NOW)


def test_naive_window_is_rejected(calendar: ProductionCalendar) -> None:
    naive = TimeWindow(datetime(2025, 3, 12, 10), datetime(2025, 3, 12, 12))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        validate_window(naive, calendar, now=NOW)


@pytest.mark.parametrize(
    ("promised_on", "status", "now", "overdue"),
    [
        (date(2025, 3, 11), CallbackStatus.OPEN, msk(3, 11, 17, 59), False),
        (date(2025, 3, 11), CallbackStatus.OPEN, msk(3, 11, 18, 0), True),
        (date(2025, 3, 11), CallbackStatus.IN_PROGRESS, msk(3, 12, 9), True),
        (date(2025, 3, 11), CallbackStatus.DONE, msk(3, 20, 9), False),
        (date(2025, 3, 11), CallbackStatus.FAILED, msk(3, 20, 9), False),
        (date(2025, 3, 11), CallbackStatus.CANCELLED, msk(3, 20, 9), False),
        (date(2025, 3, 7), CallbackStatus.OPEN, msk(3, 7, 17, 15), True),  # shortened day
        (date(2025, 3, 7), CallbackStatus.OPEN, msk(3, 7, 17, 14), False),
        (date(2025, 3, 15), CallbackStatus.OPEN, msk(3, 15, 23, 59), False),  # Saturday
        (date(2025, 3, 15), CallbackStatus.OPEN, msk(3, 16, 0, 0), True),
        (date(2025, 3, 11), CallbackStatus.OPEN, datetime(2025, 3, 11, 15, tzinfo=UTC), True),
    ],
)
def test_active_task_is_overdue_from_the_close_of_the_promised_day(
    calendar: ProductionCalendar,
    promised_on: date,
    status: CallbackStatus,
    now: datetime,
    overdue: bool,
) -> None:
    # C11: overdue alerts.
    assert is_overdue(promised_on, status, now, calendar) is overdue


def test_only_open_and_in_progress_tasks_are_active() -> None:
    assert {CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS} == ACTIVE_STATUSES


def test_naive_now_is_rejected_by_is_overdue(calendar: ProductionCalendar) -> None:
    naive = datetime(2025, 3, 11, 12)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        is_overdue(date(2025, 3, 11), CallbackStatus.OPEN, naive, calendar)


def test_a_click_to_call_reservation_lapses_after_the_ttl() -> None:
    # C11: a reservation whose result never came does not block the task for good.
    since = msk(3, 11, 10)
    assert not reservation_live(None, since)
    assert reservation_live(since, since)
    assert reservation_live(since, since + DIAL_RESERVATION_TTL - timedelta(microseconds=1))
    assert not reservation_live(since, since + DIAL_RESERVATION_TTL)
    assert reservation_cutoff(since + DIAL_RESERVATION_TTL) == since
    with pytest.raises(ValueError, match="timezone-aware"):
        reservation_cutoff(datetime(2025, 3, 11, 10))  # noqa: DTZ001
