"""Simulated callers arriving at the line: when they call, who they are, what they do.

When: by the day's profile (``simulator.day_profile``), or at random around ``mean_gap_s``.
Who: Russian mobile numbers with now and then a withheld one, a foreign one or a name with
quotes in it (the caller IDs a line really gets). What: most choose Russian, some English; a
topic from the menu; some lose patience in the queue; the survey answered or left; after
hours, some accept the callback offer for their own number and a time of day. Seeded: the
same seed plays the same callers.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from simulator.caller import CallerPlan
from simulator.day_profile import DayProfile
from simulator.dialplan import LINE_NUMBER

NAMES = (
    "Ivan Petrov",
    "Магомед Алиев",
    "Патимат Гаджиева",
    'ООО "Каспий-Агро"',
    "",
)
TOPIC_KEYS = "123450"


@dataclass(frozen=True, slots=True)
class Arrival:
    after_s: float  # since the previous arrival
    plan: CallerPlan


def arrivals(rng: random.Random, *, mean_gap_s: float) -> Iterator[Arrival]:
    """An endless stream of callers."""
    while True:
        yield Arrival(rng.expovariate(1 / mean_gap_s), caller(rng))


def profiled_arrivals(rng: random.Random, profile: DayProfile, start: float) -> Iterator[Arrival]:
    """An endless stream of callers from ``start`` (epoch seconds) on, by ``profile``."""
    at = start
    while True:
        following = profile.next_arrival(rng, at)
        yield Arrival(following - at, caller(rng))
        at = following


def caller(rng: random.Random) -> CallerPlan:
    roll = rng.random()
    if roll < 0.05:
        number, name = "", ""  # withheld
    elif roll < 0.1:
        number, name = f"44{rng.randrange(10**9, 10**10)}", "John Smith"  # from abroad
    else:
        number, name = f"79{rng.randrange(10**8, 10**9)}", rng.choice(NAMES)
    keys = {
        "welcome-language": "2" if rng.random() < 0.1 else rng.choice(("1", "")),
        "topic-menu": rng.choice(TOPIC_KEYS),
        "survey-answer-received": rng.choice(("1", "2", "")),
        "survey-quality": rng.choice(("1", "2", "3")),
        # after hours (C3, C11): silence declines the offer
        "callback-offer": "1" if rng.random() < 0.4 else "",
        "callback-number-confirm": "1",
        "callback-window-menu": rng.choice(("1", "2", "3")),
    }
    return CallerPlan(
        number=number,
        name=name,
        dialled=LINE_NUMBER,
        keys=keys,
        think_s=rng.uniform(1.0, 3.5),
        patience_s=rng.uniform(45.0, 300.0) if rng.random() < 0.3 else None,
    )
