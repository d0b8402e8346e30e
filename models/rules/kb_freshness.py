"""K6: a knowledge-base section not reviewed for a month is overdue.

"A month" is a calendar month: reviewed on 15 March, due by 15 April, overdue from 16 April.
A review on a day the next month lacks (31 January) is due by that month's last day
(28 or 29 February).
"""

from __future__ import annotations

import calendar
from datetime import date


def review_due(last_reviewed: date) -> date:
    """The last day the section still counts as fresh: one calendar month after the review."""
    year, month = divmod(last_reviewed.month, 12)  # month 12 → next year's January
    year, month = last_reviewed.year + year, month + 1
    day = min(last_reviewed.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def section_overdue(last_reviewed: date, today: date) -> bool:
    return today > review_due(last_reviewed)
