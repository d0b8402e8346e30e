"""K6: a section is overdue the day after one calendar month since its last review."""

from __future__ import annotations

from datetime import date

import pytest

from models.rules.kb_freshness import review_due, section_overdue


@pytest.mark.parametrize(
    ("last_reviewed", "today", "overdue"),
    [
        (date(2026, 3, 15), date(2026, 3, 15), False),  # reviewed today
        (date(2026, 3, 15), date(2026, 4, 15), False),  # exactly a month: still fresh
        (date(2026, 3, 15), date(2026, 4, 16), True),  # the day after
        (date(2026, 1, 31), date(2026, 2, 28), False),  # February has no 31st: due on the 28th
        (date(2026, 1, 31), date(2026, 3, 1), True),
        (date(2028, 1, 31), date(2028, 2, 29), False),  # leap year: due on the 29th
        (date(2028, 1, 31), date(2028, 3, 1), True),
        (date(2026, 3, 31), date(2026, 4, 30), False),  # April has 30 days
        (date(2026, 3, 31), date(2026, 5, 1), True),
        (date(2026, 12, 15), date(2027, 1, 15), False),  # across the year end
        (date(2026, 12, 31), date(2027, 1, 31), False),
        (date(2026, 12, 31), date(2027, 2, 1), True),
        (date(2026, 5, 1), date(2025, 12, 1), False),  # a review dated in the future
    ],
)
def test_section_overdue_after_one_calendar_month(
    last_reviewed: date, today: date, overdue: bool
) -> None:
    assert section_overdue(last_reviewed, today) is overdue


def test_review_due_clamps_to_the_last_day_of_the_next_month() -> None:
    assert review_due(date(2026, 1, 29)) == date(2026, 2, 28)
    assert review_due(date(2026, 8, 31)) == date(2026, 9, 30)
    assert review_due(date(2026, 12, 1)) == date(2027, 1, 1)
