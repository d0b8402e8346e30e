"""Shortened pre-holiday days (C3): Labour Code art. 95 and the official production calendars.

Art. 95 part 1 shortens by one hour the working day immediately preceding a non-working
holiday of art. 112. The Government's production calendars apply it a little more widely: a
working Saturday that ends the last working week before a holiday weekend is shortened as well
(2 November 2024, 1 November 2025), while a Friday before a Monday holiday is not. The years
whose calendars are published therefore have an explicit table below; any other year gets the
plain rule, and the administrator checks it against the official calendar once that is
published (``consult-line calendar confirm-year``).

A shortened day is a working day: working-day counting (callback deadlines) does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final

# Art. 112 part 1 as worded since 2013: the non-working holidays, as (month, day).
STATUTORY_HOLIDAYS: Final[frozenset[tuple[int, int]]] = frozenset(
    {(1, day) for day in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}
)

SHORTENING: Final = timedelta(hours=1)


def _dates(year: int, month_days: Mapping[int, tuple[int, ...]]) -> frozenset[date]:
    return frozenset(date(year, month, day) for month, days in month_days.items() for day in days)


# The official lists. Each year's hour norm for a 40-hour week is 8 h x working days minus one
# hour per shortened day; the norms below were checked against the published calendars.
OFFICIAL_SHORTENED_DAYS: Final[Mapping[int, frozenset[date]]] = MappingProxyType(
    {
        # 2024: Government decree No. 1314 of 10.08.2023 and the production calendar for 2024:
        # 248 working days, 1979 h (= 248 x 8 - 5). Saturday 2 November is a working day
        # shortened before Monday 4 November; Saturday 27 April (before the 28 April - 1 May
        # days off) is a full working day. Some unofficial transcriptions shorten 27 April
        # instead of 2 November (the annual norm cannot tell the two apart); the official
        # calendar shortens 2 November.
        2024: _dates(2024, {2: (22,), 3: (7,), 5: (8,), 6: (11,), 11: (2,)}),
        # 2025: decree No. 1335 of 04.10.2024 and the production calendar for 2025: 247 working
        # days, 4 of them shortened, 1972 h (= 247 x 8 - 4). Saturday 1 November is shortened
        # (an early third-party transcription had it as a full working Saturday).
        2025: _dates(2025, {3: (7,), 4: (30,), 6: (11,), 11: (1,)}),
        # 2026: decree No. 1466 of 24.09.2025 and the production calendar for 2026: 247 working
        # days, 1972 h (= 247 x 8 - 4). No working Saturdays; 31 December is a day off.
        2026: _dates(2026, {4: (30,), 5: (8,), 6: (11,), 11: (3,)}),
    }
)


def is_statutory_holiday(day: date) -> bool:
    return (day.month, day.day) in STATUTORY_HOLIDAYS


def statutory_shortened_days(year: int, is_working: Callable[[date], bool]) -> frozenset[date]:
    """Art. 95 as written: working days of ``year`` immediately followed by a non-working
    holiday of art. 112.

    ``is_working`` is the calendar's answer for a day, overrides included, before any
    shortening. The eve of 1 January is 31 December of ``year``; a Friday before a Monday
    holiday is not an eve (the day before is Sunday).
    """
    shortened = set()
    holidays = [date(year, month, day) for month, day in STATUTORY_HOLIDAYS]
    for holiday in [*holidays, date(year + 1, 1, 1)]:
        eve = holiday - timedelta(days=1)
        if eve.year == year and is_working(eve) and not is_working(holiday):
            shortened.add(eve)
    return frozenset(shortened)


def shortened_days(year: int, is_working: Callable[[date], bool]) -> frozenset[date]:
    """The official list when the year's calendar is published, else the plain art. 95 rule.

    Only days that are working days in the calendar are returned.
    """
    official = OFFICIAL_SHORTENED_DAYS.get(year)
    if official is None:
        return statutory_shortened_days(year, is_working)
    return frozenset(day for day in official if is_working(day))


def has_official_list(year: int) -> bool:
    return year in OFFICIAL_SHORTENED_DAYS
