"""Working hours on the Russian production calendar (C3).

Working days come from ``holidays.RU`` (statutory holidays, the Government's transfer decrees
and the working weekend days they create), with an admin-editable override table on top that
always wins: later decrees, shortened days the plain rule misses, emergency closures, extra
working days.

A year whose decree the library does not carry still gets an answer (a call must never fail
over the calendar): the statutory holidays of Art. 112 of the Labour Code plus its automatic
rule that a holiday falling on a weekend moves the day off to the next working day (1-8 January
excepted). ``year_status`` then carries a loud warning for the admin.

Shortened pre-holiday days (Art. 95, ``models.rules.shortened_days``) close an hour earlier.
The calendar always knows them (``is_shortened``, ``differences``); whether the line itself
closes earlier on them, and so what ``hours_on``, ``is_open``, ``closes_at`` and
``next_opening`` answer, is the deployment's choice (``shortened_days_close_early``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from holidays.version import __version__ as holidays_version

from models.rules.shortened_days import (
    SHORTENING,
    has_official_list,
    is_statutory_holiday,
    shortened_days,
)


def require_aware(value: datetime, name: str = "datetime") -> None:
    """Raise ValueError unless ``value`` carries a UTC offset: naive times are ambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class WorkingHours:
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times without tzinfo")
        if self.opens >= self.closes:
            raise ValueError(f"opening {self.opens} must be before closing {self.closes}")


DEFAULT_HOURS = WorkingHours(time(9), time(18))


def shortened_hours(hours: WorkingHours) -> WorkingHours:
    """The same opening, closing one hour earlier (Art. 95 of the Labour Code)."""
    day = date(2000, 1, 2)  # any date: only the wall-clock difference matters
    closes = datetime.combine(day, hours.closes) - SHORTENING
    if closes <= datetime.combine(day, hours.opens):
        raise ValueError(f"a working day of {hours.opens}-{hours.closes} cannot lose an hour")
    return WorkingHours(hours.opens, closes.time())


@dataclass(frozen=True, slots=True)
class DayOverride:
    day: date
    working: bool
    hours: WorkingHours | None
    reason: str

    def __post_init__(self) -> None:
        if isinstance(self.day, datetime):
            raise TypeError("an override is for a calendar date, not a datetime")
        if self.hours is not None and not self.working:
            raise ValueError("hours are only allowed on a working day")


class YearSource(StrEnum):
    """Where the year's transferred days off come from."""

    DECREE = "decree"
    CONFIRMED = "confirmed"
    STATUTORY_ONLY = "statutory_only"


class ShortenedDaysSource(StrEnum):
    """Where the year's shortened pre-holiday days come from."""

    OFFICIAL = "official"  # the table of published production calendars
    CONFIRMED = "confirmed"  # the plain Art. 95 rule, checked by the admin
    STATUTORY = "statutory"  # the plain Art. 95 rule, not yet checked


@dataclass(frozen=True, slots=True)
class YearStatus:
    year: int
    source: YearSource
    note: str
    shortened_days: ShortenedDaysSource

    @property
    def needs_confirmation(self) -> bool:
        """True while part of the year is only statutory: the admin must be told loudly."""
        return (
            self.source is YearSource.STATUTORY_ONLY
            or self.shortened_days is ShortenedDaysSource.STATUTORY
        )


@dataclass(frozen=True, slots=True)
class DayDifference:
    day: date
    working: bool
    hours: WorkingHours | None  # the line's hours that day
    note: str
    shortened: WorkingHours | None = None  # a pre-holiday day: its hours shortened by Art. 95


def known_years(static_holidays: object, table: str = "special_public_holidays") -> frozenset[int]:
    """Years present in one of the library's per-year tables; empty if the table is missing.

    The tables are library internals, so a rename in a future release degrades to "unknown"
    (a warning for the admin) instead of breaking calls.
    """
    data = getattr(static_holidays, table, None)
    if not isinstance(data, Mapping):
        return frozenset()
    return frozenset(year for year in data if isinstance(year, int))


def _russia_static_holidays() -> object:
    try:
        from holidays.countries import russia
    except ImportError:
        return None
    return getattr(russia, "RussiaStaticHolidays", None)


_RUSSIA_STATIC = _russia_static_holidays()
# Years whose transfer decree the library carries (year_status DECREE).
LIBRARY_DECREE_YEARS = known_years(_RUSSIA_STATIC)
# Years the library has hand-entered data for; elsewhere we apply Art. 112 part 2 ourselves.
_LIBRARY_DATA_YEARS = LIBRARY_DECREE_YEARS | known_years(
    _RUSSIA_STATIC, "special_public_holidays_observed"
)
_NO_CONFIRMED_YEARS: Mapping[int, str] = MappingProxyType({})
_SEARCH_LIMIT_DAYS = 3660
_MOVED_OFF_NOTE = "Рабочий день: выходной перенесён на {:%d.%m.%Y}"
_WORKED_WEEKEND_NOTE = "Рабочий выходной день (перенос по постановлению Правительства РФ)"
_STATUTORY_SHIFT_NOTE = "Выходной (перенесено с {:%d.%m.%Y}, ч. 2 ст. 112 ТК РФ)"
_SHORTENED_NOTE = "предпраздничный день, сокращён на час (ст. 95 ТК РФ)"
_LINE_KEEPS_HOURS_NOTE = "линия работает в обычные часы"


@dataclass(frozen=True, slots=True)
class _YearData:
    days_off: Mapping[date, str]  # holidays (also on weekends) and transferred days off
    weekend_workdays: Mapping[date, str]


def _days_of(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def _statutory_shifts(days_off: Mapping[date, str]) -> dict[date, str]:
    """Art. 112 part 2: a holiday on a weekend moves the day off to the next working day."""
    shifted: dict[date, str] = {}
    for holiday in sorted(days_off):
        if holiday.weekday() < 5 or (holiday.month == 1 and holiday.day <= 8):
            continue
        target = holiday + timedelta(days=1)
        while target.weekday() >= 5 or target in days_off or target in shifted:
            target += timedelta(days=1)
        shifted[target] = _STATUTORY_SHIFT_NOTE.format(holiday)
    return shifted


def _load_year(year: int) -> _YearData:
    # language="ru" explicitly: otherwise names follow LANG, and LANG=C.UTF-8 gives English.
    library = holidays.country_holidays("RU", years=year, language="ru")
    days_off = {day: name for day, name in library.items() if day.year == year}
    if year not in _LIBRARY_DATA_YEARS:
        days_off.update(_statutory_shifts(days_off))
    workdays = {day: _workday_note(day, days_off) for day in library.weekend_workdays}
    return _YearData(MappingProxyType(days_off), MappingProxyType(workdays))


def _workday_note(workday: date, days_off: Mapping[date, str]) -> str:
    # The library names the moved day off "Выходной (перенесено с 01.11.2025)".
    moved = [day for day, name in days_off.items() if f"{workday:%d.%m.%Y}" in name]
    return _MOVED_OFF_NOTE.format(moved[0]) if moved else _WORKED_WEEKEND_NOTE


def _index_overrides(overrides: Iterable[DayOverride]) -> dict[date, DayOverride]:
    index: dict[date, DayOverride] = {}
    for override in overrides:
        if override.day in index:
            raise ValueError(f"two overrides for {override.day.isoformat()}")
        index[override.day] = override
    return index


def _require_date(day: date) -> None:
    if isinstance(day, datetime):
        raise TypeError("expected a calendar date, got a datetime")


class ProductionCalendar:
    """Answers "is the line open?" and working-day arithmetic in one local time zone."""

    __slots__ = (
        "_close_early",
        "_confirmed",
        "_hours",
        "_overrides",
        "_short_hours",
        "_shortened",
        "_tz",
        "_years",
    )

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        hours: WorkingHours,
        overrides: Iterable[DayOverride] = (),
        confirmed_years: Mapping[int, str] = _NO_CONFIRMED_YEARS,
        shortened_days_close_early: bool = False,
    ) -> None:
        self._tz = tz
        self._hours = hours
        self._short_hours = shortened_hours(hours)
        self._close_early = shortened_days_close_early
        self._overrides = _index_overrides(overrides)
        self._confirmed = {year: source.strip() for year, source in confirmed_years.items()}
        if not all(self._confirmed.values()):
            raise ValueError("a confirmed year needs the decree it was confirmed from")
        self._years: dict[int, _YearData] = {}
        self._shortened: dict[int, frozenset[date]] = {}

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def hours(self) -> WorkingHours:
        return self._hours

    @property
    def shortened_hours(self) -> WorkingHours:
        """The hours of a shortened pre-holiday day, whether or not the line keeps them."""
        return self._short_hours

    @property
    def shortened_days_close_early(self) -> bool:
        return self._close_early

    def is_working_day(self, day: date) -> bool:
        _require_date(day)
        return self._hours_on(day) is not None

    def hours_on(self, day: date) -> WorkingHours | None:
        """The line's hours that day; on a shortened day they depend on the setting."""
        _require_date(day)
        return self._hours_on(day)

    def is_shortened(self, day: date) -> bool:
        """A pre-holiday day shortened by an hour (Art. 95); an override on the day wins."""
        _require_date(day)
        return self._is_shortened(day)

    def is_open(self, now: datetime) -> bool:
        return self.closes_at(now) is not None

    def closes_at(self, now: datetime) -> datetime | None:
        local = self._local(now)
        hours = self._hours_on(local.date())
        if hours is None or not hours.opens <= local.time() < hours.closes:
            return None
        return self._at(local.date(), hours.closes)

    def next_opening(self, now: datetime) -> datetime:
        local = self._local(now)
        hours = self._hours_on(local.date())
        if hours is not None and local.time() < hours.closes:
            return local if local.time() >= hours.opens else self._at(local.date(), hours.opens)
        day = self._next_working_day(local.date())
        return self._at(day, self._working_hours(day).opens)

    def add_working_days(self, day: date, n: int) -> date:
        _require_date(day)
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days: {n}")
        if n == 0:
            return day if self._hours_on(day) is not None else self._next_working_day(day)
        for _ in range(n):
            day = self._next_working_day(day)
        return day

    def next_working_day(self, day: date) -> date:
        _require_date(day)
        return self._next_working_day(day)

    def year_status(self, year: int) -> YearStatus:
        confirmed = self._confirmed.get(year)
        if has_official_list(year):
            shortened = ShortenedDaysSource.OFFICIAL
        elif confirmed is not None:
            shortened = ShortenedDaysSource.CONFIRMED
        else:
            shortened = ShortenedDaysSource.STATUTORY
        if year in LIBRARY_DECREE_YEARS:
            note = _decree_note(year, shortened, confirmed, self._short_hours)
            return YearStatus(year, YearSource.DECREE, note, shortened)
        if confirmed is not None:
            note = (
                f"Перенос выходных дней и сокращённые предпраздничные дни на {year} год "
                f"внесены администратором: {confirmed}."
            )
            return YearStatus(year, YearSource.CONFIRMED, note, shortened)
        return YearStatus(year, YearSource.STATUTORY_ONLY, _statutory_only_note(year), shortened)

    def differences(self, year: int) -> list[DayDifference]:
        """Days that differ from a plain Mon-Fri week at the configured hours, and every
        shortened pre-holiday day (also when the line keeps its usual hours on it)."""
        found = (self._difference(day) for day in _days_of(year))
        return [difference for difference in found if difference is not None]

    def _difference(self, day: date) -> DayDifference | None:
        hours = self._hours_on(day)
        working = hours is not None
        shortened = self._short_hours if self._is_shortened(day) else None
        if shortened is None and working == (day.weekday() < 5) and hours in (None, self._hours):
            return None
        return DayDifference(day, working, hours, self._note(day, working, shortened), shortened)

    def _note(self, day: date, working: bool, shortened: WorkingHours | None) -> str:
        override = self._overrides.get(day)
        if override is not None:
            return override.reason
        data = self._year(day.year)
        if not working:
            return data.days_off.get(day, "Нерабочий день")
        parts = [data.weekend_workdays.get(day, _WORKED_WEEKEND_NOTE)] if day.weekday() >= 5 else []
        if shortened is not None:
            parts.append(_SHORTENED_NOTE)
            if not self._close_early:
                parts.append(_LINE_KEEPS_HOURS_NOTE)
        note = "; ".join(parts)
        return note[:1].upper() + note[1:]

    def _hours_on(self, day: date) -> WorkingHours | None:
        override = self._overrides.get(day)
        if override is not None:
            return (override.hours or self._hours) if override.working else None
        if not self._library_working(day):
            return None
        if self._close_early and day in self._shortened_days(day.year):
            return self._short_hours
        return self._hours

    def _library_working(self, day: date) -> bool:
        """The decree (or the statute) alone, before overrides and shortening."""
        data = self._year(day.year)
        if day.weekday() >= 5:
            return day in data.weekend_workdays
        return day not in data.days_off

    def _is_working_unshortened(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override.working
        if is_statutory_holiday(day):  # a holiday of Art. 112 is always a day off
            return False
        return self._library_working(day)

    def _is_shortened(self, day: date) -> bool:
        if day in self._overrides or not self._library_working(day):
            return False
        return day in self._shortened_days(day.year)

    def _shortened_days(self, year: int) -> frozenset[date]:
        days = self._shortened.get(year)
        if days is None:
            days = self._shortened[year] = shortened_days(year, self._is_working_unshortened)
        return days

    def _working_hours(self, day: date) -> WorkingHours:
        hours = self._hours_on(day)
        if hours is None:
            raise ValueError(f"{day.isoformat()} is not a working day")
        return hours

    def _next_working_day(self, day: date) -> date:
        for offset in range(1, _SEARCH_LIMIT_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self._hours_on(candidate) is not None:
                return candidate
        raise ValueError(f"no working day within {_SEARCH_LIMIT_DAYS} days after {day}")

    def _year(self, year: int) -> _YearData:
        data = self._years.get(year)
        if data is None:
            data = self._years[year] = _load_year(year)
        return data

    def _local(self, now: datetime) -> datetime:
        require_aware(now, "now")
        return now.astimezone(self._tz)

    def _at(self, day: date, wall_clock: time) -> datetime:
        return datetime.combine(day, wall_clock, tzinfo=self._tz)


def _decree_note(
    year: int, shortened: ShortenedDaysSource, confirmed: str | None, short: WorkingHours
) -> str:
    note = (
        f"Перенос выходных дней на {year} год учтён по постановлению Правительства РФ "
        f"(библиотека holidays {holidays_version})"
    )
    if shortened is ShortenedDaysSource.OFFICIAL:
        return f"{note}; сокращённые предпраздничные дни — по официальному календарю."
    if shortened is ShortenedDaysSource.CONFIRMED:
        return f"{note}; сокращённые предпраздничные дни сверены администратором: {confirmed}."
    return (
        f"{note}, но сокращённые предпраздничные дни на {year} год не сверены с официальным "
        f"производственным календарём: на час сокращён только рабочий день непосредственно "
        f"перед нерабочим праздничным днём (ст. 95 ТК РФ). Внесите отличия командой "
        f"consult-line calendar override (--working --hours {short.opens:%H:%M}-"
        f"{short.closes:%H:%M}) и подтвердите год "
        f"командой consult-line calendar confirm-year {year} --source ..."
    )


def _statutory_only_note(year: int) -> str:
    return (
        f"Постановление о переносе выходных дней на {year} год не известно: используются "
        f"только нерабочие праздничные дни по ст. 112 ТК РФ, а сокращённым считается рабочий "
        f"день непосредственно перед праздником (ст. 95 ТК РФ); внесите перенос и сокращённые "
        f"дни по официальному календарю командой consult-line calendar override и подтвердите "
        f"год командой consult-line calendar confirm-year {year} --source ..."
    )
