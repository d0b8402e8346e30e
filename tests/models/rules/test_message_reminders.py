"""Which written messages the morning reminder names and to whom (W3–W6): the next deadline
owed, today / the next working day / overdue on the real production calendar, owners and
supervisors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.message_reminders import (
    DeadlineKind,
    DueMessage,
    OpenMessage,
    Person,
    Urgency,
    addressed,
    due_soon,
    next_deadline,
)
from models.tables import AbuseCheck, MessageStatus

CALENDAR = ProductionCalendar(tz=ZoneInfo("Europe/Moscow"), hours=DEFAULT_HOURS)
MESSAGE = OpenMessage(
    number="ПО-2026-000001",
    status=MessageStatus.REGISTERED,
    abuse=AbuseCheck.CLEAN,
    primary_due=date(2026, 12, 10),
    answer_due=date(2027, 1, 11),
    abuse_notice_due=None,
    owner_id=None,
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, (DeadlineKind.PRIMARY, date(2026, 12, 10))),  # W6 until it went out
        ({"status": MessageStatus.ACKNOWLEDGED}, (DeadlineKind.ANSWER, date(2027, 1, 11))),
        # W3–W4: an urgent message's answer may fall before the primary answer's deadline
        ({"answer_due": date(2026, 12, 9)}, (DeadlineKind.ANSWER, date(2026, 12, 9))),
        # the same day: the primary answer is named
        ({"answer_due": date(2026, 12, 10)}, (DeadlineKind.PRIMARY, date(2026, 12, 10))),
        # W5: a confirmed abuse owes only its notice, whatever else was sent
        (
            {"abuse": AbuseCheck.CONFIRMED, "abuse_notice_due": date(2026, 12, 14)},
            (DeadlineKind.ABUSE_NOTICE, date(2026, 12, 14)),
        ),
        (
            {
                "abuse": AbuseCheck.CONFIRMED,
                "abuse_notice_due": date(2026, 12, 14),
                "status": MessageStatus.ACKNOWLEDGED,
            },
            (DeadlineKind.ABUSE_NOTICE, date(2026, 12, 14)),
        ),
        # a suspicion (not confirmed yet): the W5 clock runs until a person decides
        (
            {"abuse": AbuseCheck.SUSPECTED, "abuse_notice_due": date(2026, 12, 8)},
            (DeadlineKind.ABUSE_NOTICE, date(2026, 12, 8)),
        ),
        # a dismissed one: handled as any other message
        (
            {"abuse": AbuseCheck.DISMISSED, "abuse_notice_due": date(2026, 12, 8)},
            (DeadlineKind.PRIMARY, date(2026, 12, 10)),
        ),
        ({"status": MessageStatus.ANSWERED}, None),
        ({"status": MessageStatus.REDIRECTED}, None),
        ({"status": MessageStatus.REFUSED}, None),
        ({"status": MessageStatus.ABUSIVE, "abuse": AbuseCheck.CONFIRMED}, None),
    ],
)
def test_the_next_deadline_a_message_owes(
    changes: dict[str, object], expected: tuple[DeadlineKind, date] | None
) -> None:
    assert next_deadline(replace(MESSAGE, **changes)) == expected  # type: ignore[arg-type]


def _due(today: date, *deadlines: date) -> list[tuple[str, date, Urgency, int]]:
    messages = [
        replace(MESSAGE, number=f"ПО-2026-{n:06d}", primary_due=day)
        for n, day in enumerate(deadlines, start=1)
    ]
    return [
        (item.number[-1], item.due, item.urgency, item.days_overdue)
        for item in due_soon(messages, today, CALENDAR)
    ]


def test_on_a_friday_the_next_working_day_is_monday() -> None:
    # Fri 11.12.2026: Thursday's deadline is a day late; Saturday and Monday are "tomorrow"
    assert _due(
        date(2026, 12, 11),
        date(2026, 12, 15),  # Tuesday: not yet
        date(2026, 12, 14),
        date(2026, 12, 11),
        date(2026, 12, 12),
        date(2026, 12, 10),
        date(2026, 11, 30),
    ) == [
        ("6", date(2026, 11, 30), Urgency.OVERDUE, 11),
        ("5", date(2026, 12, 10), Urgency.OVERDUE, 1),
        ("3", date(2026, 12, 11), Urgency.TODAY, 0),
        ("4", date(2026, 12, 12), Urgency.NEXT_WORKING_DAY, 0),
        ("2", date(2026, 12, 14), Urgency.NEXT_WORKING_DAY, 0),
    ]


def test_before_the_new_year_holidays_the_next_working_day_is_in_january() -> None:
    # Tue 30.12.2025: 31.12 is a day off (moved from 04.01), 01–11.01 holidays and a weekend;
    # the first working day is Mon 12.01.2026
    assert _due(
        date(2025, 12, 30),
        date(2026, 1, 13),
        date(2026, 1, 12),
        date(2025, 12, 30),
    ) == [
        ("3", date(2025, 12, 30), Urgency.TODAY, 0),
        ("2", date(2026, 1, 12), Urgency.NEXT_WORKING_DAY, 0),
    ]


def test_closed_messages_are_never_named() -> None:
    closed = replace(MESSAGE, status=MessageStatus.ANSWERED, primary_due=date(2026, 1, 1))
    assert due_soon([closed], date(2026, 12, 11), CALENDAR) == []


OWNER = Person(7, "Алиева Патимат", "patimat@example.org")
CHIEF = Person(9, "Сулейманова Хадижат", "chief@example.org")
DEPUTY = Person(10, "Омаров Тимур", "deputy@example.org")


def _item(number: str, owner_id: int | None, owner_name: str = "") -> DueMessage:
    return DueMessage(
        number, DeadlineKind.PRIMARY, date(2026, 12, 10), Urgency.TODAY, 0, owner_id, owner_name
    )


def test_owners_get_theirs_and_the_supervisors_the_rest() -> None:
    own = _item("1", OWNER.employee_id)
    unowned = _item("2", None)
    unreachable = _item("3", 8, "Магомедов Руслан")  # no e-mail, or no longer active
    chiefs_own = _item("4", CHIEF.employee_id)
    letters, nobody = addressed(
        [own, unowned, unreachable, chiefs_own],
        owners={OWNER.employee_id: OWNER, CHIEF.employee_id: CHIEF},
        supervisors=[CHIEF, DEPUTY],
    )
    assert letters == {
        OWNER: [own],
        CHIEF: [unowned, unreachable, chiefs_own],  # one letter with all of hers
        DEPUTY: [unowned, unreachable],
    }
    assert nobody == []


def test_without_supervisors_the_unowned_messages_reach_nobody() -> None:
    unowned = _item("2", None)
    letters, nobody = addressed([unowned], owners={}, supervisors=[])
    assert (letters, nobody) == ({}, [unowned])
