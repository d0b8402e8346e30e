"""Counts by hour, counted by the database and spread over the line's days and hours here.

The database groups rows by their UTC hour (:func:`utc_hour`): SQLite stores instants as UTC
text (``models.types.UtcDateTime``), so the hour is the text's first 13 characters;
PostgreSQL formats the instant at UTC. At most 24 groups a day come back, whatever the number
of calls, and :class:`HourCounts` turns them into local days, hours of the day and hours (a
UTC hour is one local hour in every zone with whole-hour offsets, as all Russian zones are).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from reports.charts import Bar, Series
from reports.period import Period

_HOUR = timedelta(hours=1)


def utc_hour(column: Any, dialect: str) -> ColumnElement[str]:
    """``column``'s UTC hour as ``YYYY-MM-DD HH`` text, for GROUP BY."""
    if dialect == "postgresql":
        # Constants, not bound parameters: PostgreSQL must see the same expression in
        # SELECT and GROUP BY.
        at_utc = func.timezone(literal_column("'UTC'"), column)
        return func.to_char(at_utc, literal_column("'YYYY-MM-DD HH24'"), type_=String())
    return func.substr(column, 1, 13, type_=String())


HOUR_TEXT = "%Y-%m-%d %H"


def hour_text_bounds(period: Period, tz: ZoneInfo) -> tuple[str, str]:
    """The period's UTC hours as ``utc_hour`` text, [first, past the last): the range of the
    counts by hour (``models.tables.report_counts``) that make up the period."""
    start, end = period.bounds(tz)
    if start.minute or start.second or end.minute or end.second:
        raise ValueError(f"{tz.key}: the line's zone must differ from UTC by whole hours")
    return f"{start:{HOUR_TEXT}}", f"{end:{HOUR_TEXT}}"


@dataclass(slots=True)
class HourCounts:
    """Counts by UTC hour (the instant the hour starts)."""

    counts: Counter[datetime] = field(default_factory=Counter)

    def add(self, hour_text: str, count: int) -> None:
        hour = datetime.strptime(hour_text, HOUR_TEXT).replace(tzinfo=UTC)
        self.counts[hour] += count

    @classmethod
    def of(cls, rows: Iterable[tuple[str, int]]) -> HourCounts:
        found = cls()
        for hour_text, count in rows:
            found.add(hour_text, count)
        return found

    def by_day(self, period: Period, tz: ZoneInfo) -> list[tuple[date, int]]:
        """Every local date of the period with its count (0 included)."""
        days: Counter[date] = Counter()
        for hour, count in self.counts.items():
            days[hour.astimezone(tz).date()] += count
        return [(day, days[day]) for day in period.dates()]

    def by_hour_of_day(self, tz: ZoneInfo) -> list[tuple[int, int]]:
        """Local hours of the day from the first with a count to the last (0 between)."""
        hours: Counter[int] = Counter()
        for hour, count in self.counts.items():
            hours[hour.astimezone(tz).hour] += count
        found = [hour for hour, count in hours.items() if count]
        if not found:
            return []
        return [(hour, hours[hour]) for hour in range(min(found), max(found) + 1)]

    def by_hour(self, period: Period, tz: ZoneInfo) -> list[tuple[datetime, int]]:
        """Every hour of the period, local time, with its count (0 included)."""
        start, end = period.bounds(tz)
        found: list[tuple[datetime, int]] = []
        hour = start
        while hour < end:
            found.append((hour.astimezone(tz), self.counts[hour]))
            hour += _HOUR
        return found


# --------------------------------------------------------------------------- charts


class Timeline(StrEnum):
    """The chart along the period: a bar a day, or a bar an hour (short periods only)."""

    DAY = "day"
    HOUR = "hour"


TIMELINE_LABELS_RU: dict[Timeline, str] = {Timeline.DAY: "По дням", Timeline.HOUR: "По часам"}
WEEKDAYS_RU = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


def timeline_series(
    counts: HourCounts, period: Period, tz: ZoneInfo, timeline: Timeline, what: str
) -> Series:
    """``what`` (e.g. "Пропущенные звонки") along the period, by day or by hour."""
    if timeline is Timeline.HOUR:
        hourly = counts.by_hour(period, tz)
        bars = tuple(
            Bar(
                label=f"{at:%d.%m}"
                if at.hour == 0
                else (f"{at:%H}:00" if at.hour % 6 == 0 else ""),
                name=f"{at:%d.%m.%Y} {at:%H}:00–{at.hour + 1:02d}:00",
                value=count,
            )
            for at, count in hourly
        )
        return Series("by-hour", f"{what} по часам, {period.label()}", bars)
    bars = tuple(
        Bar(
            label=f"{day:%d.%m}",
            name=f"{day:%d.%m.%Y}, {WEEKDAYS_RU[day.weekday()]}",
            value=count,
        )
        for day, count in counts.by_day(period, tz)
    )
    return Series("by-day", f"{what} по дням, {period.label()}", bars)


def hour_of_day_series(counts: HourCounts, period: Period, tz: ZoneInfo, what: str) -> Series:
    bars = tuple(
        Bar(label=f"{hour}", name=f"{hour:02d}:00–{hour + 1:02d}:00", value=count)
        for hour, count in counts.by_hour_of_day(tz)
    )
    return Series("by-hour-of-day", f"{what} по часам суток, {period.label()}", bars)
