"""Which written messages a morning reminder names, and to whom it goes (W3–W6).

A message still open (``models.rules.message_states.OPEN_STATES``) owes its *next* deadline:

* a message whose abuse a person confirmed (W5) owes only the notice that such conduct is
  unacceptable: no answer on the merits, so neither the primary nor the substantive one;
* one the lexicon suspects owes the notice's deadline too, until a person decides;
* any other owes the primary answer (W6) until it went out (status ``registered``) and the
  substantive answer (W3–W4) until it is closed; the next deadline is the earliest of those
  (``models.rules.message_deadlines.open_deadlines``).

The reminder names a message whose next deadline has passed, is today, or is the next working
day of the line's production calendar ("tomorrow": on a Friday, Monday; a deadline on the days
off between counts too). The days overdue are calendar days.

It goes to the message's owner when the owner can be written to (an active employee with an
e-mail); a message without an owner, or whose owner cannot be written to, goes to every
supervisor who can. A person gets one letter listing all of theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.rules.calendar import ProductionCalendar
from models.rules.message_deadlines import Duty, open_deadlines
from models.rules.message_states import AbuseCheck, MessageStatus

DeadlineKind = Duty  # what a reminder names: the deadline's duty (W6, W3–W4, W5)


class Urgency(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    NEXT_WORKING_DAY = "next_working_day"


@dataclass(frozen=True, slots=True)
class OpenMessage:
    """What the rule needs of a message."""

    number: str
    status: MessageStatus
    abuse: AbuseCheck
    primary_due: date
    answer_due: date
    abuse_notice_due: date | None
    owner_id: int | None
    owner_name: str = ""  # for the supervisors' letter when the owner cannot be written to


@dataclass(frozen=True, slots=True)
class DueMessage:
    number: str
    kind: DeadlineKind
    due: date
    urgency: Urgency
    days_overdue: int  # calendar days past ``due``; 0 unless overdue
    owner_id: int | None
    owner_name: str


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a reminder can go to."""

    employee_id: int
    name: str
    email: str


def next_deadline(message: OpenMessage) -> tuple[Duty, date] | None:
    """The deadline the message owes next, by the rule the console's lists keep
    (``models.rules.message_deadlines``); on one day the primary answer is named first. None
    for a closed message."""
    owed = open_deadlines(message)
    return min(owed, key=lambda item: item[1]) if owed else None


def due_soon(
    messages: Iterable[OpenMessage], today: date, calendar: ProductionCalendar
) -> list[DueMessage]:
    """The messages a reminder on local day ``today`` names, the most overdue first."""
    horizon = calendar.next_working_day(today)
    found = []
    for message in messages:
        owed = next_deadline(message)
        if owed is None or owed[1] > horizon:
            continue
        kind, due = owed
        urgency = (
            Urgency.OVERDUE
            if due < today
            else Urgency.TODAY
            if due == today
            else Urgency.NEXT_WORKING_DAY
        )
        found.append(
            DueMessage(
                number=message.number,
                kind=kind,
                due=due,
                urgency=urgency,
                days_overdue=max((today - due).days, 0),
                owner_id=message.owner_id,
                owner_name=message.owner_name,
            )
        )
    found.sort(key=lambda item: (item.due, item.number))
    return found


def addressed(
    due: Iterable[DueMessage], owners: Mapping[int, Person], supervisors: Sequence[Person]
) -> tuple[dict[Person, list[DueMessage]], list[DueMessage]]:
    """Each person's messages (see the module's doc), and the messages nobody can be written
    to about. ``owners``: the employees who can be written to, by id."""
    letters: dict[Person, list[DueMessage]] = {}
    nobody = []
    for item in due:
        owner = owners.get(item.owner_id) if item.owner_id is not None else None
        to = [owner] if owner is not None else list(supervisors)
        if not to:
            nobody.append(item)
        for person in to:
            letters.setdefault(person, []).append(item)
    return letters, nobody
