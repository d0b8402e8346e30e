"""G3: the interaction history is kept five years; what is older may go, from which instant."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.rules.retention import RETENTION_MIN_YEARS, keep_from, retention_cutoff

MSK = ZoneInfo("Europe/Moscow")


def test_the_order_keeps_five_years() -> None:
    assert RETENTION_MIN_YEARS == 5  # G3


@pytest.mark.parametrize(
    ("today", "years", "first_kept"),
    [
        # A record of 10 May 2026 is kept through 10 May 2031 and may go on 11 May.
        (date(2031, 5, 10), 5, date(2026, 5, 10)),
        (date(2031, 5, 11), 5, date(2026, 5, 11)),
        # 29 February 2028: 2023 has no 29 February; 28 February 2023 has had its term.
        (date(2028, 2, 29), 5, date(2023, 3, 1)),
        (date(2028, 2, 28), 5, date(2023, 2, 28)),
        (date(2028, 3, 1), 5, date(2023, 3, 1)),
        # A record of 29 February 2024 is kept through 28 February 2029 (no 29th that year).
        (date(2029, 2, 28), 5, date(2024, 2, 28)),
        (date(2029, 3, 1), 5, date(2024, 3, 1)),
        # Four years from a leap day to a leap day: 29 February itself.
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        # A longer term set by the deployer.
        (date(2031, 1, 1), 10, date(2021, 1, 1)),
    ],
)
def test_first_kept_day(today: date, years: int, first_kept: date) -> None:
    assert keep_from(today, years) == first_kept


def _term_ends(day: date, years: int) -> date:
    """The last day a record of ``day`` must be kept (Civil Code art. 192)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


@pytest.mark.parametrize("years", [4, 5, 6])
def test_every_day_of_seven_years_agrees_with_the_term_of_each_record(years: int) -> None:
    # A record of day D may go on `today` exactly when its term ended before `today`.
    today = date(2027, 1, 1)
    while today < date(2034, 1, 1):
        first_kept = keep_from(today, years)
        for day in (first_kept - timedelta(days=1), first_kept):
            assert (day < first_kept) == (_term_ends(day, years) < today), (today, day)
        today += timedelta(days=1)


def test_cutoff_is_local_midnight_of_the_first_kept_day() -> None:
    # 22:30 UTC on 10 May is already 11 May in Moscow: the records of 10 May 2026 may go.
    now = datetime(2031, 5, 10, 22, 30, tzinfo=UTC)
    cutoff = retention_cutoff(now, MSK, 5)
    assert cutoff == datetime(2026, 5, 11, tzinfo=MSK)
    assert cutoff.astimezone(UTC) == datetime(2026, 5, 10, 21, 0, tzinfo=UTC)
    # 20:59 UTC is still 10 May in Moscow: one day less may go.
    earlier = retention_cutoff(datetime(2031, 5, 10, 20, 59, tzinfo=UTC), MSK, 5)
    assert earlier == datetime(2026, 5, 10, tzinfo=MSK)


def test_a_term_shorter_than_a_year_and_a_naive_now_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        keep_from(date(2031, 5, 10), 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        retention_cutoff(datetime(2031, 5, 10, 12, 0), MSK, 5)  # noqa: DTZ001
