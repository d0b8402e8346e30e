"""A report's period: local dates of the line, both ends inclusive (C3), as the page's form and
``consult-line report`` give them, checked with a Russian sentence for each mistake.

A report covers at most :data:`MAX_DAYS` days (a year, a leap year included); the chart by
hour draws one bar per hour, so it takes at most :data:`MAX_HOURLY_DAYS` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.exports import local_midnight_utc
from reports.inputs import InputError

MAX_DAYS = 366
MAX_HOURLY_DAYS = 7
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as consult_line.arguments; far dates overflow the zones


@dataclass(frozen=True, slots=True)
class Period:
    since: date
    until: date  # inclusive

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants, [start, end): local midnight to local midnight."""
        return local_midnight_utc(self.since, tz), local_midnight_utc(
            self.until + timedelta(days=1), tz
        )

    def dates(self) -> list[date]:
        return [self.since + timedelta(days=offset) for offset in range(self.days)]

    def label(self) -> str:
        """``01.10.2026–31.10.2026``, or one date for a one-day period."""
        if self.since == self.until:
            return f"{self.since:%d.%m.%Y}"
        return f"{self.since:%d.%m.%Y}–{self.until:%d.%m.%Y}"

    def slug(self) -> str:
        """For file names: ``2026-10-01_2026-10-31``."""
        return f"{self.since.isoformat()}_{self.until.isoformat()}"


def checked_period(since: date, until: date) -> Period:
    """``since``..``until`` if a report can cover it; else :class:`InputError`."""
    for day, field in ((since, "since"), (until, "until")):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InputError(
                f"Дата {day.isoformat()} вне допустимых лет ({FIRST_YEAR}–{LAST_YEAR}).", field
            )
    if until < since:
        raise InputError(
            f"Конец периода ({until:%d.%m.%Y}) раньше начала ({since:%d.%m.%Y}).", "until"
        )
    period = Period(since, until)
    if period.days > MAX_DAYS:
        raise InputError(
            f"Период длиннее {MAX_DAYS} дней ({period.days}): выберите не больше года.", "until"
        )
    return period


def form_period(since: str | None, until: str | None, *, today: date) -> Period:
    """The period of the page's form (``ГГГГ-ММ-ДД``, as a date field sends it). An empty end
    is today (or the start, if that is later); an empty start is the first day of the end's
    month; both empty: this month up to today."""
    start = _form_date(since, "since", "начала")
    end = _form_date(until, "until", "конца")
    if end is None:
        end = max(today, start) if start is not None else today
    if start is None:
        start = min(end.replace(day=1), end)
    return checked_period(start, end)


def check_hourly(period: Period) -> None:
    """The chart by hour (one bar an hour) is for short periods only."""
    if period.days > MAX_HOURLY_DAYS:
        raise InputError(
            f"График по часам строится за период не длиннее {MAX_HOURLY_DAYS} дней, а выбрано "
            f"{period.days}: сократите период или выберите график по дням.",
            "chart",
        )


def _form_date(text: str | None, field: str, what: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise InputError(
            f"Дата {what} периода — в виде ГГГГ-ММ-ДД, получено «{shown}».", field
        ) from None
