"""Which written messages a morning reminder names, and to whom it goes (W3–W6).

A message still open (``models.rules.message_states.OPEN_STATES``) owes its *next* deadline:

* a message whose abuse a person confirmed (W5) owes only the notice that such conduct is
  unacceptable: no answer on the merits, so neither the primary nor the substantive one;
* any other owes the primary answer (W6) until it went out (status ``registered``) and the
  substantive answer (W3–W4) until it is closed; the next deadline is the earlier of those.

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
from models.rules.message_states import OPEN_STATES, AbuseCheck, MessageStatus


class DeadlineKind(StrEnum):
    PRIMARY = "primary"  # W6
    ABUSE_NOTICE = "abuse_notice"  # W5
    ANSWER = "answer"  # W3–W4


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


def next_deadline(message: OpenMessage) -> tuple[DeadlineKind, date] | None:
    """The deadline the message owes next; None for a closed message (or a confirmed abuse
    without its notice's deadline, which registration always sets)."""
    if message.status not in OPEN_STATES:
        return None
    if message.abuse is AbuseCheck.CONFIRMED:
        due = message.abuse_notice_due
        return None if due is None else (DeadlineKind.ABUSE_NOTICE, due)
    owed = [(DeadlineKind.ANSWER, message.answer_due)]
    if message.status is MessageStatus.REGISTERED:
        owed.insert(0, (DeadlineKind.PRIMARY, message.primary_due))
    return min(owed, key=lambda item: item[1])  # the primary answer first on the same day


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
