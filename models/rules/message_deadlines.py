"""The deadlines of a written message (W3–W6), worked out on the line's production calendar.

Every term counts from the local day the message was registered. A term in working days ends
on the N-th working day after that day (a message registered on a day off counts from the
next working day, which is the first of the N). The statutory term is in calendar days (the
setting, 30 by default, as the law on citizens' appeals gives); when its last day is not a
working day it moves to the next working day.

* primary answer (W6): 3 working days — registered, when the substantive answer will come;
* abuse notice (W5): 5 working days — such conduct is unacceptable, no answer on the merits;
* substantive answer: an urgent message (W3–W4) gets the term staff set from its content, at
  most 15 working days; any other the statutory term.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from models.rules.calendar import ProductionCalendar, require_aware

PRIMARY_ANSWER_WORKING_DAYS: Final = 3  # W6
ABUSE_NOTICE_WORKING_DAYS: Final = 5  # W5
URGENT_MAX_WORKING_DAYS: Final = 15  # W3–W4
DEFAULT_STATUTORY_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class MessageDeadlines:
    primary_due: date
    answer_due: date
    abuse_notice_due: date


def registered_on(received_at: datetime, calendar: ProductionCalendar) -> date:
    """The line's local day the message was registered."""
    require_aware(received_at, "received_at")
    return received_at.astimezone(calendar.tz).date()


def working_days_after(day: date, n: int, calendar: ProductionCalendar) -> date:
    """The ``n``-th working day after ``day`` (``n`` >= 1)."""
    if n < 1:
        raise ValueError(f"a term of at least one working day, got {n}")
    return calendar.add_working_days(day, n)


def statutory_due(day: date, days: int, calendar: ProductionCalendar) -> date:
    """``days`` calendar days after ``day``, moved on to a working day."""
    if days < 1:
        raise ValueError(f"a term of at least one day, got {days}")
    due = day + timedelta(days=days)
    while not calendar.is_working_day(due):
        due += timedelta(days=1)
    return due


def deadlines(
    received_at: datetime,
    calendar: ProductionCalendar,
    *,
    statutory_days: int = DEFAULT_STATUTORY_DAYS,
    urgent_working_days: int | None = None,
) -> MessageDeadlines:
    """The message's deadlines; ``urgent_working_days``: the term staff set for an urgent one
    (W3–W4), None for a message that is not urgent. ValueError past 15 working days."""
    day = registered_on(received_at, calendar)
    if urgent_working_days is None:
        answer = statutory_due(day, statutory_days, calendar)
    elif not 1 <= urgent_working_days <= URGENT_MAX_WORKING_DAYS:
        raise ValueError(
            f"срок ответа на срочное обращение — от 1 до {URGENT_MAX_WORKING_DAYS} рабочих "
            f"дней, указано {urgent_working_days}"
        )
    else:
        answer = working_days_after(day, urgent_working_days, calendar)
    return MessageDeadlines(
        primary_due=working_days_after(day, PRIMARY_ANSWER_WORKING_DAYS, calendar),
        answer_due=answer,
        abuse_notice_due=working_days_after(day, ABUSE_NOTICE_WORKING_DAYS, calendar),
    )
