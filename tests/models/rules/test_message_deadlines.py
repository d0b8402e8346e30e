"""Deadlines of written messages (W3–W6) on the production calendars 2024–2026, each expected
date counted by hand from the published calendar (comments say how)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.message_deadlines import MessageDeadlines, deadlines

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)


def _at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=MSK)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # An ordinary week: Mon 07.12.2026 → primary Thu 10.12 (W6), abuse notice Mon 14.12
        # (W5); 30 days → Wed 06.01.2027, a New Year holiday, moved to the first working day.
        (_at(2026, 12, 7), (date(2026, 12, 10), date(2027, 1, 11), date(2026, 12, 14))),
        # The eve of the New Year holidays: Tue 30.12.2025; 31.12 is a day off (moved from
        # 04.01), 01–08.01 holidays, 09.01 moved from 03.01, 10–11.01 weekend: the first
        # working day is Mon 12.01.2026 → primary Wed 14.01, abuse Fri 16.01; 30 days →
        # Thu 29.01.2026, a working day.
        (_at(2025, 12, 30), (date(2026, 1, 14), date(2026, 1, 29), date(2026, 1, 16))),
        # Before a working Saturday: Fri 31.10.2025; Sat 01.11.2025 is worked (moved to
        # 03.11), 04.11 a holiday: 1 = 01.11, 2 = 05.11, 3 = 06.11; 4 = 07.11, 5 = 10.11;
        # 30 days → Sun 30.11.2025 → Mon 01.12.
        (_at(2025, 10, 31), (date(2025, 11, 6), date(2025, 12, 1), date(2025, 11, 10))),
        # On the working Saturday itself: 05.11, 06.11, 07.11; 5 = 11.11; 30 days → Mon 01.12.
        (_at(2025, 11, 1), (date(2025, 11, 7), date(2025, 12, 1), date(2025, 11, 11))),
        # Registered on a Sunday: Mon 11.03.2024 is the first day: 13.03; 5 = 15.03;
        # 30 days → Tue 09.04.2024.
        (_at(2024, 3, 10), (date(2024, 3, 13), date(2024, 4, 9), date(2024, 3, 15))),
        # 30 days landing on the May holidays: Tue 09.04.2024 → Thu 09.05.2024 (holiday),
        # Fri 10.05 (moved day off), weekend → Mon 13.05.
        (_at(2024, 4, 9), (date(2024, 4, 12), date(2024, 5, 13), date(2024, 4, 16))),
    ],
)
def test_terms_count_working_days_on_the_production_calendar(
    received: datetime, expected: tuple[date, date, date]
) -> None:
    assert deadlines(received, CALENDAR) == MessageDeadlines(*expected)


def test_the_day_is_the_lines_local_day_not_utcs() -> None:
    # 21:30 UTC on Thu 03.12.2026 is 00:30 on Fri 04.12 in Moscow: counted from Friday,
    # 1 = Mon 07.12, 2 = 08.12, 3 = 09.12 (from Thursday it would be 08.12).
    received = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)
    assert deadlines(received, CALENDAR).primary_due == date(2026, 12, 9)


def test_an_urgent_message_gets_the_term_set_from_its_content_at_most_15_working_days() -> None:
    # W3–W4: from Tue 30.12.2025, 15 working days: 12–16.01 (5), 19–23.01 (10), 26–30.01.
    received = _at(2025, 12, 30)
    assert deadlines(received, CALENDAR, urgent_working_days=15).answer_due == date(2026, 1, 30)
    assert deadlines(received, CALENDAR, urgent_working_days=2).answer_due == date(2026, 1, 13)
    with pytest.raises(ValueError, match="от 1 до 15 рабочих дней"):
        deadlines(received, CALENDAR, urgent_working_days=16)


def test_the_statutory_term_is_a_setting() -> None:
    # 10 calendar days from Mon 07.12.2026: Thu 17.12.
    assert deadlines(_at(2026, 12, 7), CALENDAR, statutory_days=10).answer_due == date(2026, 12, 17)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        deadlines(datetime(2026, 12, 7, 10), CALENDAR)  # noqa: DTZ001
