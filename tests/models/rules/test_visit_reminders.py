"""The letters and calls a booking gets, and the retries of a reminder call (V3–V6), on the
production calendar: table tests at the boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.visit_reminders import (
    CALL_ATTEMPTS,
    CALL_RETRY_AFTER,
    CallResult,
    Choices,
    MessageKind,
    Planned,
    after_call_failure,
    may_call,
    plan,
)
from models.rules.visit_slots import ReminderChannel

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
EMAIL, CALL = ReminderChannel.EMAIL, ReminderChannel.CALL
CONFIRMATION = MessageKind.CONFIRMATION
DAY, TWO = MessageKind.DAY_BEFORE, MessageKind.TWO_HOURS


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


TUESDAY = date(2026, 12, 8)
MONDAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 4)
BOOKED = at(date(2026, 12, 1), 10)
VISIT = at(TUESDAY, 15)  # Tuesday 15:00


def everything(**changes: object) -> Choices:
    base: dict[str, object] = {
        "starts_at": VISIT,
        "booked_at": BOOKED,
        "has_email": True,
        "remind_day_before": True,
        "remind_two_hours": True,
        "remind_by_email": True,
        "remind_by_call": True,
    }
    base.update(changes)
    return Choices(**base)  # type: ignore[arg-type]


def rows(choices: Choices, now: datetime = BOOKED) -> list[tuple[MessageKind, ReminderChannel]]:
    return [(p.kind, p.channel) for p in plan(choices, now=now, calendar=CALENDAR)]


def test_every_choice_gives_its_row_at_its_time() -> None:  # V3, V4, V5
    assert plan(everything(), now=BOOKED, calendar=CALENDAR) == [
        Planned(BOOKED, CONFIRMATION, EMAIL),
        Planned(at(MONDAY, 15), DAY, CALL),
        Planned(at(MONDAY, 15), DAY, EMAIL),
        Planned(at(TUESDAY, 13), TWO, CALL),
        Planned(at(TUESDAY, 13), TWO, EMAIL),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # V5: no reminders asked for: only the confirmation, when there is an address.
        (
            {"remind_day_before": False, "remind_two_hours": False},
            [(CONFIRMATION, EMAIL)],
        ),
        # no e-mail: no letters at all, even when asked for by e-mail; the call stays (V4).
        ({"has_email": False}, [(DAY, CALL), (TWO, CALL)]),
        # V3: the day before only, by e-mail only.
        (
            {"remind_two_hours": False, "remind_by_call": False},
            [(CONFIRMATION, EMAIL), (DAY, EMAIL)],
        ),
        # V3: two hours before only, by a call only.
        (
            {"remind_day_before": False, "remind_by_email": False, "has_email": False},
            [(TWO, CALL)],
        ),
        # a reminder asked for but no channel: nothing but the confirmation.
        (
            {"remind_by_email": False, "remind_by_call": False},
            [(CONFIRMATION, EMAIL)],
        ),
    ],
)
def test_the_rows_follow_the_visitors_choices(  # V3, V4
    changes: dict[str, object], expected: list[tuple[MessageKind, ReminderChannel]]
) -> None:
    assert rows(everything(**changes)) == expected


def test_a_cancelled_booking_gets_nothing() -> None:  # V6
    assert rows(everything(cancelled=True)) == []


@pytest.mark.parametrize("now", [VISIT, VISIT + timedelta(minutes=1)])
def test_a_visit_that_has_begun_gets_nothing(now: datetime) -> None:  # V3
    assert rows(everything(), now) == []


def test_a_reminder_whose_moment_passed_long_ago_is_not_planned() -> None:  # V3, V4
    # Planned late (the service was stopped): the day-before reminders passed hours ago, the
    # two-hours ones are still ahead; the confirmation goes whatever the delay.
    late = at(MONDAY, 18)
    assert rows(everything(), late) == [
        (CONFIRMATION, EMAIL),
        (TWO, CALL),
        (TWO, EMAIL),
    ]


def test_a_moment_just_passed_is_still_planned() -> None:  # V3
    # The job runs every minute: a reminder due seconds before its first run is kept.
    assert (DAY, CALL) in rows(everything(), at(MONDAY, 15, 10))
    assert (DAY, CALL) not in rows(everything(), at(MONDAY, 15, 16))


def test_monday_visit_called_on_friday_written_at_night_moved_to_the_evening() -> None:  # V3, V4
    visit = at(MONDAY, 10)  # the day before is a Sunday
    planned = plan(everything(starts_at=visit), now=BOOKED, calendar=CALENDAR)
    assert Planned(at(FRIDAY, 17), DAY, CALL) in planned  # the last working hour before
    assert Planned(at(date(2026, 12, 6), 10), DAY, EMAIL) in planned  # Sunday 10:00 is fine
    # Two hours before 10:00 is 08:00: a call waits for nothing (the line opens at 09:00, so
    # the previous working day's last hour), a letter is out of the quiet hours already.
    assert Planned(at(FRIDAY, 17), TWO, CALL) in planned
    assert Planned(at(MONDAY, 8), TWO, EMAIL) in planned


def test_booked_right_before_the_visit_gets_only_the_confirmation() -> None:  # V3, V5
    booked = at(TUESDAY, 14)
    assert rows(everything(booked_at=booked), booked) == [(CONFIRMATION, EMAIL)]


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (at(MONDAY, 9), True),  # opening
        (at(MONDAY, 17, 59), True),
        (at(MONDAY, 18), False),  # closed
        (at(date(2026, 12, 5), 12), False),  # Saturday
        (at(TUESDAY, 14, 59), True),
        (at(TUESDAY, 15), False),  # the visit has begun
    ],
)
def test_calls_only_while_the_line_works_and_before_the_visit(  # V4, V6
    now: datetime, allowed: bool
) -> None:
    assert may_call(now, VISIT, CALENDAR) is allowed


@pytest.mark.parametrize("result", [CallResult.BUSY, CallResult.NO_ANSWER])
def test_busy_and_no_answer_are_tried_again_twenty_minutes_later(result: CallResult) -> None:  # V4
    now = at(MONDAY, 15)
    outcome = after_call_failure(result, 1, now=now, starts_at=VISIT, calendar=CALENDAR)
    assert outcome.retry_at == now + CALL_RETRY_AFTER
    last = after_call_failure(result, CALL_ATTEMPTS, now=now, starts_at=VISIT, calendar=CALENDAR)
    assert last.retry_at is None
    assert "попыток — 3" in last.reason


def test_an_invalid_number_is_not_tried_again() -> None:  # V4
    outcome = after_call_failure(
        CallResult.INVALID_NUMBER, 1, now=at(MONDAY, 15), starts_at=VISIT, calendar=CALENDAR
    )
    assert outcome.retry_at is None
    assert outcome.reason == "номер недоступен: повторно не звоним"


@pytest.mark.parametrize(
    ("now", "retried"),
    [
        (at(MONDAY, 17, 39), True),  # the retry at 17:59 is still in hours
        (at(MONDAY, 17, 40), False),  # 18:00: the line is closed
        (at(TUESDAY, 14, 39), True),
        (at(TUESDAY, 14, 40), False),  # 15:00: the visit begins
    ],
)
def test_no_retry_outside_the_window(now: datetime, retried: bool) -> None:  # V4
    outcome = after_call_failure(CallResult.BUSY, 1, now=now, starts_at=VISIT, calendar=CALENDAR)
    assert (outcome.retry_at is not None) is retried
