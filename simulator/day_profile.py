"""When simulated callers call: the shape of a working day, and a few calls after hours.

``calls_per_hour`` is the average over the line's working hours. Over the day the rate
follows the shape of a public line's traffic, in tenths of the working day: a slow first hour,
the morning peak, the lunch dip, a second peak, the evening fall (:data:`SHAPE`, mean 1).
After hours and on days off callers still call, at ``after_hours_share`` of the average:
they meet the after-hours menu (C3), some order a callback (C11). Arrivals are a Poisson
process with that rate, drawn by thinning, so the hours a demo runs through look like a day.

Pure: the working hours come in as a function (``WorkingSpan``), the time as epoch seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

# Relative traffic in each tenth of the working day (9:00–18:00: 54-minute tenths).
SHAPE = (0.6, 1.2, 1.5, 1.4, 0.8, 0.9, 1.2, 1.1, 0.8, 0.5)
AFTER_HOURS_SHARE = 0.1

# The working hours (opening, closing; epoch seconds) of the day an instant falls on, or None
# on a day off.
WorkingSpan = Callable[[float], tuple[float, float] | None]


@dataclass(frozen=True)
class DayProfile:
    calls_per_hour: float
    working_span: WorkingSpan
    after_hours_share: float = AFTER_HOURS_SHARE

    def rate(self, at: float) -> float:
        """Calls an hour expected at ``at``."""
        span = self.working_span(at)
        if span is None or not span[0] <= at < span[1]:
            return self.calls_per_hour * self.after_hours_share
        tenth = int((at - span[0]) / (span[1] - span[0]) * len(SHAPE))
        return self.calls_per_hour * SHAPE[min(tenth, len(SHAPE) - 1)]

    @property
    def peak(self) -> float:
        return self.calls_per_hour * max(*SHAPE, self.after_hours_share)

    def next_arrival(self, rng: random.Random, after: float) -> float:
        """The instant of the next call after ``after`` (thinning: candidates at the peak
        rate, each kept with the share the rate at its instant is of the peak)."""
        peak = self.peak
        at = after
        while True:
            at += rng.expovariate(peak / 3600)
            if rng.random() * peak < self.rate(at):
                return at
