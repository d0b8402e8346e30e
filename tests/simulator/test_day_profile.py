"""When simulated callers call: the working day's shape at its boundaries, after hours, days off;
arrivals drawn by the profile come as often as its rates say; the callers it brings."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest

from simulator.arrivals import profiled_arrivals
from simulator.day_profile import DayProfile
from tests.wallboard.samples import MSK

MONDAY = datetime(2026, 12, 7, tzinfo=MSK)


def _at(day: int, hour: int, minute: int = 0, second: int = 0) -> float:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=MSK).timestamp()


def _weekdays_nine_to_six(at: float) -> tuple[float, float] | None:
    """Working hours 09:00–18:00 Monday to Friday (what the calendar gives in December)."""
    moment = datetime.fromtimestamp(at, MSK)
    if moment.weekday() >= 5:
        return None
    opens = moment.replace(hour=9, minute=0, second=0, microsecond=0)
    return opens.timestamp(), opens.replace(hour=18).timestamp()


PROFILE = DayProfile(30.0, _weekdays_nine_to_six)


@pytest.mark.parametrize(
    ("moment", "rate"),
    [
        (_at(7, 8, 59, 59), 3.0),  # before opening: a tenth of the average
        (_at(7, 9), 18.0),  # the first tenth (54 min): 0.6 × 30
        (_at(7, 9, 53, 59), 18.0),
        (_at(7, 9, 54), 36.0),  # the second: 1.2 × 30
        (_at(7, 10, 48), 45.0),  # the peak: the third tenth, 1.5 × 30
        (_at(7, 11, 42), 42.0),  # the fourth: 1.4 × 30
        (_at(7, 12, 54), 24.0),  # lunch: the fifth, 0.8 × 30
        (_at(7, 17, 59, 59), 15.0),  # the last tenth: 0.5 × 30
        (_at(7, 18), 3.0),  # closed
        (_at(12, 11), 3.0),  # Saturday: a day off, callers still call now and then
    ],
)
def test_the_rate_follows_the_working_day(moment: float, rate: float) -> None:
    assert PROFILE.rate(moment) == pytest.approx(rate)


def test_the_shape_keeps_the_average_over_the_working_day() -> None:
    day = [PROFILE.rate(_at(7, 9) + second) for second in range(0, 9 * 3600, 60)]
    assert sum(day) / len(day) == pytest.approx(30.0)


def test_arrivals_come_as_often_as_the_rates_say() -> None:
    """Five working weeks of arrivals: about 30 an hour in the day's peak tenth, about 3 an
    hour at night (Poisson counts, within a few standard deviations)."""
    rng = random.Random(11)
    start = MONDAY.timestamp()
    end = start + 35 * 24 * 3600
    peak = night = 0
    at = start
    for arrival in profiled_arrivals(rng, PROFILE, start):
        at += arrival.after_s
        if at >= end:
            break
        moment = datetime.fromtimestamp(at, MSK)
        if moment.weekday() < 5 and (10, 48) <= (moment.hour, moment.minute) < (11, 42):
            peak += 1  # the third tenth: 54 minutes at 45 an hour
        elif 0 <= moment.hour < 6:
            night += 1  # six hours at 3 an hour
    expected_peak = 25 * 0.9 * 45.0  # 25 working days
    expected_night = 35 * 6 * 3.0
    assert abs(peak - expected_peak) < 4 * expected_peak**0.5
    assert abs(night - expected_night) < 4 * expected_night**0.5


def test_the_callers_bring_keys_for_the_after_hours_offer() -> None:
    """About four in ten accept the callback offer after hours (C11); every caller has an
    answer for the window and their own number, silence declines."""
    rng = random.Random(3)
    arrivals = profiled_arrivals(rng, PROFILE, 0)
    plans = [next(arrivals).plan for _ in range(2000)]
    offers = Counter(plan.keys["callback-offer"] for plan in plans)
    assert set(offers) == {"1", ""}
    assert 0.35 < offers["1"] / len(plans) < 0.45
    assert {plan.keys["callback-window-menu"] for plan in plans} == {"1", "2", "3"}
