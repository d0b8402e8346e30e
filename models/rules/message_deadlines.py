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

Which of them are still owed depends on the message's state and on the abuse check
(:func:`duty_state`): the primary answer until anything went out, the substantive answer while
the message is open, the abuse notice while a suspicion or a confirmed verdict waits for it; a
confirmed verdict (W5) means no answer on the merits at all. A deadline still owed whose day
is before the line's local today is overdue; the lists and the CLI ask :func:`next_due` and
:func:`overdue` (``today`` is passed in, never read here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.message_states import ABUSE_HELD, OPEN_STATES, AbuseCheck, MessageStatus

PRIMARY_ANSWER_WORKING_DAYS: Final = 3  # W6
ABUSE_NOTICE_WORKING_DAYS: Final = 5  # W5
URGENT_MAX_WORKING_DAYS: Final = 15  # W3–W4
DEFAULT_STATUTORY_DAYS: Final = 30
URGENT_TERM_RANGE: Final = (
    f"срок ответа на срочное обращение — от 1 до {URGENT_MAX_WORKING_DAYS} рабочих дней"
)
_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}")


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
        raise ValueError(f"{URGENT_TERM_RANGE}, указано {urgent_working_days}")
    else:
        answer = working_days_after(day, urgent_working_days, calendar)
    return MessageDeadlines(
        primary_due=working_days_after(day, PRIMARY_ANSWER_WORKING_DAYS, calendar),
        answer_due=answer,
        abuse_notice_due=working_days_after(day, ABUSE_NOTICE_WORKING_DAYS, calendar),
    )


def urgent_term(text: str) -> int:
    """The urgent term as staff typed it («10»), in working days (W3–W4); ValueError with the
    Russian reason for anything else: not a whole number, 0, more than 15."""
    typed = text.strip()
    if _WHOLE_NUMBER.fullmatch(typed) is None:
        shown = typed[:20] or "ничего"
        raise ValueError(
            f"{URGENT_TERM_RANGE.capitalize()}: укажите целое число, указано «{shown}»"
        )
    days = int(typed)
    if not 1 <= days <= URGENT_MAX_WORKING_DAYS:
        raise ValueError(f"{URGENT_TERM_RANGE.capitalize()}, указано {days}")
    return days


def urgent_term_of(
    received_at: datetime, answer_due: date, calendar: ProductionCalendar
) -> int | None:
    """The urgent term (W3–W4) that gives ``answer_due``, in working days; None when no term
    of 1–15 working days does (the calendar changed since, or the message is not urgent)."""
    day = registered_on(received_at, calendar)
    for days in range(1, URGENT_MAX_WORKING_DAYS + 1):
        day = calendar.next_working_day(day)
        if day == answer_due:
            return days
        if day > answer_due:
            return None
    return None


class Duty(StrEnum):
    """What the line owes a message by a deadline."""

    PRIMARY = "primary"  # W6
    ANSWER = "answer"  # W3–W4
    ABUSE_NOTICE = "abuse_notice"  # W5


class DutyState(StrEnum):
    OWED = "owed"  # its deadline counts
    DONE = "done"  # it went out (or what went out stands for it)
    NOT_NEEDED = "not_needed"  # W5: no answer on the merits; no abuse, no notice


class MessageDates(Protocol):
    """What the rules read of a message (``models.tables.WrittenMessage`` has it)."""

    @property
    def status(self) -> MessageStatus: ...
    @property
    def abuse(self) -> AbuseCheck: ...
    @property
    def primary_due(self) -> date: ...
    @property
    def answer_due(self) -> date: ...
    @property
    def abuse_notice_due(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class Lateness:
    """How long a deadline has passed, by the line's local today."""

    calendar_days: int
    working_days: int  # working days after the deadline, today included


def duty_state(duty: Duty, status: MessageStatus, abuse: AbuseCheck) -> DutyState:
    """Whether ``duty`` is owed for a message in ``status`` with the abuse check ``abuse``."""
    if duty is Duty.ABUSE_NOTICE:
        if abuse not in ABUSE_HELD:
            return DutyState.NOT_NEEDED
        if status is MessageStatus.ABUSIVE:
            return DutyState.DONE
        return DutyState.OWED if status in OPEN_STATES else DutyState.NOT_NEEDED
    if status is MessageStatus.ABUSIVE:
        return DutyState.NOT_NEEDED
    owed_in = {MessageStatus.REGISTERED} if duty is Duty.PRIMARY else OPEN_STATES
    if status not in owed_in:
        return DutyState.DONE
    return DutyState.NOT_NEEDED if abuse is AbuseCheck.CONFIRMED else DutyState.OWED


def due_day(duty: Duty, message: MessageDates) -> date | None:
    if duty is Duty.PRIMARY:
        return message.primary_due
    if duty is Duty.ANSWER:
        return message.answer_due
    return message.abuse_notice_due


def open_deadlines(message: MessageDates) -> list[tuple[Duty, date]]:
    """The deadlines still owed, in the order of :class:`Duty`."""
    owed = []
    for duty in Duty:
        day = due_day(duty, message)
        if day is not None and duty_state(duty, message.status, message.abuse) is DutyState.OWED:
            owed.append((duty, day))
    return owed


def next_due(message: MessageDates) -> date | None:
    """The earliest deadline still owed; None when nothing is (the message is closed)."""
    return min((day for _, day in open_deadlines(message)), default=None)


def overdue(day: date, today: date) -> bool:
    """A deadline still owed is overdue from the day after it (its own day is in time)."""
    return day < today


def lateness(day: date, today: date, calendar: ProductionCalendar) -> Lateness:
    """How long ``day`` has passed by ``today`` (zeros while it has not)."""
    if not overdue(day, today):
        return Lateness(0, 0)
    working = 0
    current = day
    while (current := calendar.next_working_day(current)) <= today:
        working += 1
    return Lateness((today - day).days, working)
