"""Slots of personal visits on the production calendar, and their deadlines (V1–V4, V6)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.visit_slots import (
    BookingRefusal,
    ReceptionWindow,
    ReminderChannel,
    ReminderKind,
    can_cancel,
    day_slots,
    find_slot,
    free_slots,
    reminder_at,
)

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
# Employee 1 receives on Tuesdays 15:00–18:00 and Mondays 10:00–12:00, 30-minute slots;
# employee 2 on Mondays 10:00–11:00, 20-minute slots.
WINDOWS = (
    ReceptionWindow(1, 7, 1, time(15), time(18), 30),
    ReceptionWindow(1, 7, 0, time(10), time(12), 30),
    ReceptionWindow(2, 7, 0, time(10), time(11), 20),
)
LONG_AGO = datetime(2026, 1, 1, tzinfo=MSK)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


def starts(day: date, employee: int | None = None) -> list[str]:
    return [
        f"{slot.starts_at:%H:%M}"
        for slot in day_slots(WINDOWS, day, CALENDAR)
        if employee in (None, slot.employee_id)
    ]


@pytest.mark.parametrize(
    ("day", "employee", "expected"),
    [
        # V1: an ordinary Tuesday: 15:00–18:00 in half hours, the last one ends at closing.
        (date(2026, 12, 8), 1, ["15:00", "15:30", "16:00", "16:30", "17:00", "17:30"]),
        # 3 Nov 2026 precedes the 4 Nov holiday: the office closes at 17:00.
        (date(2026, 11, 3), 1, ["15:00", "15:30", "16:00", "16:30"]),
        # 4 Nov (Wednesday) is a holiday; 31 Dec 2026 (Thursday) a day off by the decree.
        (date(2026, 11, 4), None, []),
        (date(2026, 12, 31), None, []),
        # A Saturday: nobody receives.
        (date(2026, 12, 5), None, []),
        # Monday: both employees.
        (date(2026, 12, 7), 2, ["10:00", "10:20", "10:40"]),
        (date(2026, 12, 7), 1, ["10:00", "10:30", "11:00", "11:30"]),
    ],
)
def test_day_slots_follow_reception_hours_and_the_calendar(  # V1
    day: date, employee: int | None, expected: list[str]
) -> None:
    assert starts(day, employee) == expected


def test_a_holiday_override_removes_the_days_slots() -> None:  # V1
    from models.rules.calendar import DayOverride

    closed = ProductionCalendar(
        tz=MSK,
        hours=DEFAULT_HOURS,
        overrides=[DayOverride(date(2026, 12, 8), False, None, "приказ")],
    )
    assert day_slots(WINDOWS, date(2026, 12, 8), closed) == []


def test_free_slots_leave_out_booked_and_begun_ones() -> None:  # V1
    day = date(2026, 12, 8)
    free = free_slots(
        WINDOWS,
        day,
        CALENDAR,
        booked=[(1, at(day, 16)), (2, at(day, 16, 30))],  # employee 2's booking: not 1's
        now=at(day, 15, 0),  # 15:00 has just begun
    )
    assert [f"{slot.starts_at:%H:%M}" for slot in free] == ["15:30", "16:30", "17:00", "17:30"]


@pytest.mark.parametrize(
    ("when", "now", "employee", "expected"),
    [
        (at(date(2026, 12, 8), 15, 30), at(date(2026, 12, 8), 15, 29), None, None),
        (at(date(2026, 12, 8), 15, 30), at(date(2026, 12, 8), 15, 30), None, BookingRefusal.PAST),
        (at(date(2026, 11, 4), 15), LONG_AGO, None, BookingRefusal.NON_WORKING_DAY),
        (at(date(2026, 12, 8), 15, 10), LONG_AGO, None, BookingRefusal.NO_SUCH_SLOT),
        (at(date(2026, 11, 3), 16, 30), LONG_AGO, None, None),
        (at(date(2026, 11, 3), 17), LONG_AGO, None, BookingRefusal.NO_SUCH_SLOT),
        (at(date(2026, 12, 7), 10), LONG_AGO, None, BookingRefusal.AMBIGUOUS),
        (at(date(2026, 12, 7), 10), LONG_AGO, 2, None),
        (at(date(2026, 12, 7), 10, 20), LONG_AGO, 1, BookingRefusal.NO_SUCH_SLOT),
    ],
)
def test_find_slot_refuses_past_holiday_and_unknown_times(  # V1, V2
    when: datetime, now: datetime, employee: int | None, expected: BookingRefusal | None
) -> None:
    found = find_slot(WINDOWS, CALENDAR, when, now=now, employee_id=employee)
    if expected is None:
        assert not isinstance(found, BookingRefusal)
        assert found.starts_at == when
    else:
        assert found is expected


def test_cancellation_is_possible_until_the_visit_begins() -> None:  # V6
    visit = at(date(2026, 12, 8), 15)
    assert can_cancel(visit, at(date(2026, 12, 8), 14, 59))
    assert not can_cancel(visit, visit)


@pytest.mark.parametrize(
    ("visit", "kind", "channel", "expected"),
    [
        # Tuesday 15:00: a day before is Monday 15:00, fine for both channels.
        (
            at(date(2026, 12, 8), 15),
            ReminderKind.DAY_BEFORE,
            ReminderChannel.EMAIL,
            at(date(2026, 12, 7), 15),
        ),
        (
            at(date(2026, 12, 8), 15),
            ReminderKind.DAY_BEFORE,
            ReminderChannel.CALL,
            at(date(2026, 12, 7), 15),
        ),
        # Monday 10:00: a day before is Sunday; the mail goes then, the call on Friday 17:00.
        (
            at(date(2026, 12, 7), 10),
            ReminderKind.DAY_BEFORE,
            ReminderChannel.EMAIL,
            at(date(2026, 12, 6), 10),
        ),
        (
            at(date(2026, 12, 7), 10),
            ReminderKind.DAY_BEFORE,
            ReminderChannel.CALL,
            at(date(2026, 12, 4), 17),
        ),
        # Two hours before a 10:00 visit is 08:00: mail at 08:00, the call the evening before.
        (
            at(date(2026, 12, 8), 10),
            ReminderKind.TWO_HOURS,
            ReminderChannel.EMAIL,
            at(date(2026, 12, 8), 8),
        ),
        (
            at(date(2026, 12, 8), 10),
            ReminderKind.TWO_HOURS,
            ReminderChannel.CALL,
            at(date(2026, 12, 7), 17),
        ),
        # Two hours before 09:30 is 07:30, in the quiet hours: 21:00 the evening before.
        (
            at(date(2026, 12, 8), 9, 30),
            ReminderKind.TWO_HOURS,
            ReminderChannel.EMAIL,
            at(date(2026, 12, 7), 21),
        ),
        # Thursday 5 Nov after the 4 Nov holiday: the call goes on the shortened 3 Nov,
        # an hour before the line closes.
        (
            at(date(2026, 11, 5), 10),
            ReminderKind.DAY_BEFORE,
            ReminderChannel.CALL,
            at(date(2026, 11, 3), 17),
        ),
        (
            at(date(2026, 12, 8), 16),
            ReminderKind.TWO_HOURS,
            ReminderChannel.CALL,
            at(date(2026, 12, 8), 14),
        ),
    ],
)
def test_reminder_times(  # V3, V4
    visit: datetime, kind: ReminderKind, channel: ReminderChannel, expected: datetime
) -> None:
    assert reminder_at(kind, channel, starts_at=visit, booked_at=LONG_AGO, calendar=CALENDAR) == (
        expected
    )


def test_no_reminder_due_before_the_booking_itself() -> None:  # V3
    visit = at(date(2026, 12, 8), 15)
    booked = at(date(2026, 12, 8), 9)
    assert (
        reminder_at(
            ReminderKind.DAY_BEFORE,
            ReminderChannel.EMAIL,
            starts_at=visit,
            booked_at=booked,
            calendar=CALENDAR,
        )
        is None
    )
    assert reminder_at(
        ReminderKind.TWO_HOURS,
        ReminderChannel.EMAIL,
        starts_at=visit,
        booked_at=booked,
        calendar=CALENDAR,
    ) == at(date(2026, 12, 8), 13)
