"""Callbacks (C11): the promised answer date in working days, call-back windows, overdue tasks,
and how long a click-to-call holds its task.

A click-to-call reserves its task before the operator's phone rings (one reservation at a
time: nobody is dialled twice) and releases it with the attempt's result. A result that never
comes (the AMI link dropped, Asterisk's answer was lost) must not block the task for good: the
reservation lapses :data:`DIAL_RESERVATION_TTL` after it was made. That is longer than a whole
attempt takes: the operator's phone rings up to 30 s (``ami.actions``), the client's up to
60 s (``dialplan/consult-line.conf``), so a live attempt never loses its reservation.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from models.rules.calendar import ProductionCalendar, WorkingHours, require_aware


class CallbackStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


CALLBACK_STATUS_LABELS_RU: dict[CallbackStatus, str] = {
    CallbackStatus.OPEN: "Открыта",
    CallbackStatus.IN_PROGRESS: "В работе",
    CallbackStatus.DONE: "Выполнена",
    CallbackStatus.FAILED: "Не выполнена",
    CallbackStatus.CANCELLED: "Отменена",
}

ACTIVE_STATUSES: frozenset[CallbackStatus] = frozenset(
    {CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS}
)
MIN_WINDOW = timedelta(minutes=30)
DIAL_RESERVATION_TTL = timedelta(minutes=3)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    starts_at: datetime
    ends_at: datetime


class CallbackWindowError(ValueError):
    """A call-back window the caller cannot be offered; the message is shown to the operator."""


def promised_answer_date(
    requested_at: datetime, calendar: ProductionCalendar, working_days: int
) -> date:
    """The date the answer is promised for: ``working_days`` after the request was received.

    A request taken outside working hours counts as received at the next opening, so a
    Friday-evening request is received on Monday and a 1-day promise falls on Tuesday.
    """
    if working_days < 1:
        raise ValueError(f"an answer is promised at least one working day ahead: {working_days}")
    received = calendar.next_opening(requested_at)
    return calendar.add_working_days(received.date(), working_days)


def window_choices(
    day: date, calendar: ProductionCalendar, length: timedelta = timedelta(hours=2)
) -> list[TimeWindow]:
    """Consecutive windows covering the day's working hours; [] on a non-working day.

    A tail shorter than MIN_WINDOW is merged into the last window, so every choice offered
    passes validate_window.
    """
    if length < MIN_WINDOW:
        raise ValueError(f"a window must be at least {MIN_WINDOW}, got {length}")
    hours = calendar.hours_on(day)
    if hours is None:
        return []
    start, closes = _bounds(day, hours, calendar)
    windows: list[TimeWindow] = []
    while closes - start >= MIN_WINDOW:
        end = min(start + length, closes)
        if closes - end < MIN_WINDOW:
            end = closes
        windows.append(TimeWindow(start, end))
        start = end
    return windows


def validate_window(window: TimeWindow, calendar: ProductionCalendar, *, now: datetime) -> None:
    """Raise CallbackWindowError (message in Russian) unless the window can be agreed."""
    require_aware(window.starts_at, "starts_at")
    require_aware(window.ends_at, "ends_at")
    require_aware(now, "now")
    if window.ends_at <= window.starts_at:
        raise CallbackWindowError("Конец окна для обратного звонка должен быть позже начала.")
    if window.ends_at - window.starts_at < MIN_WINDOW:
        minutes = int(MIN_WINDOW.total_seconds() // 60)
        raise CallbackWindowError(f"Окно для обратного звонка должно быть не короче {minutes} мин.")
    if window.ends_at <= now:
        raise CallbackWindowError("Окно для обратного звонка уже прошло.")
    _require_inside_working_day(window, calendar)


def is_overdue(
    promised_on: date, status: CallbackStatus, now: datetime, calendar: ProductionCalendar
) -> bool:
    """True for an active task once the promised day's working hours are over."""
    require_aware(now, "now")
    if status not in ACTIVE_STATUSES:
        return False
    return now >= answer_deadline(promised_on, calendar)


def reservation_cutoff(now: datetime) -> datetime:
    """Reservations made at or before this instant have lapsed."""
    require_aware(now, "now")
    return now - DIAL_RESERVATION_TTL


def reservation_live(since: datetime | None, now: datetime) -> bool:
    """True while a click-to-call made at ``since`` still holds its task."""
    if since is None:
        return False
    require_aware(since, "since")
    return since > reservation_cutoff(now)


def _require_inside_working_day(window: TimeWindow, calendar: ProductionCalendar) -> None:
    day = window.starts_at.astimezone(calendar.tz).date()
    hours = calendar.hours_on(day)
    if hours is None:
        raise CallbackWindowError(f"{day:%d.%m.%Y} — нерабочий день, выберите рабочий день.")
    opens, closes = _bounds(day, hours, calendar)
    if window.starts_at < opens or window.ends_at > closes:
        raise CallbackWindowError(
            f"Окно должно лежать в рабочих часах {day:%d.%m.%Y}: "
            f"с {hours.opens:%H:%M} до {hours.closes:%H:%M}."
        )


def answer_deadline(promised_on: date, calendar: ProductionCalendar) -> datetime:
    """The end of the promised day: its closing time, or midnight after a non-working day."""
    hours = calendar.hours_on(promised_on)
    if hours is None:
        next_midnight = promised_on + timedelta(days=1)
        return datetime.combine(next_midnight, time(0), tzinfo=calendar.tz)
    return datetime.combine(promised_on, hours.closes, tzinfo=calendar.tz)


def _bounds(
    day: date, hours: WorkingHours, calendar: ProductionCalendar
) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, hours.opens, tzinfo=calendar.tz),
        datetime.combine(day, hours.closes, tzinfo=calendar.tz),
    )
