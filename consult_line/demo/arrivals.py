"""When calls arrive (C3): busy working days, a few calls on days off, some after hours;
whether a moment is in working hours is the calendar's decision, never written by hand."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from consult_line.demo.common import pick
from consult_line.demo.scenarios import IN_HOURS_WEIGHTS, Scenario
from models.rules.calendar import ProductionCalendar

_AFTER_HOURS_CALLBACK_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class Arrival:
    at: datetime
    open: bool  # C3, from the calendar
    scenario: Scenario | None  # None after hours
    wants_callback: bool  # after hours only


def plan_arrivals(day: date, calendar: ProductionCalendar, rng: random.Random) -> list[Arrival]:
    """The day's calls in order, each with its scenario drawn."""
    midnight = datetime.combine(day, time(0), tzinfo=calendar.tz)
    result = []
    for offset in sorted(round(s) for s in _seconds_of_day(day, calendar, rng)):
        at = (midnight + timedelta(seconds=offset)).astimezone(UTC)
        is_open = calendar.is_open(at)  # C3: decided by the calendar, never by hand
        scenario = pick(rng, IN_HOURS_WEIGHTS) if is_open else None
        wants = not is_open and rng.random() < _AFTER_HOURS_CALLBACK_SHARE
        result.append(Arrival(at, is_open, scenario, wants))
    return result


def _seconds_of_day(day: date, calendar: ProductionCalendar, rng: random.Random) -> list[float]:
    hours = calendar.hours_on(day)
    if hours is None:  # weekends and holidays: a few calls, all after hours by the rules
        return [rng.uniform(10 * 3600, 20 * 3600) for _ in range(rng.randint(1, 4))]
    opens, closes = _seconds(hours.opens), _seconds(hours.closes)
    return [
        rng.uniform(opens, closes)
        if rng.random() < 0.85
        else rng.choice([rng.uniform(7.5 * 3600, opens), rng.uniform(closes, 21.5 * 3600)])
        for _ in range(rng.randint(15, 40))
    ]


def force_coverage(arrivals: list[Arrival], rng: random.Random) -> None:
    """Every scenario at least once, at random places, if the period has room for it."""
    in_hours = [i for i, a in enumerate(arrivals) if a.open]
    after = [i for i, a in enumerate(arrivals) if not a.open]
    scenarios = list(Scenario)
    places = rng.sample(in_hours, min(len(in_hours), len(scenarios)))
    for index, scenario in zip(places, scenarios, strict=False):
        arrivals[index] = Arrival(arrivals[index].at, True, scenario, False)
    if after:
        index = rng.choice(after)
        arrivals[index] = Arrival(arrivals[index].at, False, None, True)


def _seconds(wall_clock: time) -> float:
    return wall_clock.hour * 3600 + wall_clock.minute * 60 + wall_clock.second
