"""Slots of personal visits and their deadlines (V1–V4, V6): pure rules, ``now`` passed in.

A day's slots are the reception hours of the schedule intersected with the Ministry's working
hours that day on the production calendar (C3): none on a day off or a holiday; on a shortened
pre-holiday day the office closes an hour earlier (Art. 95 of the Labour Code), whatever the
line itself does on such days (``ProductionCalendar.shortened_days_close_early``), so a slot
that would end after the shortened closing is not offered. Slots run from the reception's
opening in steps of its slot length; a slot must fit whole.

Booking closes when the slot begins (:data:`BOOKING_LEAD` is zero): a slot that has begun is
neither offered nor bookable. Cancellation (V6, «в любой момент») is possible until the visit
begins; after that there is nothing left to cancel.

Reminders (V3–V4), «за сутки» and «за 2 часа», are due 24 and 2 hours before the visit, moved
earlier, never later, when that instant is inconvenient:

* by e-mail, not at night: an instant in the quiet hours (21:00–08:00 local) moves to 21:00 of
  the evening before (or of the same evening, after 21:00);
* by a call, which an operator makes, only while the line works: an instant outside its hours
  (a night, a weekend, a holiday) moves to the last working day before it, one hour before the
  line closes (:data:`CALL_MARGIN`), so that the call can still be made that day.

A reminder whose instant is not after the booking itself is not sent (the visitor was just
told everything); :func:`reminder_at` returns None for it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from models.rules.calendar import ProductionCalendar, WorkingHours, require_aware

BOOKING_LEAD: Final = timedelta(0)
CALL_MARGIN: Final = timedelta(hours=1)
QUIET_FROM: Final = time(21)
QUIET_UNTIL: Final = time(8)
_SEARCH_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class ReceptionWindow:
    """One row of the schedule: an employee receiving at a point on a weekday (0 = Monday)."""

    employee_id: int
    point_id: int
    weekday: int
    opens: time
    closes: time
    slot_minutes: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0..6")
        if self.opens >= self.closes:
            raise ValueError(f"opening {self.opens} must be before closing {self.closes}")
        if not 5 <= self.slot_minutes <= 240:
            raise ValueError(f"slot of {self.slot_minutes} minutes is not 5..240")


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A bookable interval; ``starts_at`` and ``ends_at`` are aware, in the calendar's zone."""

    starts_at: datetime
    ends_at: datetime
    employee_id: int
    point_id: int


class BookingRefusal(StrEnum):
    PAST = "past"
    NON_WORKING_DAY = "non_working_day"
    NO_SUCH_SLOT = "no_such_slot"
    AMBIGUOUS = "ambiguous"
    TAKEN = "taken"  # decided by the store (the database), listed here for its text


REFUSAL_RU: Final[dict[BookingRefusal, str]] = {
    BookingRefusal.PAST: "Это время уже прошло: выберите другое.",
    BookingRefusal.NON_WORKING_DAY: "В этот день Министерство не работает (выходной или "
    "праздничный день): выберите другой день.",
    BookingRefusal.NO_SUCH_SLOT: "На это время приёма нет: выберите время из списка свободных.",
    BookingRefusal.AMBIGUOUS: "В это время принимают несколько сотрудников: укажите, к кому "
    "записать.",
    BookingRefusal.TAKEN: "Время уже занято: выберите другое.",
}


class ReminderKind(StrEnum):
    DAY_BEFORE = "day_before"  # «за сутки»
    TWO_HOURS = "two_hours"  # «за 2 часа»


class ReminderChannel(StrEnum):
    EMAIL = "email"
    CALL = "call"


_AHEAD: Final = {
    ReminderKind.DAY_BEFORE: timedelta(days=1),
    ReminderKind.TWO_HOURS: timedelta(hours=2),
}


def office_hours(calendar: ProductionCalendar, day: date) -> WorkingHours | None:
    """The Ministry's hours that day: the calendar's, an hour shorter on a pre-holiday day."""
    hours = calendar.hours_on(day)
    if hours is None:
        return None
    if calendar.is_shortened(day) and calendar.shortened_hours.closes < hours.closes:
        return WorkingHours(hours.opens, calendar.shortened_hours.closes)
    return hours


def day_slots(
    windows: Iterable[ReceptionWindow], day: date, calendar: ProductionCalendar
) -> list[Slot]:
    """Every slot of the day by the schedule and the calendar, booked or not, in time order."""
    hours = office_hours(calendar, day)
    if hours is None:
        return []
    found: list[Slot] = []
    for window in windows:
        if window.weekday != day.weekday():
            continue
        step = timedelta(minutes=window.slot_minutes)
        start = datetime.combine(day, window.opens, tzinfo=calendar.tz)
        last_end = datetime.combine(day, min(window.closes, hours.closes), tzinfo=calendar.tz)
        earliest = datetime.combine(day, hours.opens, tzinfo=calendar.tz)
        while start + step <= last_end:
            if start >= earliest:
                found.append(Slot(start, start + step, window.employee_id, window.point_id))
            start += step
    return sorted(found)


def free_slots(
    windows: Iterable[ReceptionWindow],
    day: date,
    calendar: ProductionCalendar,
    *,
    booked: Collection[tuple[int, datetime]],
    now: datetime,
) -> list[Slot]:
    """The day's slots not booked (``booked``: (employee id, start) of active bookings) and
    not yet begun at ``now``."""
    require_aware(now, "now")
    taken = {(employee, start.timestamp()) for employee, start in booked}
    return [
        slot
        for slot in day_slots(windows, day, calendar)
        if bookable_at(slot.starts_at, now)
        and (slot.employee_id, slot.starts_at.timestamp()) not in taken
    ]


def bookable_at(starts_at: datetime, now: datetime) -> bool:
    """Booking a slot closes when it begins (:data:`BOOKING_LEAD`)."""
    return now < starts_at - BOOKING_LEAD


def find_slot(
    windows: Iterable[ReceptionWindow],
    calendar: ProductionCalendar,
    starts_at: datetime,
    *,
    now: datetime,
    employee_id: int | None = None,
) -> Slot | BookingRefusal:
    """The slot starting at ``starts_at`` (of ``employee_id`` when given), or why there is none.
    Whether it is already booked is the store's question (``BookingRefusal.TAKEN``)."""
    require_aware(starts_at, "starts_at")
    require_aware(now, "now")
    local = starts_at.astimezone(calendar.tz)
    if not bookable_at(local, now):
        return BookingRefusal.PAST
    if office_hours(calendar, local.date()) is None:
        return BookingRefusal.NON_WORKING_DAY
    matching = [
        slot
        for slot in day_slots(windows, local.date(), calendar)
        if slot.starts_at == local and employee_id in (None, slot.employee_id)
    ]
    if not matching:
        return BookingRefusal.NO_SUCH_SLOT
    if len(matching) > 1:
        return BookingRefusal.AMBIGUOUS
    return matching[0]


def can_cancel(starts_at: datetime, now: datetime) -> bool:
    """V6: a booking can be cancelled at any time until the visit begins."""
    require_aware(starts_at, "starts_at")
    require_aware(now, "now")
    return now < starts_at


def reminder_at(
    kind: ReminderKind,
    channel: ReminderChannel,
    *,
    starts_at: datetime,
    booked_at: datetime,
    calendar: ProductionCalendar,
) -> datetime | None:
    """When the reminder is due (aware, in the calendar's zone); None when that would not be
    after the booking (see the module's text for the rules)."""
    require_aware(starts_at, "starts_at")
    require_aware(booked_at, "booked_at")
    target = (starts_at - _AHEAD[kind]).astimezone(calendar.tz)
    due = _email_time(target) if channel is ReminderChannel.EMAIL else _call_time(target, calendar)
    return due if due is not None and due > booked_at else None


def _email_time(target: datetime) -> datetime:
    if target.time() >= QUIET_FROM:
        return target.replace(hour=QUIET_FROM.hour, minute=0, second=0, microsecond=0)
    if target.time() < QUIET_UNTIL:
        evening = target - timedelta(days=1)
        return evening.replace(hour=QUIET_FROM.hour, minute=0, second=0, microsecond=0)
    return target


def _call_time(target: datetime, calendar: ProductionCalendar) -> datetime | None:
    day = target.date()
    for _ in range(_SEARCH_DAYS):
        hours = calendar.hours_on(day)
        if hours is not None:
            opens = datetime.combine(day, hours.opens, tzinfo=calendar.tz)
            closes = datetime.combine(day, hours.closes, tzinfo=calendar.tz)
            if opens <= target < closes:
                return target
            latest = max(opens, closes - CALL_MARGIN)
            if latest <= target:
                return latest
        day -= timedelta(days=1)
    return None
